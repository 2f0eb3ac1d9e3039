import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths';

/**
 * Vitest global setup: bring the compiled `hadir` command (out/cli, scripts/build-cli.mjs) up to date
 * with the sources, so that the tests that run `bin/hadir.mjs` exercise the JavaScript users run,
 * not the tsx fallback. Nothing is done when it is current. A failed build is reported and the
 * command falls back to the sources (with its one-line note).
 */
export default function setup(): void {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build-cli.mjs'), '--if-stale', '--quiet'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) process.stderr.write(r.stderr || r.stdout || `build-cli exited ${r.status}\n`);
}
