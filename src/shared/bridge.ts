/** What the preload script exposes to the page as `window.hadir`: see `ipc-channels.ts`. */
export type { HadirBridge, IpcEnvelope } from './ipc-channels';
