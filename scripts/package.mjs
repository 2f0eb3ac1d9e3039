#!/usr/bin/env node
// `npm run package`: installers with electron-builder. The builder lives in packaging/ with its own
// lockfile because it needs Node 22.12+ (the app itself supports Node 20) and would otherwise warn on
// every install of the app. Steps: install the toolchain once, rebuild native modules for Electron's
// ABI, then build the installers described by electron-builder.yml.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `hadir: building installers needs Node 22.12 or newer (this is ${process.version}); Node 24 LTS is recommended.`,
  );
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const builder = path.join(root, 'packaging', 'node_modules', 'electron-builder', 'cli.js');

step(npm, ['ci', '--prefix', 'packaging', '--no-audit', '--no-fund'], !existsSync(builder));
step(process.execPath, [builder, 'install-app-deps']);
step(process.execPath, [builder, '--config', 'electron-builder.yml', ...process.argv.slice(2)]);

function step(cmd, args, when = true) {
  if (!when) return;
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
