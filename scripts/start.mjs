#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed; otherwise one line saying so and
// the headless server with the web kiosk, opened in the default browser where there is a desktop.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const electronVite = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');

const electron = electronBinary();
if (electron.ok) {
  run(process.execPath, [electronVite, 'preview', ...process.argv.slice(2)]);
} else {
  console.log(`hadir: ${electron.why}, so this starts the headless server with the web kiosk instead.`);
  if (webKioskStale()) {
    // The web kiosk is the renderer's production build: build it when missing or older than its sources.
    const built = spawnSync(process.execPath, [electronVite, 'build', '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const server = run(process.execPath, [path.join(root, 'bin', 'hadir.mjs'), 'serve', ...process.argv.slice(2)], {
    onLine: (line) => {
      const m = /web kiosk at (\S+)/.exec(line);
      if (m && process.env.HADIR_NO_BROWSER === undefined && !process.env.CI) openBrowser(m[1]);
    },
  });
  void server;
}

function webKioskStale() {
  const built = path.join(root, 'out', 'renderer', 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? newer(p) : statSync(p).mtimeMs > builtAt;
    });
  return newer(path.join(root, 'src', 'renderer')) || newer(path.join(root, 'src', 'shared'));
}

function electronBinary() {
  if (!existsSync(path.join(electronDir, 'package.json'))) {
    return { ok: false, why: 'Electron is not installed (npm install --omit=dev)' };
  }
  try {
    const exe = readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    if (existsSync(path.join(electronDir, 'dist', exe))) return { ok: true };
  } catch {
    // no path.txt: the binary was never downloaded
  }
  return { ok: false, why: "Electron's desktop binary is not installed (it could not be downloaded)" };
}

/** Runs a child with our stdio; forwards its exit status and our signals. */
function run(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['inherit', opts.onLine ? 'pipe' : 'inherit', 'inherit'] });
  if (opts.onLine) {
    let buf = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        opts.onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

/** Best-effort: a server or a terminal without a desktop simply has no browser to open. */
function openBrowser(url) {
  const hasDesktop =
    process.platform === 'win32' ||
    process.platform === 'darwin' ||
    Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!hasDesktop) return;
  const [cmd, args] =
    process.platform === 'win32'
      ? ['cmd', ['/c', 'start', '""', url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // nothing to open it with: the URL is printed above
  }
}
