// Where the compiled `hadir` command lives (scripts/build-cli.mjs writes it) and whether it is still
// current. Kept free of dependencies: the command reads it on every start.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const compiledDir = path.join(repoRoot, 'out', 'cli');
export const buildInfoFile = path.join(compiledDir, 'build-info.json');

/**
 * 'fresh' when out/cli holds a build and none of the sources it was built from changed since it
 * started; 'stale' when one did; 'missing' when there is no build (a checkout before `npm install`).
 */
export function compiledState() {
  let info;
  try {
    info = JSON.parse(readFileSync(buildInfoFile, 'utf8'));
  } catch {
    return 'missing';
  }
  if (!Array.isArray(info.inputs) || typeof info.startedAtMs !== 'number') return 'missing';
  for (const rel of info.inputs) {
    let st;
    try {
      st = statSync(path.join(repoRoot, rel));
    } catch {
      return 'stale'; // a source file went away: the build no longer matches the tree
    }
    if (st.mtimeMs > info.startedAtMs) return 'stale';
  }
  return 'fresh';
}
