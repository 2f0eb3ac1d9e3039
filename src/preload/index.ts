/**
 * The only bridge into the page: `window.hadir`, one function per IPC channel (see
 * src/shared/ipc-channels.ts), each a plain `ipcRenderer.invoke`. Nothing else is exposed — not
 * ipcRenderer, not a generic `invoke(channel)` — so the page can reach exactly the contract's methods,
 * and main validates every payload anyway.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ContractMethod } from '../shared/contract';
import { IPC_CHANNELS, type HadirBridge } from '../shared/ipc-channels';

const bridge = Object.fromEntries(
  (Object.keys(IPC_CHANNELS) as ContractMethod[]).map((method) => {
    const channel = IPC_CHANNELS[method];
    return [method, (envelope: unknown) => ipcRenderer.invoke(channel, envelope)];
  }),
) as unknown as HadirBridge;

contextBridge.exposeInMainWorld('hadir', bridge);
