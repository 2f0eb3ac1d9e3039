/**
 * A minimal Prometheus registry and its text exposition format (version 0.0.4): counters, gauges and
 * histograms with labels, and collectors that set gauges at scrape time. Written here because no
 * metrics library is installed; prom-client should replace it (same names, same text).
 *
 * Format rules followed: one `# HELP` and `# TYPE` line per family; label values escape `\`, `"` and
 * newlines; HELP escapes `\` and newlines; histogram buckets are cumulative and end with `le="+Inf"`,
 * followed by `_sum` and `_count`; values are Go-style floats (`+Inf`, `-Inf`, `NaN`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ImageAnalysis, StageTimings } from '../../shared/face';
import type { AnalysisEngine } from './context';

type Labels = Record<string, string | number>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds: from 1 ms to 30 s, for request and stage durations. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i])}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

abstract class Family {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
    for (const l of labelNames) if (!LABEL.test(l) || l === 'le') throw new Error(`bad label name ${l}`);
  }

  protected key(labels: Labels): string[] {
    return this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new Error(`metric ${this.name} needs label ${n}`);
      return String(v);
    });
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  abstract lines(): string[];

  text(): string {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join(
      '\n',
    );
  }
}

class Scalar extends Family {
  private readonly values = new Map<string, { labels: string[]; value: number }>();

  constructor(
    readonly type: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: readonly string[],
  ) {
    super(name, help, labelNames);
  }

  private slot(labels: Labels) {
    const l = this.key(labels);
    const k = l.join('\u0000');
    let s = this.values.get(k);
    if (!s) this.values.set(k, (s = { labels: l, value: 0 }));
    return s;
  }

  inc(labels: Labels = {}, by = 1): void {
    if (this.type === 'counter' && !(by >= 0)) throw new Error('a counter only goes up');
    this.slot(labels).value += by;
  }

  set(labels: Labels, value: number): void {
    if (this.type !== 'gauge') throw new Error('only a gauge is set');
    this.slot(labels).value = value;
  }

  /** Drop every series (a gauge over a changing set of devices is rebuilt at each scrape). */
  reset(): void {
    this.values.clear();
  }

  lines(): string[] {
    return [...this.values.values()].map(
      (s) => `${this.name}${labelText(this.labelNames, s.labels)} ${formatValue(s.value)}`,
    );
  }
}

export type Counter = Pick<Scalar, 'inc'>;
export type Gauge = Pick<Scalar, 'set' | 'inc' | 'reset'>;

class Histogram extends Family {
  readonly type = 'histogram' as const;
  private readonly series = new Map<string, { labels: string[]; counts: number[]; sum: number; count: number }>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i] > buckets[i - 1])) throw new Error('histogram buckets must increase');
    }
  }

  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const l = this.key(labels);
    const k = l.join('\u0000');
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels: l, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      // Each bucket counts every observation at or below its bound: cumulative as the format requires.
      this.buckets.forEach((b, i) =>
        out.push(`${this.name}_bucket${labelText(this.labelNames, s.labels, `le="${formatValue(b)}"`)} ${s.counts[i]}`),
      );
      out.push(`${this.name}_bucket${labelText(this.labelNames, s.labels, 'le="+Inf"')} ${s.count}`);
      out.push(`${this.name}_sum${labelText(this.labelNames, s.labels)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}`);
    }
    return out;
  }
}

export type HistogramMetric = Pick<Histogram, 'observe'>;

/** The metric families of one process, and what sets its gauges when scraped. */
export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly collectors = new Map<string, () => void | Promise<void>>();

  private family<F extends Family>(f: F): F {
    const known = this.families.get(f.name);
    if (known) {
      if (known.type !== f.type) throw new Error(`metric ${f.name} is already a ${known.type}`);
      return known as F;
    }
    this.families.set(f.name, f);
    return f;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.family(new Scalar('counter', name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.family(new Scalar('gauge', name, help, labelNames));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets = DURATION_BUCKETS,
  ): HistogramMetric {
    return this.family(new Histogram(name, help, labelNames, buckets));
  }

  /** Run `fn` before each exposition (once per `key`, however often it is registered). */
  collect(key: string, fn: () => void | Promise<void>): void {
    this.collectors.set(key, fn);
  }

  /** The exposition: every family, collectors run first (a failing one leaves its gauges as they were). */
  async expose(): Promise<string> {
    await Promise.all(
      [...this.collectors.values()].map(async (c) => {
        try {
          await c();
        } catch {
          // A store that cannot be read must not take the scrape down: its gauges keep their last values.
        }
      }),
    );
    const text = [...this.families.values()].map((f) => f.text()).join('\n');
    return text + '\n';
  }
}

/**
 * Requests by route and status, and their durations: every answer, errors and 404s included (a route
 * that matched nothing is counted as `unmatched`, never by its raw URL, so scanners cannot blow up the
 * label set).
 */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  const requests = metrics.counter('hadir_http_requests_total', 'HTTP requests answered, by route and status.', [
    'method',
    'route',
    'status',
  ]);
  const duration = metrics.histogram('hadir_http_request_duration_seconds', 'Time to answer, by route.', [
    'method',
    'route',
  ]);
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: reply.statusCode });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
}

const STAGES: (keyof StageTimings)[] = ['decode', 'detect', 'align', 'embed', 'liveness'];

/**
 * The engine, measured: each analysis's stages (worker time) and the rest of its wall time, which is
 * waiting for a free worker plus moving the bytes (the queue wait, near enough); gauges of the queue
 * and the workers at scrape time.
 */
export function meterEngine(engine: AnalysisEngine, metrics: Metrics): AnalysisEngine {
  const stage = metrics.histogram('hadir_inference_stage_seconds', 'Inference time per stage of one image.', ['stage']);
  const wait = metrics.histogram(
    'hadir_engine_queue_wait_seconds',
    'Wall time of an analysis outside its stages: waiting for a worker and the transfer.',
  );
  const depth = metrics.gauge('hadir_engine_queue_depth', 'Requests waiting for an inference worker.');
  const maxQueue = metrics.gauge('hadir_engine_queue_capacity', 'Waiting requests beyond which BUSY is answered.');
  const workers = metrics.gauge('hadir_engine_workers', 'Inference workers by state.', ['state']);
  metrics.collect('engine', () => {
    const s = engine.status();
    depth.set({}, s.queueDepth);
    maxQueue.set({}, s.maxQueue);
    workers.set({ state: 'live' }, s.liveWorkers);
    workers.set({ state: 'busy' }, s.busyWorkers);
  });
  const measured = async (run: () => Promise<ImageAnalysis>): Promise<ImageAnalysis> => {
    const t0 = performance.now();
    const a = await run();
    const wall = performance.now() - t0;
    let inside = 0;
    for (const k of STAGES) {
      const ms = a.timings[k] ?? 0;
      inside += ms;
      if (k !== 'liveness' || ms > 0) stage.observe({ stage: k }, ms / 1000);
    }
    wait.observe({}, Math.max(0, wall - inside) / 1000);
    return a;
  };
  return {
    analyzeEncoded: (bytes, params, opts) => measured(() => engine.analyzeEncoded(bytes, params, opts)),
    analyzeRgb: (rgb, w, h, params, opts) => measured(() => engine.analyzeRgb(rgb, w, h, params, opts)),
    status: () => engine.status(),
    get livenessThreshold() {
      return engine.livenessThreshold;
    },
  };
}
