#!/usr/bin/env node
// The `hadir` command. Runs the TypeScript sources through tsx so `npx hadir` works straight
// after `npm install`, without a build step. Worker threads get the same loader (see engine/worker-url).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
