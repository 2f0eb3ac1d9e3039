import { EventEmitter } from 'node:events';
import pg from 'pg';
import { CHANGES_CHANNEL } from './store/changes';

export interface ChangeNotifierOptions {
  /** Wake every waiter this often even without a notification (default 5 s). */
  pollMs?: number;
  /** First and longest wait before reconnecting the listening connection (default 250 ms, 10 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/**
 * Wakes the long-polls of this hub process when the change log may have grown. A notification is only
 * a hint: waiters re-read from their cursors on every wake-up, and wake-ups also come after the
 * listening connection reconnects (notifications sent while it was down are lost) and on a timer, so
 * a missed NOTIFY delays a change by at most one poll interval and never loses it.
 *
 * The listener is a client of its own, outside the pool: LISTEN belongs to one session, and a pooled
 * connection would hand it to someone else's queries.
 */
export class ChangeNotifier {
  /** Emits 'connected' and 'disconnected' (for logs and tests). */
  readonly events = new EventEmitter();
  private generation = 0;
  private readonly waiters = new Set<() => void>();
  private client: pg.Client | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private readonly pollMs: number;
  private readonly minMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly url: string,
    opts: ChangeNotifierOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 5_000;
    this.minMs = opts.reconnectMinMs ?? 250;
    this.maxMs = opts.reconnectMaxMs ?? 10_000;
    this.backoffMs = this.minMs;
  }

  /** Connect and LISTEN; rejects when the first connection fails (later drops reconnect by themselves). */
  async start(): Promise<void> {
    await this.connect();
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
  }

  get connected(): boolean {
    return this.client !== null;
  }

  /** A counter that moves on every wake-up: read it before reading the log, then wait from it. */
  get position(): number {
    return this.generation;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Resolve at the first wake-up after `since` (at once if one came already), after `ms`, when the
   * signal aborts or when the notifier closes.
   */
  wait(since: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || this.generation !== since || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  wake(): void {
    this.generation++;
    for (const w of [...this.waiters]) w();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.wake();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url, application_name: 'hadir-hub-listener', keepAlive: true });
    let live = false;
    let dropped = false;
    const onDrop = () => {
      // Failures before LISTEN took effect are the caller's (connect() rejects); only a live one reconnects.
      if (!live || dropped) return;
      dropped = true;
      if (this.client === c) this.client = null;
      c.end().catch(() => {});
      if (this.closed) return;
      this.events.emit('disconnected');
      this.scheduleReconnect();
    };
    c.on('error', onDrop);
    c.on('end', onDrop);
    c.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL) this.wake();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (e) {
      await c.end().catch(() => {});
      throw e;
    }
    if (this.closed) {
      await c.end().catch(() => {});
      return;
    }
    live = true;
    this.client = c;
    this.backoffMs = this.minMs;
    this.events.emit('connected');
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.maxMs, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        // Whatever was notified while the connection was down is lost: everyone looks again.
        () => this.wake(),
        () => this.scheduleReconnect(),
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}
