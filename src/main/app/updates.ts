/**
 * Updates for the desktop app: from a folder the organisation names (setting `kiosk.updateUrl`, e.g.
 * served by its hub), downloaded in the background, verified by electron-updater (the SHA-512 of every
 * file in `latest.yml`, and on Windows the installer's Authenticode signature against the installed
 * app's publisher), and installed only when nobody is at the kiosk: idle for `updateIdleMinutes` and
 * no check-in half done — never in the middle of someone's check-in.
 *
 * electron-updater is loaded lazily and optionally: a build without it reports "updates unavailable:
 * electron-updater not installed" and the kiosk runs on. Everything here is plain Node over a small
 * {@link UpdaterBackend}, so it is tested with a stand-in.
 */
import type { UpdateStatus } from '../../shared/contract';

/** The part of electron-updater's `autoUpdater` used here. */
export interface UpdaterBackend {
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'update-not-available', listener: () => void): unknown;
}

export const UPDATER_MISSING = 'updates unavailable: electron-updater not installed';

/** The package, named in a variable so the bundler and the type checker leave the optional import alone. */
const UPDATER_PACKAGE = 'electron-updater';

/** electron-updater's `autoUpdater`, or null (with why) when the package is not installed. */
export async function loadElectronUpdater(
  importer: (name: string) => Promise<unknown> = (name) => import(/* @vite-ignore */ name),
): Promise<{ backend: UpdaterBackend } | { backend: null; reason: string }> {
  try {
    const mod = (await importer(UPDATER_PACKAGE)) as {
      autoUpdater?: UpdaterBackend;
      default?: { autoUpdater?: UpdaterBackend };
    };
    const backend = mod.autoUpdater ?? mod.default?.autoUpdater;
    return backend ? { backend } : { backend: null, reason: `${UPDATER_MISSING} (no autoUpdater export)` };
  } catch {
    return { backend: null, reason: UPDATER_MISSING };
  }
}

export interface UpdateSettings {
  updateUrl: string | null;
  updateIdleMinutes: number;
}

export interface UpdateManagerOptions {
  backend: UpdaterBackend | null;
  /** Why there is no backend (shown as the status). */
  unavailableReason?: string;
  settings: () => UpdateSettings;
  /** Whether nobody has been at the kiosk for that many minutes (KioskPresence.idleFor). */
  idleFor: (minutes: number) => boolean;
  /** Called right before installing, so the window lets the app quit. */
  beforeInstall?: () => void;
  now?: () => Date;
  log?: (line: string) => void;
}

export class UpdateManager {
  private state: UpdateStatus;
  private feed: string | null = null;

  constructor(private readonly opts: UpdateManagerOptions) {
    this.state = {
      state: opts.backend ? 'idle' : 'unavailable',
      version: null,
      message: opts.backend ? null : (opts.unavailableReason ?? UPDATER_MISSING),
      lastCheckAt: null,
    };
    const b = opts.backend;
    if (!b) return;
    // Download in the background, but install only at a moment this class chooses.
    b.autoDownload = true;
    b.autoInstallOnAppQuit = false;
    b.on('update-available', (info) => this.set({ state: 'downloading', version: info.version, message: null }));
    b.on('update-not-available', () => this.set({ state: 'idle', message: null }));
    b.on('update-downloaded', (info) => {
      this.set({ state: 'ready', version: info.version, message: null });
      this.opts.log?.(`[hadir] update ${info.version} downloaded and verified; installing when nobody is at the kiosk`);
    });
    b.on('error', (e) => {
      // A failed download or a signature/checksum mismatch: nothing is installed.
      this.set({ state: 'error', message: e.message });
      this.opts.log?.(`[hadir] update failed: ${e.message}`);
    });
  }

  status(): UpdateStatus {
    if (this.state.state !== 'unavailable' && !this.opts.settings().updateUrl) {
      return { ...this.state, state: 'disabled', message: null };
    }
    return { ...this.state };
  }

  /** Look for an update at the organisation's URL (nothing when none is set or the updater is missing). */
  async check(): Promise<void> {
    const b = this.opts.backend;
    const url = this.opts.settings().updateUrl;
    if (!b || !url || this.state.state === 'ready' || this.state.state === 'installing') return;
    if (url !== this.feed) {
      b.setFeedURL({ provider: 'generic', url });
      this.feed = url;
    }
    this.set({ state: 'checking', message: null, lastCheckAt: (this.opts.now?.() ?? new Date()).toISOString() });
    try {
      await b.checkForUpdates();
    } catch (e) {
      this.set({ state: 'error', message: (e as Error).message });
    }
  }

  /**
   * Install a downloaded update if nobody is at the kiosk; answers whether it did. Called on a timer:
   * a busy kiosk waits for a quiet moment (lunch, the evening).
   */
  maybeInstall(): boolean {
    const b = this.opts.backend;
    if (!b || this.state.state !== 'ready') return false;
    if (!this.opts.idleFor(this.opts.settings().updateIdleMinutes)) return false;
    this.set({ state: 'installing' });
    this.opts.log?.(`[hadir] installing update ${this.state.version ?? ''} (nobody at the kiosk)`);
    this.opts.beforeInstall?.();
    // Silent, and the app starts again afterwards: the kiosk is back without anyone touching it.
    b.quitAndInstall(true, true);
    return true;
  }

  /** Check every `checkMs`, try to install every `installMs`; answers a function that stops both. */
  start(checkMs = 6 * 3600_000, installMs = 60_000): () => void {
    if (!this.opts.backend) {
      this.opts.log?.(`[hadir] ${this.state.message ?? UPDATER_MISSING}`);
      return () => undefined;
    }
    void this.check();
    const checking = setInterval(() => void this.check(), checkMs);
    const installing = setInterval(() => this.maybeInstall(), installMs);
    checking.unref?.();
    installing.unref?.();
    return () => {
      clearInterval(checking);
      clearInterval(installing);
    };
  }

  private set(patch: Partial<UpdateStatus>): void {
    this.state = { ...this.state, ...patch };
  }
}
