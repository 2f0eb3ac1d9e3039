/**
 * Every IPC handler of the app, registered in one place. Each channel of `IPC_CHANNELS` gets one
 * handler that (1) refuses senders other than the app's own page, (2) validates the envelope and the
 * payload against the contract (`REQUEST_VALIDATORS`), (3) calls the service method with the checked
 * request and a call context, and (4) replies `Result<T>`, so errors survive the trip with their code.
 *
 * The handlers hold no logic: they delegate to a {@link ContractService}, the same shape the HTTP
 * routes serve, so the kiosk window and a tablet in web mode can never get different answers.
 */
import type { ContractMethod, ContractRequest, ContractResponse } from '../../shared/contract';
import { validateIpcEnvelope } from '../../shared/contract-validation';
import { isHadirError, type ErrorInfo, type Result } from '../../shared/errors';
import { IPC_CHANNELS } from '../../shared/ipc-channels';

/** Who is calling, as the transport knows it. Services authorise from this, never from the payload. */
export interface CallContext {
  transport: 'ipc' | 'http';
  /** The operator session token the page presented (looked up by the service), or null. */
  sessionToken: string | null;
  /** A stable id of the client: `ipc:<webContents id>`, or the HTTP peer. */
  clientId: string;
  /** Whether the caller runs on this machine (always true for IPC). */
  local: boolean;
}

/**
 * What the IPC layer needs from the services: one method per contract method, taking the validated
 * request and the caller, returning the value or throwing a {@link HadirError}.
 */
export type ContractService = {
  [M in ContractMethod]: (
    req: ContractRequest<M>,
    ctx: CallContext,
  ) => Promise<ContractResponse<M>> | ContractResponse<M>;
};

/** The part of an `IpcMainInvokeEvent` the handlers read (kept structural so tests need no Electron). */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame?: { url: string } | null;
}

/** The part of Electron's `ipcMain` used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcRegistration {
  ipcMain: IpcMainLike;
  services: ContractService;
  /** Whether a call comes from the app's own page (checked on every call: frames can navigate). */
  isTrustedSender: (url: string) => boolean;
  /** Told about every failure that is not a plain refusal (unexpected exceptions); defaults to console.error. */
  onUnexpectedError?: (method: ContractMethod, error: unknown) => void;
}

/** Registers a handler on every channel; returns a function that removes them all. */
export function registerIpcHandlers(reg: IpcRegistration): () => void {
  const report = reg.onUnexpectedError ?? ((method, error) => console.error(`[ipc] ${method} failed:`, error));
  const methods = Object.keys(IPC_CHANNELS) as ContractMethod[];
  for (const method of methods) {
    reg.ipcMain.handle(IPC_CHANNELS[method], (event, envelope) => handle(reg, report, method, event, envelope));
  }
  return () => {
    for (const method of methods) reg.ipcMain.removeHandler(IPC_CHANNELS[method]);
  };
}

async function handle<M extends ContractMethod>(
  reg: IpcRegistration,
  report: (method: ContractMethod, error: unknown) => void,
  method: M,
  event: InvokeEventLike,
  envelope: unknown,
): Promise<Result<ContractResponse<M>>> {
  const url = event.senderFrame?.url;
  if (!url || !reg.isTrustedSender(url)) {
    return failure({ code: 'FORBIDDEN', message: 'IPC is only for the app’s own page' });
  }
  let checked: { token: string | null; payload: ContractRequest<M> };
  try {
    checked = validateIpcEnvelope(method, envelope);
  } catch (e) {
    return failure(isHadirError(e) ? e.toInfo() : { code: 'BAD_REQUEST', message: 'malformed request' });
  }
  const ctx: CallContext = {
    transport: 'ipc',
    sessionToken: checked.token,
    clientId: `ipc:${event.sender.id}`,
    local: true,
  };
  try {
    const call = reg.services[method] as (req: ContractRequest<M>, ctx: CallContext) => unknown;
    const value = (await call(checked.payload, ctx)) as ContractResponse<M>;
    return { ok: true, value };
  } catch (e) {
    if (isHadirError(e) && e.code !== 'INTERNAL') return failure(e.toInfo());
    report(method, e);
    // An unexpected failure's message may carry paths or SQL: the page gets only the code.
    return failure({ code: 'INTERNAL', message: 'internal error (see the app log)' });
  }
}

function failure(error: ErrorInfo): { ok: false; error: ErrorInfo } {
  return { ok: false, error };
}
