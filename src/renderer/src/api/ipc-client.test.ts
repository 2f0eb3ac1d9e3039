import { describe, expect, it } from 'vitest';
import type { HadirBridge } from '../../../shared/ipc-channels';
import { IPC_CHANNELS } from '../../../shared/ipc-channels';
import { createIpcClient } from './ipc-client';

describe('createIpcClient', () => {
  it('wraps each call in an envelope with the current token', async () => {
    const calls: unknown[] = [];
    const bridge = Object.fromEntries(
      Object.keys(IPC_CHANNELS).map((m) => [
        m,
        async (envelope: unknown) => (calls.push([m, envelope]), { ok: true, value: m }),
      ]),
    ) as unknown as HadirBridge;
    let token: string | null = 'tok';
    const client = createIpcClient(bridge, () => token);
    expect(await client.getPerson({ id: 5 })).toEqual({ ok: true, value: 'getPerson' });
    token = null;
    await client.getStatus();
    expect(calls).toEqual([
      ['getPerson', { token: 'tok', payload: { id: 5 } }],
      ['getStatus', { token: null, payload: undefined }],
    ]);
  });

  it('attaches no token to the kiosk frame and status calls', async () => {
    const calls: unknown[] = [];
    const bridge = Object.fromEntries(
      Object.keys(IPC_CHANNELS).map((m) => [
        m,
        async (envelope: unknown) => (calls.push([m, envelope]), { ok: true, value: m }),
      ]),
    ) as unknown as HadirBridge;
    const client = createIpcClient(bridge, () => 'tok');
    const frame = { kioskId: 'k1', jpeg: new ArrayBuffer(2), width: 2, height: 2, mirrored: false as const };
    await client.submitFrame(frame);
    await client.getStatus();
    await client.listUnits();
    expect(calls).toEqual([
      ['submitFrame', { token: null, payload: frame }],
      ['getStatus', { token: null, payload: undefined }],
      ['listUnits', { token: 'tok', payload: undefined }],
    ]);
  });

  it('turns a failed invoke into a Result', async () => {
    const bridge = Object.fromEntries(
      Object.keys(IPC_CHANNELS).map((m) => [
        m,
        async () => {
          throw new Error('No handler registered');
        },
      ]),
    ) as unknown as HadirBridge;
    const r = await createIpcClient(bridge, () => null).getStatus();
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'No handler registered' } });
  });
});
