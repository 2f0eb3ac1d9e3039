import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import { type ErrorInfo, HadirError } from '../../shared/errors';
import {
  allowedHostNames,
  formatAddress,
  hostHeaderName,
  JSON_BODY_LIMIT_BYTES,
  parsePort,
  type RateLimitSettings,
} from '../api/config';
import { classifyError, httpStatusOf } from '../api/http-errors';
import { RateLimiter } from '../api/rate-limit';
import { DEFAULT_SCRYPT, type ScryptParams } from '../services/secret-hash';
import { type BackoffPolicy, DEFAULT_BACKOFF, SignInBackoff } from '../services/sign-in-backoff';
import { systemClock } from '../services/clock';
import { stopConsoleImports } from './console-import';
import { acceptZipBodies, consoleImportRoutes } from './console-import-routes';
import { consoleRoutes } from './console-routes';
import { adminConsoleMount } from './console-static';
import type { HubFaceOptions, RunningFace } from './face-server';
import { ChangeNotifier, type ChangeNotifierOptions } from './notifier';
import { type HubContext, reasonOf, retryAfterOf, serverTime } from './http';

export type { HubFaceOptions, RunningFace } from './face-server';
import { orgRoutes } from './org-routes';
import { type HubRoute, hubRoutes } from './sync-routes';
import type { Keyring } from '../store/data-cipher';
import { hubKeyring } from '../store/data-key-file';
import { openHubDataKey, sealPlaintextTemplates } from './store/data-key';
import { openHubPool } from './store/db';
import { type HubMeta, readHubMeta } from './store/meta';
import { runHubMigrations } from './store/migrate';

export const DEFAULT_HUB_PORT = 5020;
export const DEFAULT_HUB_HOST = '127.0.0.1';

export interface HubServerConfig {
  host: string;
  port: number;
  /** Names besides loopback and the bind host that the Host header may carry (the name kiosks use). */
  allowedHosts: string[];
  /** Pairing attempts per client address: guessing codes must be slow. */
  joinRateLimit: RateLimitSettings;
  /** Console sign-ins per client address, whatever the name: each costs a slow hash. */
  signInRateLimit: RateLimitSettings;
  /** Growing waits after failed console sign-ins per (username, client address), as on the kiosk. */
  signInBackoff: BackoffPolicy;
  /** The cost a console sign-in checks secrets at (a weaker stored hash is redone at sign-in); tests lower it. */
  scrypt: ScryptParams;
}

export function defaultHubConfig(): HubServerConfig {
  return {
    host: DEFAULT_HUB_HOST,
    port: DEFAULT_HUB_PORT,
    allowedHosts: [],
    // 10 at once, then one every 6 s: a kiosk joins once; a guesser gets ~150 tries per code lifetime.
    joinRateLimit: { perSecond: 1 / 6, burst: 10 },
    // 20 at once, then one a second: an office signing in together passes; spraying names does not.
    signInRateLimit: { perSecond: 1, burst: 20 },
    signInBackoff: DEFAULT_BACKOFF,
    scrypt: DEFAULT_SCRYPT,
  };
}

/** HADIR_HUB_HOST, HADIR_HUB_PORT, HADIR_HUB_ALLOWED_HOSTS (comma-separated) over the defaults. */
export function hubConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HubServerConfig {
  const c = defaultHubConfig();
  if (env.HADIR_HUB_HOST) c.host = env.HADIR_HUB_HOST;
  if (env.HADIR_HUB_PORT) c.port = parsePort(env.HADIR_HUB_PORT, 'HADIR_HUB_PORT');
  if (env.HADIR_HUB_ALLOWED_HOSTS) c.allowedHosts.push(...env.HADIR_HUB_ALLOWED_HOSTS.split(',').filter(Boolean));
  return c;
}

/**
 * The sync routes for kiosks and the hub's own API, in a scope of their own: their error body (with
 * `server_time` and `reason`) and request-id header apply to them only, so the face API mounted beside
 * them (face-api.ts) keeps the kiosk server's.
 */
export async function registerHubRoutes(app: FastifyInstance, ctx: HubContext): Promise<void> {
  // The admin console's page (its API is among the routes below).
  adminConsoleMount(ctx.adminDir)(app);
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      void reply.header('x-request-id', req.id);
    });
    scope.setErrorHandler((err, req, reply) => {
      const info: ErrorInfo & { reason?: string } = classifyError(err);
      if (info.code === 'INTERNAL') process.stderr.write(`hadir hub: internal error (${req.id}): ${errText(err)}\n`);
      const reason = err && typeof err === 'object' ? reasonOf.get(err) : undefined;
      if (reason) info.reason = reason;
      const retry = err && typeof err === 'object' ? retryAfterOf.get(err) : undefined;
      if (retry) void reply.header('retry-after', String(retry));
      return reply.code(httpStatusOf(info.code)).send({ error: info, request_id: req.id, server_time: serverTime() });
    });
    for (const r of [...hubRoutes, ...orgRoutes, ...consoleRoutes]) mountRoute(scope, ctx, r);
    // The console's zip upload in a scope of its own: no other route takes a zip body.
    await scope.register(async (zipScope) => {
      acceptZipBodies(zipScope);
      for (const r of consoleImportRoutes) mountRoute(zipScope, ctx, r);
    });
  });
}

function mountRoute(scope: FastifyInstance, ctx: HubContext, r: HubRoute): void {
  scope.route({
    method: r.method,
    url: r.url,
    schema: r.schema,
    onRequest: r.guard ? async (req: FastifyRequest) => r.guard!(ctx, req) : undefined,
    handler: (req: FastifyRequest, reply: FastifyReply) => r.handler(ctx, req, reply),
  });
}

/** The hub's HTTP server without the face API (not listening): the sync routes and the hub's own API. */
export async function createHubServer(ctx: HubContext, config: HubServerConfig): Promise<FastifyInstance> {
  const hosts = allowedHostNames({ host: config.host, allowedHosts: config.allowedHosts });
  const app = Fastify({
    logger: false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // Long-polls hold requests up to 30 s; a slow body still has a deadline.
    requestTimeout: 60_000,
    trustProxy: false,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
  });
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    // Against DNS rebinding, as the local API does: only names this hub answers for.
    const host = hostHeaderName(req.headers.host);
    if (host === null || !hosts.has(host)) {
      throw new HadirError('MISDIRECTED_REQUEST', 'this server does not answer for that Host name');
    }
  });
  app.setErrorHandler((err, req, reply) => {
    const info = classifyError(err);
    return reply.code(httpStatusOf(info.code)).send({ error: info, request_id: req.id, server_time: serverTime() });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` },
      request_id: req.id,
      server_time: serverTime(),
    }),
  );

  await registerHubRoutes(app, ctx);
  return app;
}

function errText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

export interface RunningHub {
  url: string;
  /** The face API's parts, when it is served (`face` given to {@link startHub}). */
  face: RunningFace | null;
  app: FastifyInstance;
  pool: pg.Pool;
  notifier: ChangeNotifier;
  meta: HubMeta;
  /** Stop taking requests, answer the waiting long-polls, close the connections. */
  close(): Promise<void>;
}

export interface StartHubOptions {
  databaseUrl: string;
  config?: Partial<HubServerConfig>;
  notifier?: ChangeNotifierOptions;
  /** Pool size (default 10). */
  poolMax?: number;
  /** Serve the face API (`hadir hub serve` does): an inference engine and the organisation's gallery. */
  face?: HubFaceOptions;
  /**
   * The data key face templates are sealed with (default: `hubKeyring(process.env)`, from
   * HADIR_HUB_DATA_KEY or HADIR_HUB_DATA_KEY_FILE; never from PostgreSQL).
   */
  keyring?: Keyring;
  /**
   * The built admin console served under /admin/ (`hadir hub serve`: out/admin, or HADIR_ADMIN_DIR);
   * absent or not built: /admin/ says how to build it.
   */
  adminDir?: string | null;
}

/**
 * Migrate, check the data key against the database and seal templates still plaintext, then listen:
 * what `hadir hub serve` runs. Without a data key, or with the wrong one, it throws a DataKeyError
 * (`hadir` exits 3) before serving anything.
 */
export async function startHub(opts: StartHubOptions): Promise<RunningHub> {
  const config = { ...defaultHubConfig(), ...opts.config };
  const keyring = opts.keyring ?? hubKeyring(process.env);
  const pool = openHubPool(opts.databaseUrl, { max: opts.poolMax });
  let notifier: ChangeNotifier | null = null;
  let app: FastifyInstance | null = null;
  let face: RunningFace | null = null;
  try {
    await runHubMigrations(pool);
    await openHubDataKey(pool, keyring);
    await sealPlaintextTemplates(pool);
    const meta = await readHubMeta(pool);
    notifier = new ChangeNotifier(opts.databaseUrl, opts.notifier);
    await notifier.start();
    const ctx: HubContext = {
      pool,
      notifier,
      meta,
      joinLimiter: new RateLimiter(config.joinRateLimit),
      signInLimiter: new RateLimiter(config.signInRateLimit),
      signInBackoff: new SignInBackoff(config.signInBackoff, systemClock),
      scrypt: config.scrypt,
      adminDir: opts.adminDir ?? null,
    };
    let url: string;
    if (opts.face) {
      // Loaded only here: the engine and the kiosk's API modules stay off the path of a hub without them.
      const { startFace } = await import('./face-server');
      face = await startFace(ctx, config, opts.face, (a) => registerHubRoutes(a, ctx));
      app = face.app;
      url = face.url;
    } else {
      app = await createHubServer(ctx, config);
      await app.listen({ host: config.host, port: config.port }).catch((e: Error) => {
        throw new HadirError('INTERNAL', `cannot listen on ${config.host}:${config.port}: ${e.message}`, { cause: e });
      });
      url = formatAddress(config.host, (app.server.address() as AddressInfo).port);
    }
    const listening = app;
    const n = notifier;
    const f = face;
    let closing: Promise<void> | null = null;
    return {
      url,
      face: f,
      app: listening,
      pool,
      notifier: n,
      meta,
      close: () =>
        (closing ??= (async () => {
          // Console imports stop after the person in hand and delete their photos while the database is there.
          await stopConsoleImports(ctx);
          // Then the waiters: a long-poll answers at once with what it has, so closing does not wait 30 s.
          await n.close();
          if (f) await f.close();
          else await listening.close();
          await pool.end();
        })()),
    };
  } catch (e) {
    await notifier?.close();
    if (face) await face.close().catch(() => {});
    else await app?.close().catch(() => {});
    await pool.end().catch(() => {});
    throw e;
  }
}
