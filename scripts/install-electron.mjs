#!/usr/bin/env node
// Runs after `npm install` (the project's own postinstall). Electron's binary is a download from
// outside the npm registry, which offices' networks and servers often block, so its own install
// script is denied in package.json's allowScripts (a failure there would abort the whole install)
// and this one tries it instead, best-effort: on failure it says so in one line and exits 0, and
// `npm start` serves the web kiosk in a browser instead of opening the desktop window.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const TIMEOUT_MS = 60_000;

if (!existsSync(path.join(electronDir, 'install.js'))) process.exit(0); // installed without dev dependencies
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('hadir: Electron download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD); `npm start` serves the web kiosk.');
  process.exit(0);
}
if (electronInstalled()) process.exit(0);

const child = spawn(process.execPath, ['install.js'], { cwd: electronDir, stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
child.on('close', (code, signal) => {
  clearTimeout(timer);
  if (code === 0 && electronInstalled()) process.exit(0);
  const reason = signal ? `no answer within ${TIMEOUT_MS / 1000} s` : firstErrorLine(stderr);
  console.log(
    `hadir: Electron's binary could not be downloaded (${reason}); \`npm start\` will serve the web kiosk ` +
      'in a browser instead. Retry later with `npm run electron:install`.',
  );
  process.exit(0);
});

function electronInstalled() {
  try {
    const exe = readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    return existsSync(path.join(electronDir, 'dist', exe));
  } catch {
    return false;
  }
}

function firstErrorLine(text) {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error/i.test(l));
  return (line ?? text.trim().split('\n')[0] ?? 'unknown error').slice(0, 160) || 'unknown error';
}
