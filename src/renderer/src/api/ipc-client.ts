/**
 * The contract over Electron IPC: each method is the preload's `window.hadir[method]` with the session
 * token attached (but not to the kiosk's own calls: see {@link carriesSession}).
 */
import type { ContractMethod, ContractRequest, HadirApi } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { IPC_CHANNELS, type HadirBridge } from '../../../shared/ipc-channels';
import { carriesSession } from './session-scope';

export function createIpcClient(bridge: HadirBridge, getToken: () => string | null): HadirApi {
  const call = async (method: ContractMethod, payload: unknown): Promise<Result<unknown>> => {
    const invoke = bridge[method] as (envelope: { token: string | null; payload: unknown }) => Promise<Result<unknown>>;
    try {
      return await invoke({ token: carriesSession(method) ? getToken() : null, payload });
    } catch (e) {
      // invoke itself failed (no handler, or a value that cannot be cloned): still a Result.
      return { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
    }
  };
  return Object.fromEntries(
    (Object.keys(IPC_CHANNELS) as ContractMethod[]).map((method) => [
      method,
      (req: ContractRequest<typeof method>) => call(method, req),
    ]),
  ) as unknown as HadirApi;
}
