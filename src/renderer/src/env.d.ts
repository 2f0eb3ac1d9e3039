/// <reference types="vite/client" />
import type { HadirBridge } from '../../shared/bridge';

declare global {
  interface Window {
    /** Exposed by src/preload; missing when the page is served to a plain browser. */
    readonly hadir?: HadirBridge;
  }
}
