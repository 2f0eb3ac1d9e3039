import multipart from '@fastify/multipart';
import Fastify, {
  type FastifyHttpsOptions,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { randomBytes } from 'node:crypto';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HadirError } from '../../shared/errors';
import { packLivenessThreshold } from '../engine/liveness';
import { resolvePack } from '../engine/model-files';
import { admitsWithin, InferencePool, type PoolOptions } from '../engine/pool';
import { openAppServices } from '../services/app-services';
import { storedLivenessThreshold } from '../services/site-settings';
import { ApiKeyService } from '../services/api-keys';
import { FaceService } from '../services/face-service';
import type { Db } from '../store/db';
import {
  ACCESS_LEVELS,
  type AccessControl,
  type AccessLevel,
  installAccess,
  requestClient,
  requireAccess,
} from './access';
import { TrustedProxies } from './client-address';
import { type Access, hasScope, type KeyVerifier, requestKey } from './auth';
import {
  allowedHostNames,
  configFromEnv,
  formatAddress,
  hostHeaderName,
  isLoopbackHost,
  JSON_BODY_LIMIT_BYTES,
  type ServerConfig,
  defaultServerConfig,
} from './config';
import {
  type IdentityService,
  type LegacyKind,
  type RouteContext,
  type RouteDef,
  type ServerDeps,
  thresholdsOf,
} from './context';
import { classifyError, clientSafeError, httpStatusOf, retryAfterSeconds } from './http-errors';
import { buildOpenApi, type OpenApiDocument } from './openapi';
import { RateLimiter } from './rate-limit';
import { analysisRoutes } from './routes/analysis';
import { attendanceRoutes } from './routes/attendance';
import { attendanceManualRoutes } from './routes/attendance-manual';
import { authRoutes } from './routes/auth';
import { identifyRoutes } from './routes/identify';
import { keysRoutes } from './routes/keys';
import { operatorsRoutes } from './routes/operators';
import { peopleRoutes } from './routes/people';
import { unitRoutes } from './routes/units';
import { settingsRoutes } from './routes/settings';
import { setupRoutes } from './routes/setup';
import { hubRoutes } from './routes/hub';
import { compareRoutes } from './routes/compare';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { JPEG_BODY, kioskRoutes } from './routes/kiosk';
import { LEGACY_ENGINE_DEADLINE_MS, legacyFailureBody, legacyRoutes } from './routes/legacy';
import { metricsRoutes } from './routes/metrics';
import { installHttpMetrics, meterEngine, Metrics } from './metrics';
import { SetupToken } from './setup-token';
import { resolveTls, type TlsMaterial, tlsStatusOf } from './tls';
import { userDataDir } from '../paths';
import { HubConnection } from '../sync/hub-connection';

export type { ServerDeps, IdentityService, AnalysisEngine } from './context';
export type { KeyVerifier, ApiPrincipal, ApiScope } from './auth';

/** The store-backed route groups: sessions, setup, people, attendance, keys, operators, settings. */
export const storeRoutes: readonly RouteDef[] = [
  ...authRoutes,
  ...setupRoutes,
  ...hubRoutes,
  ...identifyRoutes,
  ...peopleRoutes,
  ...unitRoutes,
  ...attendanceRoutes,
  ...attendanceManualRoutes,
  ...keysRoutes,
  ...operatorsRoutes,
  ...settingsRoutes,
];

/**
 * The face API: what a server with an engine and a gallery but no kiosk store serves (the hub builds
 * its table from these, the same objects the kiosk mounts).
 */
export const faceRoutes: readonly RouteDef[] = [
  ...healthRoutes,
  ...analysisRoutes,
  ...compareRoutes,
  ...identifyRoutes,
];

/** Every documented route, legacy ones included: the OpenAPI document does not depend on settings. */
export function documentedRoutes(): RouteDef[] {
  return [...healthRoutes, ...analysisRoutes, ...compareRoutes, ...storeRoutes, ...kioskRoutes, ...legacyRoutes];
}

let cachedDocument: OpenApiDocument | null = null;

/** The OpenAPI document served at /api/v1/openapi.json and committed as docs/openapi.json. */
export function openApiDocument(): OpenApiDocument {
  cachedDocument ??= buildOpenApi(documentedRoutes());
  return cachedDocument;
}

/** Which routes a listener serves: the whole API, or the second listener's old anti-spoofing routes. */
export type Surface = 'main' | 'antispoof';

export interface CreateOptions {
  surface?: Surface;
  /** fastify's logger (pino) options, or false (default). */
  logger?: boolean | Record<string, unknown>;
  /** Listen over HTTPS with this certificate; null/absent: plain HTTP. */
  tls?: TlsMaterial | null;
  /**
   * Where internal errors are reported with their request id (default: fastify's logger when there
   * is one, else stderr). The client only gets the code and the id.
   */
  onInternalError?: (requestId: string, err: unknown) => void;
}

const retryAfterOf = new WeakMap<object, number>();

function rateLimited(seconds: number): HadirError {
  const e = new HadirError('RATE_LIMITED', `too many requests; retry in ${Math.ceil(seconds)} s`);
  retryAfterOf.set(e, Math.max(1, Math.ceil(seconds)));
  return e;
}

/**
 * Build the HTTP server on an engine that is already started (the pool is warm before the first
 * request can arrive). Returns the fastify instance, not yet listening: `listen` it, or `inject` in tests.
 */
export async function createServer(
  deps: ServerDeps,
  partial: Partial<ServerConfig> = {},
  opts: CreateOptions = {},
): Promise<FastifyInstance> {
  const config: ServerConfig = { ...defaultServerConfig(), ...partial };
  const surface = opts.surface ?? 'main';
  const metrics = deps.metrics ?? new Metrics();
  const ctx: RouteContext = {
    // Routes see the engine through the meter: stage times and queue wait land in /metrics.
    deps: { ...deps, engine: meterEngine(deps.engine, metrics), metrics },
    config,
    thresholds: thresholdsOf(deps.pack, deps.engine, deps.livenessThreshold, packLivenessThreshold(deps.pack)),
    loopbackBind: isLoopbackHost(config.host),
    tls: tlsStatusOf(opts.tls),
  };
  const hosts = allowedHostNames(config);
  const limiter = config.rateLimit ? new RateLimiter(config.rateLimit) : null;
  // Each sign-in costs a deliberately slow hash: its own, much tighter bucket per client address,
  // taken before the body is read, so a flood is answered 429 without hashing anything.
  const signInLimiter = config.signInRateLimit ? new RateLimiter(config.signInRateLimit) : null;
  const keys: KeyVerifier | null = deps.keys ?? null;
  const trustedProxies = new TrustedProxies(config.trustedProxies);

  const options: FastifyServerOptions = {
    logger: opts.logger ?? false,
    // Answered with every error, so a report can be matched to the server's log; not guessable.
    genReqId: () => randomBytes(8).toString('hex'),
    bodyLimit: Math.min(JSON_BODY_LIMIT_BYTES, config.uploadLimitBytes),
    requestTimeout: config.requestTimeoutMs,
    trustProxy: false,
    // While closing, requests on open connections are still answered (the engine stops after the
    // server): fastify's own 503 body would not be the API's error shape.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // No coercion and no silent stripping: a field of the wrong type or an unknown field is a 400.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
  };
  // Routes and hooks do not depend on the transport; only the instance's server type differs.
  const app = (opts.tls
    ? Fastify({ ...options, https: { cert: opts.tls.cert, key: opts.tls.key } } as FastifyHttpsOptions<HttpsServer>)
    : Fastify(options)) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);
  const services = deps.services ?? null;
  const control: AccessControl = {
    keys,
    sessions: services?.sessions ?? null,
    // Without a store there is no account to create, so no setup to open.
    setupOpen: () => (services ? services.operators.repo.countAdmins() === 0 : false),
    setupToken: deps.setupToken ?? null,
    trustedProxies,
  };
  installAccess(app, control);
  installHttpMetrics(app, metrics);
  app.decorateRequest('startedAt', 0);
  // Only JSON and multipart bodies are taken; anything else is 415 before a handler runs.
  app.removeContentTypeParser('text/plain');
  // Camera frames travel as raw JPEG bodies (a kiosk streams several a second: no multipart framing),
  // taken only by the routes that declare it, up to the upload limit.
  app.addContentTypeParser(
    JPEG_BODY,
    { parseAs: 'buffer', bodyLimit: config.uploadLimitBytes },
    (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => {
      if (req.routeOptions.config.def?.rawBody?.mime !== JPEG_BODY) {
        done(new HadirError('UNSUPPORTED_MEDIA_TYPE', `this route does not take a ${JPEG_BODY} body`));
        return;
      }
      done(null, body);
    },
  );
  await app.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: config.uploadLimitBytes } });

  const legacyKindOf = (req: FastifyRequest): LegacyKind | null => {
    const def = req.routeOptions.config.def;
    if (!def) return null;
    if (def.legacy) return def.legacy;
    return config.legacyRoutes && def.legacyWhen ? def.legacyWhen(req) : null;
  };

  app.addHook('onRequest', async (req) => {
    req.startedAt = performance.now();
    // Against DNS rebinding: a page on another site reaches us only under its own host name.
    const host = hostHeaderName(req.headers.host);
    if (host === null || !hosts.has(host)) {
      throw new HadirError('MISDIRECTED_REQUEST', 'this server does not answer for that Host name');
    }
    const def = req.routeOptions.config.def;
    if (!def) return; // 404: answered by the not-found handler, no key needed to learn a route is absent.
    const access: Access | AccessLevel = legacyKindOf(req) ? 'legacy' : def.access;
    // The one decision of who the client is (proxies included) that every check below reads.
    const client = requestClient(req);
    if (access === 'public') {
      // Sign-in (and pairing a tablet) needs no credential, but guessing at it must not be free, nor a
      // way to burn the CPU. Each such route has its own bucket per address.
      if (def.rateLimited) {
        const wait = Math.max(
          signInLimiter?.take(`${def.operationId}:ip:${client.address}`) ?? 0,
          limiter?.take(`ip:${client.address}`) ?? 0,
        );
        if (wait > 0) throw rateLimited(wait);
      }
      return;
    }
    if (isAccessLevel(access)) {
      // Sessions and keys, by level (access.ts); the principal stays on the request for the handler.
      const p = await requireAccess(req, access);
      if (limiter) {
        const who = p.kind === 'api_key' ? `key:${p.key.id}` : p.kind === 'session' ? `session:${p.session.id}` : null;
        const wait = limiter.take(who ?? `ip:${client.address}`);
        if (wait > 0) throw rateLimited(wait);
      }
      const bound = typeof def.engineBound === 'function' ? def.engineBound(req) : def.engineBound === true;
      if (bound && engineSaturated(deps.engine, legacyKindOf(req) ? LEGACY_ENGINE_DEADLINE_MS : undefined)) {
        throw new HadirError('BUSY', 'the inference engine is busy; retry shortly');
      }
      return;
    }

    const key = requestKey(req.headers);
    if (key !== null) {
      req.principal = keys ? await keys.verify(key) : null;
      if (!req.principal) throw new HadirError('UNAUTHORIZED', 'unknown or revoked API key');
    }
    const keyless = access === 'analysis' ? ctx.loopbackBind && client.loopback : client.loopback;
    if (!keyless && !hasScope(req.principal, 'read')) {
      if (req.principal) throw new HadirError('FORBIDDEN', 'this API key lacks the "read" scope');
      throw new HadirError('UNAUTHORIZED', 'an API key is required (Authorization: Bearer <key> or X-API-Key)');
    }
    if (limiter) {
      const wait = limiter.take(req.principal ? `key:${req.principal.id}` : `ip:${client.address}`);
      if (wait > 0) throw rateLimited(wait);
    }
    // Over capacity, refuse before reading the upload: parsing bodies only to answer BUSY would take
    // the CPU the workers need (the unread body is discarded by Node, the connection stays usable).
    const bound = typeof def.engineBound === 'function' ? def.engineBound(req) : def.engineBound === true;
    if (bound && engineSaturated(deps.engine, legacyKindOf(req) ? LEGACY_ENGINE_DEADLINE_MS : undefined)) {
      throw new HadirError('BUSY', 'the inference engine is busy; retry shortly');
    }
  });

  const reportInternal =
    opts.onInternalError ??
    ((id: string, err: unknown) => {
      if (opts.logger) app.log.error({ err, request_id: id }, 'internal error');
      else process.stderr.write(`hadir: internal error (request ${id}): ${(err as Error)?.stack ?? String(err)}\n`);
    });
  app.setErrorHandler((err, req, reply) => {
    const classified = classifyError(err);
    const status = httpStatusOf(classified.code);
    // A server-side failure (SQLite's message, a file path) is for the log; the client gets the code
    // and the request id to quote.
    if (status >= 500 && status !== 502 && status !== 503) reportInternal(req.id, err);
    const info = clientSafeError(classified, status, req.id);
    const retry = (err && typeof err === 'object' ? retryAfterOf.get(err) : undefined) ?? retryAfterSeconds(info.code);
    if (retry) void reply.header('retry-after', String(retry));
    const kind = legacyKindOf(req);
    if (kind) return reply.code(200).send(legacyFailureBody(kind, ctx, info, req.startedAt || performance.now()));
    return reply.code(status).send({ error: info, request_id: req.id });
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` },
      request_id: req.id,
    }),
  );

  let defs: RouteDef[];
  if (surface === 'antispoof') {
    defs = [...healthRoutes, ...legacyRoutes].filter((d) => d.antispoofListener);
  } else if (deps.routes) {
    defs = [...deps.routes, ...metricsRoutes];
    if (config.legacyRoutes) defs.push(...legacyRoutes);
  } else {
    defs = [
      ...metricsRoutes,
      ...healthRoutes,
      ...analysisRoutes,
      ...compareRoutes,
      ...storeRoutes,
      ...kioskRoutes,
      ...docsRoutes(openApiDocument),
    ];
    if (config.legacyRoutes) defs.push(...legacyRoutes);
  }
  for (const def of defs) {
    app.route({
      method: def.method,
      url: def.url,
      schema: def.schema,
      config: { def },
      handler: (req, reply) => def.handler(ctx, req, reply),
    });
  }
  if (surface === 'main' && deps.mount) await deps.mount(app);
  return app;
}

function isAccessLevel(a: Access | AccessLevel): a is AccessLevel {
  return (ACCESS_LEVELS as readonly string[]).includes(a);
}

/**
 * The engine would refuse one more request with this deadline (its own default when undefined): every
 * worker busy and the expected wait past the deadline, or the queue at its memory cap.
 */
function engineSaturated(engine: ServerDeps['engine'], deadlineMs?: number): boolean {
  return !admitsWithin(engine.status(), deadlineMs);
}

export interface StartOptions {
  config?: Partial<ServerConfig>;
  /**
   * The store: API keys are checked against it and faces identified from its gallery (FaceService).
   * Without one no key is valid and nobody is identified. The caller closes it after `close()`.
   */
  db?: Db | null;
  /** Model pack id (default: the site's active pack when there is a store, else the manifest's default). */
  packId?: string;
  pool?: Omit<PoolOptions, 'paths'>;
  /** Overrides the store's key service (tests). */
  keys?: KeyVerifier | null;
  /** Overrides the store's face service for identification (tests). */
  identity?: IdentityService | null;
  mount?: ServerDeps['mount'];
  logger?: CreateOptions['logger'];
  /** The data folder a self-signed certificate is kept in (default: HADIR_DATA_DIR or the user's). */
  dataDir?: string;
  /** Where progress lines go (default stderr); the listening line goes to `out` (default stdout). */
  log?: (line: string) => void;
  out?: (line: string) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  antispoofApp: FastifyInstance | null;
  pool: InferencePool;
  config: ServerConfig;
  /** e.g. http://127.0.0.1:5010 */
  url: string;
  antispoofUrl: string | null;
  /** The certificate the main listener uses; null: plain HTTP. */
  tls: TlsMaterial | null;
  /**
   * The kiosk's hub sync (null without a store): not started here — `hadir serve` starts it once
   * listening; a join through the API starts it at once.
   */
  hub: HubConnection | null;
  /** Stop syncing, stop listening, let in-flight requests finish, then drain and stop the engine. */
  close(): Promise<void>;
}

/**
 * Refuse a bind beyond loopback unless API keys exist: otherwise anyone on the network could use the
 * engine (and, later, the people routes) without a key.
 */
export async function checkBind(
  config: Pick<ServerConfig, 'host'>,
  keys: KeyVerifier | null | undefined,
): Promise<void> {
  if (isLoopbackHost(config.host)) return;
  if (keys && (await keys.hasKeys())) return;
  throw new HadirError(
    'FORBIDDEN',
    `refusing to listen on ${config.host}: binding to anything but loopback (127.0.0.1, ::1, localhost) requires ` +
      'API keys, and none exist. Create one first (`hadir keys create --name NAME --scopes read`), or bind to 127.0.0.1.',
  );
}

/** Start the engine (warm), then the server(s); `hadir serve` and the app use this. */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const config: ServerConfig = { ...configFromEnv(), ...opts.config };
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const db = opts.db ?? null;
  const keys = opts.keys !== undefined ? opts.keys : db ? new ApiKeyService(db) : null;
  // Before the engine loads: a refused bind should fail in milliseconds, not after the models warm up.
  await checkBind(config, keys);
  // Also before the engine: a missing or mismatched certificate is a configuration error to report at once.
  const tls = await resolveTls(config.tls, {
    dataDir: opts.dataDir ?? userDataDir(),
    names: [config.host, ...allowedHostNames(config)],
  });

  const packId = opts.packId ?? (db ? FaceService.activePack(db) : undefined);
  const resolved = await resolvePack(packId, { verify: true });
  log(`hadir serve: starting the engine (pack ${resolved.pack.id})…`);
  // The site's liveness threshold is the engine's (it decides real/spoof in the workers).
  const livenessThreshold = opts.pool?.livenessThreshold ?? (db ? storedLivenessThreshold(db) : undefined);
  // The models load in a worker while this thread builds the services and routes; the server listens
  // once one worker is warm, the others joining behind it.
  const { pool, ready } = InferencePool.launch({
    paths: resolved,
    readyWhen: 'first',
    ...opts.pool,
    ...(livenessThreshold !== undefined ? { livenessThreshold } : {}),
  });
  // The store's services, one instance each, shared by every route (and by the kiosk's frames).
  const services = db
    ? openAppServices({
        db,
        engine: pool,
        pack: resolved.pack,
        api: {
          host: config.host,
          port: config.port,
          legacyRoutes: config.legacyRoutes,
          trustedProxies: config.trustedProxies,
          tls: tlsStatusOf(tls),
        },
      })
    : null;
  const identity = opts.identity !== undefined ? opts.identity : services ? services.faces : null;
  // First run: nobody may claim the new install over the network without the link printed below.
  const setupToken = services && services.operators.repo.countAdmins() === 0 ? new SetupToken() : null;
  const setupSecret = setupToken?.issue() ?? null;
  const hub = db
    ? new HubConnection({
        db,
        packId: resolved.pack.id,
        livenessAvailable: () => pool.status().livenessAvailable,
        log: (line) => log(`hadir serve: ${line}`),
      })
    : null;
  const deps: ServerDeps = {
    engine: pool,
    pack: resolved.pack,
    livenessThreshold,
    keys,
    identity,
    services,
    kiosk: services?.kiosk ?? null,
    mount: opts.mount,
    setupToken,
    hub,
  };
  try {
    const listening = await listenServer(deps, config, { tls, logger: opts.logger, beforeListen: () => ready });
    const status = pool.status();
    for (const w of status.warnings) log(`hadir serve: warning: ${w}`);
    const provider = status.provider
      ? `${status.provider.active}${status.provider.fallbackReason ? ' (fallback)' : ''}`
      : '?';
    out(
      `hadir serve: listening on ${listening.url} (pack ${resolved.pack.id}, ${provider}, ${status.workers} worker${status.workers === 1 ? '' : 's'})`,
    );
    if (tls) out(`hadir serve: TLS certificate SHA-256 fingerprint ${tls.fingerprint256} (${tls.certFile})`);
    if (listening.antispoofUrl) out(`hadir serve: old anti-spoofing routes also on ${listening.antispoofUrl}`);
    if (config.legacyRoutes) log('hadir serve: legacy routes are on (GET /, /api/v1/verify, …)');
    if (setupSecret) {
      out(
        `hadir serve: first run, no admin account yet: finish setup at ${listening.url}/app/?setup=${setupSecret} ` +
          '(valid until the first admin exists; or create one with `hadir operators add --role admin`)',
      );
    }
    let closing: Promise<void> | null = null;
    const running: RunningServer = {
      ...listening,
      pool,
      config,
      tls,
      hub,
      close: () =>
        (closing ??= (async () => {
          await hub?.stop();
          await listening.close();
          await pool.close();
        })()),
    };
    return running;
  } catch (e) {
    await pool.close({ graceMs: 0 });
    throw e;
  }
}

/** The listener(s) over deps whose engine is already started: what `startServer` and the app share. */
export interface ListeningServer {
  app: FastifyInstance;
  antispoofApp: FastifyInstance | null;
  /** e.g. http://127.0.0.1:5010 (https:// with TLS) */
  url: string;
  antispoofUrl: string | null;
  /** Stop listening and let in-flight requests finish; the engine is the caller's. */
  close(): Promise<void>;
}

/**
 * Build and listen the main server and, with the legacy routes and a second port, the old
 * anti-spoofing listener. That second listener stays plain HTTP with TLS on: its only client is the old
 * backend, which speaks HTTP to the old service's port. On failure (a busy port) nothing stays open.
 */
export async function listenServer(
  deps: ServerDeps,
  config: ServerConfig,
  opts: {
    tls?: TlsMaterial | null;
    logger?: CreateOptions['logger'];
    /** Awaited after the routes are built and before listening (the engine finishing its start). */
    beforeListen?: () => Promise<void>;
  } = {},
): Promise<ListeningServer> {
  let app: FastifyInstance | null = null;
  let antispoofApp: FastifyInstance | null = null;
  try {
    app = await createServer(deps, config, { logger: opts.logger, tls: opts.tls });
    await app.ready();
    await opts.beforeListen?.();
    await app.listen({ host: config.host, port: config.port });
    const url = formatAddress(config.host, (app.server.address() as AddressInfo).port, Boolean(opts.tls));
    let antispoofUrl: string | null = null;
    if (config.legacyRoutes && config.legacyAntispoofPort !== null) {
      antispoofApp = await createServer(deps, config, { surface: 'antispoof', logger: opts.logger });
      await antispoofApp.listen({ host: config.host, port: config.legacyAntispoofPort });
      antispoofUrl = formatAddress(config.host, (antispoofApp.server.address() as AddressInfo).port);
    }
    const main = app;
    const second = antispoofApp;
    let closing: Promise<void> | null = null;
    return {
      app: main,
      antispoofApp: second,
      url,
      antispoofUrl,
      close: () =>
        (closing ??= (async () => {
          await Promise.allSettled([main.close(), second?.close()]);
        })()),
    };
  } catch (e) {
    await Promise.allSettled([app?.close(), antispoofApp?.close()]);
    throw e;
  }
}
