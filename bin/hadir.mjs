#!/usr/bin/env node
// The `hadir` command. Runs the compiled JavaScript in out/cli/ (scripts/build-cli.mjs, run by
// `npm install`) when it is current: start-up then costs Node's own and nothing more. When the
// sources changed since that build (development), or there is none, it runs the TypeScript sources
// through tsx, as the whole command did before; worker threads follow (engine/worker-entry.ts).
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import { compiledDir, compiledState } from './compiled-cli.mjs';

// Node 22.1+: keep V8's compiled code between runs (a no-op where unavailable).
module.enableCompileCache?.();

const state = compiledState();
let main;
if (state === 'fresh') {
  ({ main } = await import(pathToFileURL(`${compiledDir}/hadir.js`).href));
} else {
  // Said only to a person at a terminal: scripts and tests read stderr for the command's own messages.
  if (state === 'stale' && process.stderr.isTTY) {
    process.stderr.write('hadir: sources changed since the last build; running them through tsx (npm run build:cli)\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main/cli/index.ts'));
}
process.exitCode = await main(process.argv.slice(2));
