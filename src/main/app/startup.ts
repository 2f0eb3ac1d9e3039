/**
 * What the Electron main process starts behind the window, kept out of src/main/index.ts so the
 * Electron-only code stays a thin shell: the database, the engine (warm) and every service over them,
 * then the contract the IPC handlers serve. Until the engine is ready — or when it cannot start (no
 * model pack installed) — the window is served a stand-in whose status says so, so the kiosk shows a
 * full-screen state instead of a blank screen.
 */
import { configFromEnv } from '../api/config';
import { resolvePack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { FaceService } from '../services/face-service';
import { storedLivenessThreshold } from '../services/site-settings';
import { type Db, openDb } from '../store/db';
import { createContractService } from './contract-service';
import type { ContractService } from './ipc';
import { createUnwiredServices } from './unwired-services';

export interface StartedApp {
  services: AppServices;
  contract: ContractService;
  close(): Promise<void>;
}

/** Open the store, start the engine on the site's pack, and build the services and the contract. */
export async function startApp(opts: { db?: Db } = {}): Promise<StartedApp> {
  const db = opts.db ?? openDb();
  let pool: InferencePool | null = null;
  try {
    const resolved = await resolvePack(FaceService.activePack(db), { verify: true });
    const livenessThreshold = storedLivenessThreshold(db);
    pool = await InferencePool.start({
      paths: resolved,
      ...(livenessThreshold !== undefined ? { livenessThreshold } : {}),
    });
    const api = configFromEnv();
    const services = openAppServices({
      db,
      engine: pool,
      pack: resolved.pack,
      api: { host: api.host, port: api.port, legacyRoutes: api.legacyRoutes },
      livenessThreshold,
    });
    const started = pool;
    return {
      services,
      contract: createContractService(services),
      close: async () => {
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
