/**
 * What the preload script exposes to the page as `window.hadir`.
 * A placeholder: the IPC contract (channel names, payload schemas, Result replies) grows here.
 */
export interface HadirBridge {
  /** Product version of the running app. */
  readonly version: string;
}
