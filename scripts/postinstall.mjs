#!/usr/bin/env node
// npm install's postinstall: compile the `hadir` command into out/cli/ (so it starts without
// transpiling), then try Electron's download (install-electron.mjs). Neither may fail the install:
// without the build `hadir` runs from the TypeScript sources, without Electron `npm start` serves the
// web kiosk.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = spawnSync(process.execPath, [path.join(here, 'build-cli.mjs'), '--quiet'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('hadir: the CLI was not compiled; `hadir` runs from the TypeScript sources (retry: npm run build:cli).');
}
await import('./install-electron.mjs');
