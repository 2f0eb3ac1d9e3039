import { describe, expect, it } from 'vitest';
import { loadElectronUpdater, UPDATER_MISSING, type UpdaterBackend, UpdateManager } from './updates';

function fakeBackend() {
  const handlers = new Map<string, (arg?: unknown) => void>();
  const calls: string[] = [];
  const backend: UpdaterBackend & { emit(event: string, arg?: unknown): void } = {
    autoDownload: false,
    autoInstallOnAppQuit: true,
    setFeedURL: (o) => calls.push(`feed ${o.provider} ${o.url}`),
    checkForUpdates: async () => calls.push('check'),
    quitAndInstall: (silent, run) => calls.push(`install ${silent} ${run}`),
    on: ((event: string, l: (arg?: unknown) => void) => handlers.set(event, l)) as UpdaterBackend['on'],
    emit: (event, arg) => handlers.get(event)?.(arg),
  };
  return { backend, calls };
}

describe('updates', () => {
  it('says plainly when electron-updater is not installed', async () => {
    const loaded = await loadElectronUpdater(() => Promise.reject(new Error("Cannot find package 'electron-updater'")));
    expect(loaded).toEqual({ backend: null, reason: UPDATER_MISSING });
    const m = new UpdateManager({
      backend: null,
      settings: () => ({ updateUrl: 'https://hub/updates', updateIdleMinutes: 10 }),
      idleFor: () => true,
    });
    expect(m.status()).toMatchObject({
      state: 'unavailable',
      message: 'updates unavailable: electron-updater not installed',
    });
    await m.check();
    expect(m.maybeInstall()).toBe(false);
  });

  it('finds autoUpdater in either module shape', async () => {
    const { backend } = fakeBackend();
    expect((await loadElectronUpdater(async () => ({ autoUpdater: backend }))).backend).toBe(backend);
    expect((await loadElectronUpdater(async () => ({ default: { autoUpdater: backend } }))).backend).toBe(backend);
  });

  it('checks the organisation’s URL and installs a verified download only when nobody is at the kiosk', async () => {
    const { backend, calls } = fakeBackend();
    let url: string | null = null;
    let idle = false;
    const m = new UpdateManager({
      backend,
      settings: () => ({ updateUrl: url, updateIdleMinutes: 15 }),
      idleFor: (minutes) => minutes === 15 && idle,
    });
    expect(backend.autoDownload).toBe(true);
    expect(backend.autoInstallOnAppQuit).toBe(false);
    expect(m.status().state).toBe('disabled');
    await m.check();
    expect(calls).toEqual([]);
    url = 'https://hub.example/updates/';
    await m.check();
    expect(calls).toEqual(['feed generic https://hub.example/updates/', 'check']);
    backend.emit('update-available', { version: '1.2.0' });
    expect(m.status()).toMatchObject({ state: 'downloading', version: '1.2.0' });
    expect(m.maybeInstall()).toBe(false); // not downloaded yet
    backend.emit('update-downloaded', { version: '1.2.0' });
    expect(m.maybeInstall()).toBe(false); // someone is at the kiosk
    idle = true;
    expect(m.maybeInstall()).toBe(true);
    expect(calls.at(-1)).toBe('install true true');
    expect(m.status().state).toBe('installing');
  });

  it('reports a failed verification and installs nothing', async () => {
    const { backend, calls } = fakeBackend();
    const m = new UpdateManager({
      backend,
      settings: () => ({ updateUrl: 'https://hub/u', updateIdleMinutes: 1 }),
      idleFor: () => true,
    });
    await m.check();
    backend.emit('error', new Error('sha512 checksum mismatch'));
    expect(m.status()).toMatchObject({ state: 'error', message: 'sha512 checksum mismatch' });
    expect(m.maybeInstall()).toBe(false);
    expect(calls.some((c) => c.startsWith('install'))).toBe(false);
  });
});
