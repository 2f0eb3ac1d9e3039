/**
 * What the Electron main process starts behind the window, kept out of src/main/index.ts so the
 * Electron-only code stays a thin shell: the database, the engine (warm) and every service over them,
 * then the contract the IPC handlers serve, and the local HTTP API over the same services and engine
 * (one cooldown, one session store, one queue, whichever way a request comes in). Until the engine is ready — or when it cannot start (no
 * model pack installed) — the window is served a stand-in whose status says so, so the kiosk shows a
 * full-screen state instead of a blank screen.
 */
import { allowedHostNames, configFromEnv, type ServerConfig } from '../api/config';
import { isRendererBuild, rendererMount } from '../api/renderer-static';
import { checkBind, type ListeningServer, listenServer, type ServerDeps } from '../api/server';
import { resolveTls, type TlsMaterial, tlsStatusOf } from '../api/tls';
import { resolvePack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { FaceService } from '../services/face-service';
import { storedApiSettings, storedLivenessThreshold } from '../services/site-settings';
import { type Db, openDb } from '../store/db';
import { HubConnection } from '../sync/hub-connection';
import { createContractService } from './contract-service';
import type { ContractService } from './ipc';
import { createUnwiredServices } from './unwired-services';
import { userDataDir } from '../paths';

export interface StartedApp {
  services: AppServices;
  contract: ContractService;
  /** The local HTTP API: where it listens, or why it does not (the app works on without it). */
  api: { url: string | null; error: string | null };
  close(): Promise<void>;
}

export interface StartAppOptions {
  db?: Db;
  /** The built renderer, served under /app/ for a door tablet (web mode) when it is there. */
  rendererDir?: string;
  /** Where the API's start-up lines go (default: the console). */
  log?: (line: string) => void;
}

/**
 * The API's settings as `hadir serve` reads them without flags: the environment (HADIR_HOST, HADIR_PORT,
 * HADIR_TLS_*, …) over what an admin stored in the settings, over the defaults (127.0.0.1:5010).
 */
export function embeddedApiConfig(db: Db, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const config = configFromEnv(env);
  const stored = storedApiSettings(db);
  if (stored.host !== undefined && !env.HADIR_HOST) config.host = stored.host;
  if (stored.port !== undefined && !env.HADIR_PORT) config.port = stored.port;
  if (stored.legacyRoutes === true && env.HADIR_LEGACY_ROUTES === undefined) config.legacyRoutes = true;
  return config;
}

/** Open the store, start the engine on the site's pack, and build the services, the contract and the API. */
export async function startApp(opts: StartAppOptions = {}): Promise<StartedApp> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const db = opts.db ?? openDb();
  let pool: InferencePool | null = null;
  try {
    const resolved = await resolvePack(FaceService.activePack(db), { verify: true });
    const livenessThreshold = storedLivenessThreshold(db);
    pool = await InferencePool.start({
      paths: resolved,
      ...(livenessThreshold !== undefined ? { livenessThreshold } : {}),
    });
    // A bad API setting or certificate leaves the API off, never the kiosk.
    let config: ServerConfig | null = null;
    let tls: TlsMaterial | null = null;
    let apiError: string | null = null;
    try {
      config = embeddedApiConfig(db);
      tls = await resolveTls(config.tls, { dataDir: userDataDir(), names: [...allowedHostNames(config)] });
    } catch (e) {
      apiError = (e as Error).message;
    }
    const apiConfig = config ?? configFromEnv({});
    const services = openAppServices({
      db,
      engine: pool,
      pack: resolved.pack,
      api: {
        host: apiConfig.host,
        port: apiConfig.port,
        legacyRoutes: apiConfig.legacyRoutes,
        tls: tlsStatusOf(tls),
      },
    });
    // A kiosk joined to a hub keeps its replica and outbox in step while it runs; one joined from the
    // screens or the API starts syncing at once.
    const started = pool;
    const hub = new HubConnection({
      db,
      packId: resolved.pack.id,
      livenessAvailable: () => started.status().livenessAvailable,
      log: (line) => log(`[hadir] ${line}`),
    });
    let listening: ListeningServer | null = null;
    if (config && !apiError) {
      const mount = opts.rendererDir && isRendererBuild(opts.rendererDir) ? rendererMount(opts.rendererDir) : undefined;
      const deps: ServerDeps = {
        engine: pool,
        pack: resolved.pack,
        livenessThreshold,
        keys: services.keys,
        identity: services.faces,
        services,
        kiosk: services.kiosk,
        mount,
        hub,
      };
      try {
        await checkBind(config, services.keys);
        listening = await listenServer(deps, config, { tls });
      } catch (e) {
        // A busy port (another Hadir, the old Flask service) or a refused bind.
        apiError = (e as Error).message;
      }
    }
    if (listening) {
      log(`[hadir] API listening on ${listening.url}`);
      if (tls) log(`[hadir] TLS certificate SHA-256 fingerprint ${tls.fingerprint256}`);
      if (listening.antispoofUrl) log(`[hadir] old anti-spoofing routes also on ${listening.antispoofUrl}`);
    } else {
      log(`[hadir] the HTTP API is unavailable: ${apiError ?? 'not started'}`);
    }
    const server = listening;
    hub.start();
    return {
      services,
      contract: createContractService(services, hub),
      api: { url: server?.url ?? null, error: server ? null : apiError },
      close: async () => {
        // Sync first (its requests are abandoned, whatever it applied is whole), then the listener
        // (in-flight requests finish), then the engine they use, then the store.
        await hub.stop();
        await server?.close();
        await started.close();
        if (!opts.db && db.open) db.close();
      },
    };
  } catch (e) {
    await pool?.close({ graceMs: 0 });
    if (!opts.db && db.open) db.close();
    throw e;
  }
}

/**
 * A contract whose implementation is swapped once the app has started: the IPC handlers are
 * registered before the window loads, and answer from the stand-in until then.
 */
export function switchableContract(initial: ContractService): {
  contract: ContractService;
  use(next: ContractService): void;
} {
  let current = initial;
  const contract = new Proxy({} as ContractService, {
    get: (_target, method: string) => (current as Record<string, unknown>)[method],
  });
  return { contract, use: (next) => (current = next) };
}

/** The stand-in while the engine starts, or after it failed to (with the reason for the operator). */
export function waitingContract(failure: { state: 'no_models' | 'error'; message: string } | null): ContractService {
  return createUnwiredServices(
    failure
      ? { state: failure.state, message: failure.message }
      : { state: 'starting', message: 'The face engine is starting.' },
  );
}
