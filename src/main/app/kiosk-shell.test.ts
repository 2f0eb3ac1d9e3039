import { describe, expect, it, vi } from 'vitest';
import type { FrameResult } from '../../shared/contract';
import type { ContractService } from './ipc';
import {
  isKioskEscapeKey,
  KioskLock,
  KioskPresence,
  kioskShellContract,
  type KeyInput,
  type KioskWindowLike,
  loginItemPlan,
  RendererRecovery,
} from './kiosk-shell';

function fakeWindow() {
  const listeners: {
    close?: (e: { preventDefault(): void }) => void;
    input?: (e: { preventDefault(): void }, i: KeyInput) => void;
  } = {};
  const win = {
    kiosk: false,
    menu: true,
    closable: true,
    setKiosk(flag: boolean) {
      this.kiosk = flag;
    },
    setMenuBarVisibility(v: boolean) {
      this.menu = v;
    },
    setClosable(c: boolean) {
      this.closable = c;
    },
    isDestroyed: () => false,
    on(_event: 'close', l: (e: { preventDefault(): void }) => void) {
      listeners.close = l;
    },
    webContents: {
      on(_event: 'before-input-event', l: (e: { preventDefault(): void }, i: KeyInput) => void) {
        listeners.input = l;
      },
    },
  };
  const tryClose = () => {
    let prevented = false;
    listeners.close!({ preventDefault: () => (prevented = true) });
    return !prevented;
  };
  const press = (input: Partial<KeyInput>) => {
    let prevented = false;
    listeners.input!({ preventDefault: () => (prevented = true) }, { type: 'keyDown', key: '', ...input });
    return !prevented;
  };
  return { win: win satisfies KioskWindowLike, tryClose, press };
}

describe('kiosk lock', () => {
  it('is full screen without a menu and cannot be closed or escaped until unlocked', () => {
    const { win, tryClose, press } = fakeWindow();
    const lock = new KioskLock(win, () => true);
    lock.lock();
    expect([win.kiosk, win.menu, win.closable]).toEqual([true, false, false]);
    expect(tryClose()).toBe(false);
    expect(press({ key: 'F4', alt: true })).toBe(false);
    expect(press({ key: 'w', control: true })).toBe(false);
    expect(press({ key: 'I', control: true, shift: true })).toBe(false);
    expect(press({ key: 'a' })).toBe(true); // typing in the PIN dialog still works
    lock.unlock();
    expect([win.kiosk, win.closable]).toEqual([false, true]);
    expect(tryClose()).toBe(true);
    expect(press({ key: 'F4', alt: true })).toBe(true);
  });

  it('does nothing when kiosk mode is off, and lets the app quit for an update', () => {
    const { win, tryClose } = fakeWindow();
    let on = false;
    const lock = new KioskLock(win, () => on);
    lock.lock();
    expect(win.kiosk).toBe(false);
    on = true;
    lock.lock();
    lock.allowQuit();
    expect(tryClose()).toBe(true);
  });

  it('knows the shortcuts that leave or reload the window', () => {
    const down = (key: string, mods: Partial<KeyInput> = {}) => isKioskEscapeKey({ type: 'keyDown', key, ...mods });
    expect(down('F11')).toBe(true);
    expect(down('r', { meta: true })).toBe(true);
    expect(down('R', { control: true })).toBe(true);
    expect(down('1')).toBe(false);
    expect(down('Enter')).toBe(false);
    expect(isKioskEscapeKey({ type: 'keyUp', key: 'F11' })).toBe(false);
  });
});

describe('the window contract', () => {
  const ctx = { transport: 'ipc' as const, sessionToken: null, clientId: 'ipc:1', local: true };

  function inner(outcome: 'signed_in' | 'invalid') {
    return {
      signIn: vi.fn(async () =>
        outcome === 'signed_in'
          ? { kind: 'signed_in', session: { token: 't' } }
          : { kind: 'invalid', attemptsLeft: null },
      ),
      signOut: vi.fn(() => null),
      submitFrame: vi.fn(
        async () => ({ frameWidth: 1, frameHeight: 1, faces: [{}], progress: null }) as unknown as FrameResult,
      ),
      getStatus: vi.fn(() => ({ version: 'x' })),
      listPeople: vi.fn(() => ({ items: [], total: 0 })),
    } as unknown as ContractService;
  }

  it('unlocks the kiosk only on a successful sign-in, and locks it again on sign-out', async () => {
    const { win } = fakeWindow();
    const lock = new KioskLock(win, () => true);
    lock.lock();
    const wrong = kioskShellContract(inner('invalid'), { lock, presence: new KioskPresence() });
    await wrong.signIn({ username: 'admin', secret: '000000' }, ctx);
    expect(lock.locked).toBe(true);
    const right = kioskShellContract(inner('signed_in'), { lock, presence: new KioskPresence() });
    await right.signIn({ username: 'admin', secret: '482913' }, ctx);
    expect(lock.locked).toBe(false);
    expect(win.kiosk).toBe(false);
    await right.signOut(undefined, ctx);
    expect(lock.locked).toBe(true);
  });

  it('adds the updater status and notices people at the kiosk', async () => {
    let now = 0;
    const presence = new KioskPresence(() => now);
    const c = kioskShellContract(inner('invalid'), {
      lock: null,
      presence,
      updates: () => ({ state: 'unavailable', version: null, message: 'm', lastCheckAt: null }),
    });
    expect(await c.getStatus(undefined, ctx)).toMatchObject({ version: 'x', updates: { state: 'unavailable' } });
    now = 10 * 60_000;
    expect(presence.idleFor(10)).toBe(true);
    await c.submitFrame({} as never, ctx);
    expect(presence.idleFor(10)).toBe(false);
    now = 20 * 60_000;
    expect(presence.idleFor(10)).toBe(true);
    await c.listPeople({}, ctx);
    expect(presence.idleFor(1)).toBe(false);
  });

  it('never counts a half-done check-in as idle', () => {
    let now = 0;
    const presence = new KioskPresence(() => now);
    presence.observe({ frameWidth: 1, frameHeight: 1, faces: [], progress: { frames: 2, required: 3 } });
    now = 60 * 60_000;
    expect(presence.idleFor(10)).toBe(false);
    presence.observe({ frameWidth: 1, frameHeight: 1, faces: [], progress: null });
    now += 11 * 60_000;
    expect(presence.idleFor(10)).toBe(true);
  });
});

describe('renderer recovery', () => {
  it('reloads a crashed page, waiting longer after quick repeats, and starts over once it is stable', () => {
    let now = 0;
    const timers: { fn: () => void; ms: number }[] = [];
    const reload = vi.fn();
    const r = new RendererRecovery(reload, {
      now: () => now,
      setTimer: (fn, ms) => {
        timers.push({ fn, ms });
        return timers.length as unknown as ReturnType<typeof setTimeout>;
      },
      clearTimer: () => undefined,
    });
    expect(r.gone({ reason: 'clean-exit' })).toBeNull();
    expect(r.gone({ reason: 'crashed', exitCode: 11 })).toBe(1000);
    timers.at(-1)!.fn();
    expect(reload).toHaveBeenCalledTimes(1);
    now += 5000;
    expect(r.gone({ reason: 'oom' })).toBe(2000);
    now += 5000;
    expect(r.gone({ reason: 'killed' })).toBe(4000);
    for (let i = 0; i < 10; i++) r.gone({ reason: 'crashed' });
    expect(r.gone({ reason: 'crashed' })).toBe(60_000);
    now += 10 * 60_000;
    expect(r.gone({ reason: 'crashed' })).toBe(1000);
  });
});

describe('start at login', () => {
  it('uses login items on Windows and macOS, an XDG autostart entry on Linux', () => {
    expect(loginItemPlan('win32', true, 'C:\\Program Files\\Hadir\\Hadir.exe', { home: 'C:\\Users\\k' })).toEqual({
      kind: 'electron',
      settings: { openAtLogin: true, path: 'C:\\Program Files\\Hadir\\Hadir.exe' },
    });
    expect(loginItemPlan('darwin', false, '/Applications/Hadir.app', { home: '/Users/k' })).toEqual({
      kind: 'electron',
      settings: { openAtLogin: false },
    });
    const linux = loginItemPlan('linux', true, '/opt/Hadir/hadir', {
      home: '/home/k',
      appImage: '/home/k/Hadir 1.AppImage',
    });
    expect(linux).toMatchObject({ kind: 'xdg-autostart', file: '/home/k/.config/autostart/hadir.desktop' });
    expect(linux.kind === 'xdg-autostart' && linux.contents).toContain('Exec="/home/k/Hadir 1.AppImage"');
    expect(loginItemPlan('linux', false, '/opt/Hadir/hadir', { home: '/home/k', xdgConfigHome: '/x' })).toEqual({
      kind: 'xdg-autostart',
      file: '/x/autostart/hadir.desktop',
      contents: null,
    });
  });
});
