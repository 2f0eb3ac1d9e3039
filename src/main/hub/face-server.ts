import type { FastifyInstance } from 'fastify';
import { allowedHostNames, defaultServerConfig, type ServerConfig } from '../api/config';
import { Metrics } from '../api/metrics';
import { checkBind, listenServer, type ServerDeps } from '../api/server';
import { resolveTls } from '../api/tls';
import type { ModelPack } from '../engine/manifest';
import { resolvePack } from '../engine/model-files';
import { InferencePool, type PoolOptions } from '../engine/pool';
import { userDataDir } from '../paths';
import { poolAnalyzer } from '../services/analyzer';
import type { SettingsSource } from '../services/thresholds';
import { hubFaceRouteTable, hubKeyVerifier, hubMetrics, hubSettingsFromEnv } from './face-api';
import { HubGallery } from './gallery';
import type { HubContext } from './http';
import type { HubServerConfig } from './server';

function errText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

export interface HubFaceOptions {
  /** The face API's settings shared with `hadir serve` (legacy routes, uploads folder, TLS, limits…); host and port are the hub's. */
  server?: Partial<ServerConfig>;
  /** Model pack id (default: the manifest's default). */
  packId?: string;
  pool?: Omit<PoolOptions, 'paths'>;
  /** Identification settings (default: HADIR_HUB_IDENTIFY_MARGIN, HADIR_HUB_TARGET_FPIR, HADIR_HUB_MATCH_THRESHOLD). */
  settings?: SettingsSource;
  /** Gallery load page size (default 5000). */
  pageSize?: number;
  /** Where a self-signed certificate is kept (default: the user data folder). */
  dataDir?: string;
  /** fastify's logger (pino: JSON lines with the request id), or false. */
  logger?: boolean | Record<string, unknown>;
  /** The hub's clock for phone check-ins (tests). */
  now?: () => Date;
}

export interface RunningFace {
  app: FastifyInstance;
  url: string;
  antispoofUrl: string | null;
  engine: InferencePool;
  gallery: HubGallery;
  metrics: Metrics;
  pack: ModelPack;
  close(): Promise<void>;
}

/** The engine (warm), the gallery (loading in the background) and the face API's listener(s). */
export async function startFace(
  ctx: HubContext,
  hub: HubServerConfig,
  opts: HubFaceOptions,
  mountHubRoutes: (app: FastifyInstance) => Promise<void>,
): Promise<RunningFace> {
  const config: ServerConfig = {
    ...defaultServerConfig(),
    ...opts.server,
    host: hub.host,
    port: hub.port,
    allowedHosts: [...(opts.server?.allowedHosts ?? []), ...hub.allowedHosts],
  };
  const keys = hubKeyVerifier(ctx.pool);
  await checkBind(config, keys);
  const tls = await resolveTls(config.tls, {
    dataDir: opts.dataDir ?? userDataDir(),
    names: [config.host, ...allowedHostNames(config)],
  });
  if (tls?.selfSigned) ctx.pinFingerprint = tls.fingerprint256;
  const resolved = await resolvePack(opts.packId, { verify: true });
  const gallery = new HubGallery(
    ctx.pool,
    ctx.notifier,
    resolved.pack,
    opts.settings ?? hubSettingsFromEnv(process.env, resolved.pack.id),
    {
      pageSize: opts.pageSize,
      onError: (e) => process.stderr.write(`hadir hub: gallery: ${errText(e)}\n`),
    },
  );
  // The gallery loads from PostgreSQL while the engine's workers load and warm up: start-up is the
  // longer of the two, not their sum.
  gallery.start();
  ctx.gallery = gallery;
  let engine: InferencePool;
  try {
    engine = await InferencePool.start({ paths: resolved, ...opts.pool });
  } catch (e) {
    await gallery.close();
    throw e;
  }
  ctx.faceAnalyzer = poolAnalyzer(engine, resolved.pack);
  const metrics = new Metrics();
  hubMetrics(metrics, ctx.pool, gallery);
  const deps: ServerDeps = {
    engine,
    pack: resolved.pack,
    livenessThreshold: opts.pool?.livenessThreshold,
    keys,
    identity: gallery.identity(),
    services: null,
    kiosk: null,
    routes: hubFaceRouteTable(ctx.pool, resolved.pack, opts.now),
    metrics,
    mount: mountHubRoutes,
  };
  try {
    const listening = await listenServer(deps, config, { tls, logger: opts.logger });
    return {
      app: listening.app,
      url: listening.url,
      antispoofUrl: listening.antispoofUrl,
      engine,
      gallery,
      metrics,
      pack: resolved.pack,
      close: async () => {
        await listening.close();
        await gallery.close();
        await engine.close();
      },
    };
  } catch (e) {
    await gallery.close();
    await engine.close({ graceMs: 0 });
    throw e;
  }
}
