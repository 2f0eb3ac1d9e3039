#!/usr/bin/env node
// npm install's postinstall: compile the `hadir` command into out/cli/ (so it starts without
// transpiling), build the hub's admin console into out/admin/ (what `hadir hub serve` shows under
// /admin/), then try Electron's download (install-electron.mjs). None may fail the install: without
// the CLI build `hadir` runs from the TypeScript sources, without the console the hub says how to build
// it, without Electron `npm start` serves the web kiosk.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = spawnSync(process.execPath, [path.join(here, 'build-cli.mjs'), '--quiet'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('hadir: the CLI was not compiled; `hadir` runs from the TypeScript sources (retry: npm run build:cli).');
}
const vite = path.join(here, '..', 'node_modules', 'vite', 'bin', 'vite.js');
if (existsSync(vite)) {
  const admin = spawnSync(process.execPath, [vite, 'build', '--config', 'vite.admin.config.ts', '--logLevel', 'warn'], {
    cwd: path.join(here, '..'),
    stdio: 'inherit',
  });
  if (admin.status !== 0) console.log('hadir: the hub console was not built (retry: npm run build:admin).');
}
await import('./install-electron.mjs');
