import { describe, expect, it } from 'vitest';
import { HadirError } from '../../shared/errors';
import { IPC_CHANNELS } from '../../shared/ipc-channels';
import {
  registerIpcHandlers,
  type CallContext,
  type ContractService,
  type InvokeEventLike,
  type IpcMainLike,
} from './ipc';
import { createUnwiredServices } from './unwired-services';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain(): IpcMainLike & { handlers: Map<string, Listener> } {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
}

const APP = 'file:///opt/hadir/resources/app.asar/out/renderer/index.html';
const event = (url: string | null = APP): InvokeEventLike => ({ sender: { id: 7 }, senderFrame: url ? { url } : null });

function setup(overrides: Partial<ContractService> = {}) {
  const ipcMain = fakeIpcMain();
  const errors: unknown[] = [];
  const services = { ...createUnwiredServices(), ...overrides };
  const unregister = registerIpcHandlers({
    ipcMain,
    services,
    isTrustedSender: (url) => url === APP,
    onUnexpectedError: (_m, e) => errors.push(e),
  });
  const call = (method: keyof typeof IPC_CHANNELS, envelope: unknown, ev = event()) =>
    ipcMain.handlers.get(IPC_CHANNELS[method])!(ev, envelope);
  return { ipcMain, call, errors, unregister };
}

describe('registerIpcHandlers', () => {
  it('registers one handler per channel and removes them all', () => {
    const { ipcMain, unregister } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('calls the service with the checked payload and the caller, and replies ok', async () => {
    let seen: [unknown, CallContext] | null = null;
    const { call } = setup({
      getPerson: (req, ctx) => {
        seen = [req, ctx];
        return { person: { id: req.id } } as never;
      },
    });
    expect(await call('getPerson', { token: 'tok', payload: { id: 3 } })).toEqual({
      ok: true,
      value: { person: { id: 3 } },
    });
    expect(seen).toEqual([{ id: 3 }, { transport: 'ipc', sessionToken: 'tok', clientId: 'ipc:7', local: true }]);
  });

  it('refuses a sender that is not the app’s page', async () => {
    const { call } = setup();
    expect(await call('getStatus', { token: null, payload: undefined }, event('https://evil.example/'))).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await call('getStatus', { token: null, payload: undefined }, event(null))).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('refuses a malformed payload before the service sees it', async () => {
    let called = false;
    const { call } = setup({
      deletePerson: () => {
        called = true;
        return null;
      },
    });
    const r = await call('deletePerson', { token: 't', payload: { id: 1, confirm: 'yes', eraseAttendance: false } });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(called).toBe(false);
    expect(await call('deletePerson', 'not an envelope')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('passes a service’s own error code through', async () => {
    const { call } = setup({
      listPeople: () => {
        throw new HadirError('UNAUTHORIZED', 'sign in first');
      },
    });
    expect(await call('listPeople', { token: null, payload: {} })).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'sign in first' },
    });
  });

  it('hides the message of an unexpected failure from the page, and reports it', async () => {
    const { call, errors } = setup({
      listUnits: () => {
        throw new Error('SQLITE_CORRUPT at /home/x/.config/Hadir/hadir.db');
      },
    });
    const r = await call('listUnits', { token: 't', payload: undefined });
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain('SQLITE');
    expect(errors).toHaveLength(1);
  });

  it('the unwired services report an engine that is not ready rather than failing', async () => {
    const { call } = setup();
    const r = (await call('getStatus', { token: null, payload: null })) as {
      ok: boolean;
      value: { engine: { ready: boolean } };
    };
    expect(r.ok).toBe(true);
    expect(r.value.engine.ready).toBe(false);
    expect(await call('listPeople', { token: null, payload: {} })).toMatchObject({
      ok: false,
      error: { code: 'SHUT_DOWN' },
    });
  });
});
