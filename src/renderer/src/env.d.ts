/// <reference types="vite/client" />
import type { HadirBridge } from '../../shared/ipc-channels';

declare global {
  interface Window {
    /** Exposed by src/preload (one function per IPC channel); missing when the page is served to a plain browser. */
    readonly hadir?: HadirBridge;
  }
}
