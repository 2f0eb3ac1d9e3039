/**
 * The kiosk's behaviour around its window, as plain Node over structural stand-ins for Electron's
 * objects, so all of it is unit-tested without Electron (src/main/index.ts only wires it):
 *
 * - **Kiosk lock.** With kiosk mode on, the window is full screen with no menu, closing it and the
 *   shortcuts that would leave or reload it are refused. Only an operator's PIN opens it: the page's
 *   exit dialog signs in through the contract (`signIn`, checked by the operator service: throttled,
 *   backed off, audited), and a successful sign-in from the window unlocks it; signing out (or going
 *   back to the kiosk, which signs out in kiosk mode) locks it again. The page never decides.
 * - **Renderer recovery.** A renderer that crashes or is killed is reloaded, waiting longer after each
 *   crash that follows soon after the last one, so a page that dies at once cannot spin the CPU.
 * - **Presence.** Who is at the kiosk, from the frames' answers: the updater installs only when
 *   nobody has been for a while and no check-in is under way.
 * - **Start at login**: what to ask the OS for, per platform.
 */
import type { AppStatus, FrameResult, SignInOutcome } from '../../shared/contract';
import type { ContractService } from './ipc';

// ─── Kiosk lock ──────────────────────────────────────────────────────────────────────────────────────

/** The part of Electron's `Input` (before-input-event) read here. */
export interface KeyInput {
  type: string;
  key: string;
  control?: boolean;
  meta?: boolean;
  alt?: boolean;
  shift?: boolean;
}

/**
 * Keys that would close, reload, leave full screen or open the developer tools. Refused while the
 * kiosk is locked (the OS's own, such as Ctrl+Alt+Del, are out of the app's reach: see README).
 */
export function isKioskEscapeKey(input: KeyInput): boolean {
  if (input.type !== 'keyDown') return false;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const mod = Boolean(input.control || input.meta);
  if (key === 'F11' || key === 'F5' || key === 'F12') return true;
  if (input.alt && key === 'F4') return true;
  if (mod && ['w', 'q', 'r', 'n', 't', 'm', 'h'].includes(key)) return true;
  if (mod && input.shift && ['i', 'j', 'c'].includes(key)) return true;
  return false;
}

/** The window as the lock uses it (Electron's BrowserWindow fits). */
export interface KioskWindowLike {
  setKiosk(flag: boolean): void;
  setMenuBarVisibility(visible: boolean): void;
  setClosable?(closable: boolean): void;
  isDestroyed(): boolean;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  webContents: {
    on(event: 'before-input-event', listener: (event: { preventDefault(): void }, input: KeyInput) => void): unknown;
  };
}

export class KioskLock {
  private lockedNow = false;
  private quitting = false;

  constructor(
    private readonly win: KioskWindowLike,
    /** Whether the site runs in kiosk mode (setting `kiosk.fullScreen`), read at each change. */
    private readonly enabled: () => boolean,
  ) {
    win.on('close', (event) => {
      if (this.lockedNow && !this.quitting) event.preventDefault();
    });
    win.webContents.on('before-input-event', (event, input) => {
      if (this.lockedNow && isKioskEscapeKey(input)) event.preventDefault();
    });
  }

  get locked(): boolean {
    return this.lockedNow;
  }

  /** Full screen, no menu, no closing: when kiosk mode is on (else nothing changes). */
  lock(): void {
    if (!this.enabled() || this.win.isDestroyed()) return;
    this.lockedNow = true;
    this.win.setMenuBarVisibility(false);
    this.win.setKiosk(true);
    this.win.setClosable?.(false);
  }

  /** An operator proved who they are: a normal window until the kiosk is locked again. */
  unlock(): void {
    if (this.win.isDestroyed()) return;
    const was = this.lockedNow;
    this.lockedNow = false;
    if (!was) return;
    this.win.setKiosk(false);
    this.win.setClosable?.(true);
  }

  /** The app itself is quitting (an update, the OS shutting down): the window may close. */
  allowQuit(): void {
    this.quitting = true;
  }
}

// ─── Presence ────────────────────────────────────────────────────────────────────────────────────────

/** Who is at the kiosk, as the frames tell it; read by the updater. */
export class KioskPresence {
  private lastSeen: number;
  private checkInStarted = false;

  constructor(private readonly now: () => number = Date.now) {
    this.lastSeen = now();
  }

  /** A frame's answer: any face (or a check-in under way) means someone is there. */
  observe(result: FrameResult): void {
    const counting = Boolean(result.progress && result.progress.frames > 0);
    if (result.faces.length > 0 || counting || result.event) this.lastSeen = this.now();
    this.checkInStarted = counting && !result.event;
  }

  /** Someone used the window (an operator screen). */
  touch(): void {
    this.lastSeen = this.now();
  }

  /** Whether nobody has been at the kiosk for `minutes` and no check-in is half done. */
  idleFor(minutes: number): boolean {
    return !this.checkInStarted && this.now() - this.lastSeen >= minutes * 60_000;
  }
}

// ─── The contract as the window sees it ──────────────────────────────────────────────────────────────

export interface KioskShellHooks {
  lock: KioskLock | null;
  presence: KioskPresence;
  /** The updater's status, added to the window's status. */
  updates?: () => AppStatus['updates'];
  /** An admin changed the settings from the window (start at login applies at once). */
  settingsChanged?: () => void;
}

/**
 * The window's contract: the same services, plus what the shell must see. A sign-in that succeeds
 * unlocks the kiosk, a sign-out locks it; frames tell who is there; the status carries the updater's.
 */
export function kioskShellContract(inner: ContractService, hooks: KioskShellHooks): ContractService {
  return new Proxy(inner, {
    get(target, method: string) {
      const call = (target as Record<string, unknown>)[method] as (req: unknown, ctx: unknown) => unknown;
      switch (method) {
        case 'signIn':
          return async (req: unknown, ctx: unknown) => {
            const outcome = (await call(req, ctx)) as SignInOutcome;
            if (outcome.kind === 'signed_in') hooks.lock?.unlock();
            return outcome;
          };
        case 'signOut':
          return async (req: unknown, ctx: unknown) => {
            const r = await call(req, ctx);
            hooks.lock?.lock();
            return r;
          };
        case 'submitFrame':
          return async (req: unknown, ctx: unknown) => {
            const r = (await call(req, ctx)) as FrameResult;
            hooks.presence.observe(r);
            return r;
          };
        case 'updateSettings':
          return async (req: unknown, ctx: unknown) => {
            hooks.presence.touch();
            const r = await call(req, ctx);
            hooks.settingsChanged?.();
            return r;
          };
        case 'getStatus':
          return async (req: unknown, ctx: unknown) => {
            const status = (await call(req, ctx)) as AppStatus;
            const updates = hooks.updates?.();
            return updates ? { ...status, updates } : status;
          };
        default:
          if (typeof call !== 'function') return call;
          // Anything else is an operator at the window: someone is there.
          return (req: unknown, ctx: unknown) => {
            hooks.presence.touch();
            return call(req, ctx);
          };
      }
    },
  });
}

// ─── Renderer recovery ───────────────────────────────────────────────────────────────────────────────

export interface RecoveryPolicy {
  /** The first wait before a reload; doubled for each crash that follows within `stableMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A page that ran this long without crashing starts again from the first wait. */
  stableMs: number;
}

export const DEFAULT_RECOVERY: RecoveryPolicy = { firstDelayMs: 1000, maxDelayMs: 60_000, stableMs: 120_000 };

/** Electron's `render-process-gone` details. */
export interface GoneDetails {
  reason: string;
  exitCode?: number;
}

/**
 * Reloads a renderer that went away (`render-process-gone`), with back-off. A clean exit (the app
 * closing the window) is not a crash.
 */
export class RendererRecovery {
  private crashes = 0;
  private lastCrash = -Infinity;
  private pending: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly reload: () => void,
    private readonly opts: {
      policy?: RecoveryPolicy;
      now?: () => number;
      setTimer?: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
      clearTimer?: (t: ReturnType<typeof setTimeout>) => void;
      log?: (line: string) => void;
    } = {},
  ) {}

  /** Handles one `render-process-gone`; answers the wait before the reload (null: nothing to do). */
  gone(details: GoneDetails): number | null {
    if (details.reason === 'clean-exit') return null;
    const policy = this.opts.policy ?? DEFAULT_RECOVERY;
    const now = (this.opts.now ?? Date.now)();
    this.crashes = now - this.lastCrash > policy.stableMs ? 1 : this.crashes + 1;
    this.lastCrash = now;
    const wait = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (this.crashes - 1));
    this.opts.log?.(
      `[hadir] the kiosk page went away (${details.reason}${details.exitCode !== undefined ? `, exit ${details.exitCode}` : ''}); reloading in ${Math.round(wait / 1000)} s`,
    );
    if (this.pending) (this.opts.clearTimer ?? clearTimeout)(this.pending);
    this.pending = (this.opts.setTimer ?? setTimeout)(() => {
      this.pending = null;
      this.reload();
    }, wait);
    return wait;
  }

  dispose(): void {
    if (this.pending) (this.opts.clearTimer ?? clearTimeout)(this.pending);
    this.pending = null;
  }
}

// ─── Start at login ──────────────────────────────────────────────────────────────────────────────────

export type LoginItemPlan =
  /** Windows and macOS: Electron's `app.setLoginItemSettings`. */
  | { kind: 'electron'; settings: { openAtLogin: boolean; path?: string; args?: string[] } }
  /** Linux: an XDG autostart entry (Electron's login items do not exist there). */
  | { kind: 'xdg-autostart'; file: string; contents: string | null };

/**
 * What to ask the OS for so the app starts (or no longer starts) at login. `home` is the user's home
 * folder (Linux: the entry goes under ~/.config/autostart, or $XDG_CONFIG_HOME).
 */
export function loginItemPlan(
  platform: NodeJS.Platform,
  enabled: boolean,
  execPath: string,
  env: { home: string; xdgConfigHome?: string; appImage?: string },
): LoginItemPlan {
  if (platform === 'win32' || platform === 'darwin') {
    return {
      kind: 'electron',
      settings: { openAtLogin: enabled, ...(platform === 'win32' ? { path: execPath } : {}) },
    };
  }
  const dir = `${env.xdgConfigHome || `${env.home}/.config`}/autostart`;
  // An AppImage runs from a temporary mount: start the AppImage file itself.
  const exec = env.appImage || execPath;
  const quoted = /[\s"\\]/.test(exec) ? `"${exec.replace(/["\\]/g, '\\$&')}"` : exec;
  return {
    kind: 'xdg-autostart',
    file: `${dir}/hadir.desktop`,
    contents: enabled
      ? [
          '[Desktop Entry]',
          'Type=Application',
          'Name=Hadir',
          'Comment=Face-recognition attendance kiosk',
          `Exec=${quoted}`,
          'X-GNOME-Autostart-enabled=true',
          '',
        ].join('\n')
      : null,
  };
}
