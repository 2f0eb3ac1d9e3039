/**
 * Electron entry point: one kiosk window over the renderer, locked down, and the IPC handlers
 * (src/main/app/ipc.ts) over the app's services (src/main/app/startup.ts: the database, the engine and
 * every service, the same ones `hadir serve` runs, and the local HTTP API over them). The handlers
 * answer from a stand-in while the engine starts, so the window shows "starting" (or why it cannot)
 * rather than nothing.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, powerSaveBlocker, session } from 'electron';
import { registerIpcHandlers } from './app/ipc';
import { KioskLock, KioskPresence, kioskShellContract, loginItemPlan, RendererRecovery } from './app/kiosk-shell';
import { permissionAllowed } from './app/permissions';
import { type StartedApp, startApp, switchableContract, waitingContract } from './app/startup';
import { loadElectronUpdater, UpdateManager } from './app/updates';
import { userDataDir } from './paths';

const PRELOAD = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const RENDERER_HTML = new URL('../renderer/index.html', import.meta.url);
/** The same renderer build, served by the local API under /app/ for a door tablet. */
const RENDERER_DIR = fileURLToPath(new URL('../renderer', import.meta.url));
/** Set by `electron-vite dev` to the renderer's dev server. */
const DEV_SERVER_URL = process.env['ELECTRON_RENDERER_URL'];

/** Whether `url` is the app's own page (the dev server, or the built index.html). */
function isAppUrl(url: string): boolean {
  try {
    const target = new URL(url);
    if (DEV_SERVER_URL) return target.origin === new URL(DEV_SERVER_URL).origin;
    return target.protocol === 'file:' && target.pathname === RENDERER_HTML.pathname;
  } catch {
    return false;
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Hadir',
    autoHideMenuBar: true,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      // The kiosk's confirmation chime plays without anyone touching the screen first.
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  win.once('ready-to-show', () => win.show());
  if (DEV_SERVER_URL) void win.loadURL(DEV_SERVER_URL);
  else void win.loadFile(fileURLToPath(RENDERER_HTML));
  return win;
}

// The page is the only content: no navigation away from it, no new windows, no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

/** The started services (null until the engine is ready). */
let running: StartedApp | null = null;

/** Start (or stop starting) at login, as the setting says: Electron's login items, or XDG autostart. */
function applyLoginItem(enabled: boolean): void {
  const plan = loginItemPlan(process.platform, enabled, process.execPath, {
    home: app.getPath('home'),
    xdgConfigHome: process.env.XDG_CONFIG_HOME,
    appImage: process.env.APPIMAGE,
  });
  try {
    if (plan.kind === 'electron') app.setLoginItemSettings(plan.settings);
    else if (plan.contents) {
      mkdirSync(dirname(plan.file), { recursive: true });
      writeFileSync(plan.file, plan.contents);
    } else rmSync(plan.file, { force: true });
  } catch (e) {
    console.error('[hadir] could not change the start-at-login entry:', e);
  }
}

// One data folder for the app, the CLI and the headless server (and HADIR_DATA_DIR moves all three).
app.setPath('userData', userDataDir());

if (!app.requestSingleInstanceLock()) {
  // A second kiosk would fight the first for the camera.
  app.quit();
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  void app.whenReady().then(() => {
    // The kiosk needs the camera, for its own page, and nothing else (permissions.ts).
    session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
      const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
      callback(permissionAllowed(permission, details.requestingUrl ?? contents.getURL(), isAppUrl, mediaTypes));
    });
    session.defaultSession.setPermissionCheckHandler((contents, permission, _origin, details) => {
      const media = details.mediaType && details.mediaType !== 'unknown' ? [details.mediaType] : undefined;
      return permissionAllowed(permission, contents?.getURL() ?? details.requestingUrl, isAppUrl, media);
    });
    const contract = switchableContract(waitingContract(null));
    const win = createWindow();
    const kioskSettings = () => running?.services.settings.kiosk() ?? null;
    const lock = new KioskLock(win, () => kioskSettings()?.fullScreen === true);
    app.on('before-quit', () => lock.allowQuit());
    const presence = new KioskPresence();
    let updates: UpdateManager | null = null;
    registerIpcHandlers({
      ipcMain,
      services: kioskShellContract(contract.contract, {
        lock,
        presence,
        updates: () => updates?.status(),
        // Kiosk mode itself takes effect at the next sign-out (the admin is at the settings now).
        settingsChanged: () => {
          const kiosk = kioskSettings();
          if (kiosk && app.isPackaged) applyLoginItem(kiosk.startAtLogin);
        },
      }),
      isTrustedSender: isAppUrl,
    });
    // The kiosk's screen never sleeps: a sleeping kiosk misses people, and its clock jumps (README).
    const awake = powerSaveBlocker.start('prevent-display-sleep');
    app.on('will-quit', () => powerSaveBlocker.stop(awake));
    // A crashed or killed page comes back by itself, waiting longer after each quick repeat.
    const recovery = new RendererRecovery(() => win.isDestroyed() || win.webContents.reload(), {
      log: (line) => console.error(line),
    });
    win.webContents.on('render-process-gone', (_event, details) => void recovery.gone(details));
    void startApp({ rendererDir: RENDERER_DIR }).then(
      async (started) => {
        running = started;
        contract.use(started.contract);
        const kiosk = started.services.settings.kiosk();
        if (kiosk.fullScreen) {
          Menu.setApplicationMenu(null);
          lock.lock();
        }
        if (app.isPackaged) applyLoginItem(kiosk.startAtLogin);
        const loaded = await loadElectronUpdater();
        updates = new UpdateManager({
          backend: loaded.backend,
          unavailableReason: loaded.backend ? undefined : loaded.reason,
          settings: () => started.services.settings.kiosk(),
          idleFor: (minutes) => presence.idleFor(minutes),
          beforeInstall: () => lock.allowQuit(),
          log: (line) => console.log(line),
        });
        if (app.isPackaged) updates.start();
      },
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        console.error('[hadir] the services did not start:', e);
        const noModels = /MODEL_MISSING|no model|not installed|PACK_UNKNOWN/i.test(
          `${(e as { code?: string }).code ?? ''} ${message}`,
        );
        contract.use(waitingContract({ state: noModels ? 'no_models' : 'error', message }));
      },
    );
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => app.quit());

  // Let in-flight analyses finish and close the database before the process ends.
  let stopping = false;
  app.on('will-quit', (event) => {
    if (!running || stopping) return;
    stopping = true;
    event.preventDefault();
    void running.close().finally(() => app.quit());
  });
}
