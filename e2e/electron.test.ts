/**
 * The desktop app itself through playwright's `_electron`: the window opens on the built app, the
 * page sees exactly the contract's bridge (and no Node), and IPC answers with validated Results.
 * Runs only where an Electron binary is installed; CI installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1,
 * so there it is skipped with the reason printed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../src/shared/ipc-channels';
import { screenshot, testPhoto } from './support/artifacts';
import { ensureBuilt, repoRoot } from './support/build';
import { buildFakeCameras, type FakeCameras } from './support/camera';
import { which } from './support/tools';

function electronBinary(): { path: string } | { skip: string } {
  try {
    // The `electron` package exports the binary's path, and throws when the binary was never downloaded.
    const binary = createRequire(import.meta.url)('electron') as unknown;
    if (typeof binary !== 'string' || !existsSync(binary))
      return { skip: `Electron binary missing at ${String(binary)}` };
    return { path: binary };
  } catch (e) {
    return { skip: `no Electron binary installed (${(e as Error).message.split('\n')[0]})` };
  }
}

const electron = electronBinary();
const skipReason =
  'skip' in electron
    ? `electron e2e skipped: ${electron.skip}`
    : which('ffmpeg')
      ? null
      : 'electron e2e skipped: ffmpeg not installed';
if (skipReason) console.log(skipReason);

interface BridgeWindow {
  hadir?: Record<string, (envelope: unknown) => Promise<unknown>>;
  require?: unknown;
  process?: unknown;
}

describe.skipIf(skipReason !== null)('the Electron app', () => {
  let app: ElectronApplication | null = null;
  let cameras: FakeCameras | null = null;
  let dataDir: string | null = null;

  afterAll(async () => {
    await app?.close();
    cameras?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens the kiosk window with only the contract bridge, and IPC replies Results', async () => {
    await ensureBuilt();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-electron-data-'));
    cameras = await buildFakeCameras({ genuine: testPhoto('f4455149f488.jpeg') });
    const headless = process.platform === 'linux' && !process.env.DISPLAY ? ['--ozone-platform=headless'] : [];
    app = await _electron.launch({
      executablePath: (electron as { path: string }).path,
      args: [
        repoRoot,
        ...headless,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${cameras.files.genuine}`,
      ],
      env: { ...process.env, HADIR_DATA_DIR: dataDir } as Record<string, string>,
      timeout: 60_000,
    });
    const page = await app.firstWindow();
    // Never a blank window: the kiosk, or a full-screen state while the services are not wired in.
    await page.waitForSelector('[data-testid="kiosk"], [data-testid="state-engine"], [data-testid="setup-wizard"]', {
      timeout: 60_000,
    });
    await screenshot(page, 'electron-first-window');

    const exposed = await page.evaluate(() => {
      const w = globalThis as unknown as BridgeWindow;
      return { bridge: Object.keys(w.hadir ?? {}).sort(), require: typeof w.require, process: typeof w.process };
    });
    expect(exposed.bridge).toEqual(Object.keys(IPC_CHANNELS).sort());
    expect(exposed.require).toBe('undefined'); // no Node in the page
    expect(exposed.process).toBe('undefined');

    const status = await page.evaluate(() =>
      (globalThis as unknown as BridgeWindow).hadir!.getStatus({ token: null, payload: undefined }),
    );
    expect(status).toMatchObject({ ok: true, value: { engine: {} } });
    const refused = await page.evaluate(() =>
      (globalThis as unknown as BridgeWindow).hadir!.deletePerson({
        token: null,
        payload: { id: 1, confirm: false, eraseAttendance: false },
      }),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
