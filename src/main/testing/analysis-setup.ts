import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { facesDir, haveSharedData, repoRoot } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** JSON-lines output of `hadir analyze --json` over the shared test photos, or '' when unavailable. */
    analysisJsonl: string;
  }
}

/**
 * Vitest global setup: run the model-heavy analysis of every test photo once per test run, through
 * the real CLI, and hand the JSON-lines file to every test that needs it.
 * HADIR_TEST_REUSE_ANALYSIS=1 reuses the previous run's file (local iteration only).
 */
/** Test files that read the shared analysis. */
const CONSUMERS = ['src/main/engine/pipeline.parity.test.ts'];

/** False when vitest was given file filters that select none of the consumers (a focused local run). */
function analysisWanted(): boolean {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === 'run' || a === 'watch');
  const filters = (i >= 0 ? args.slice(i + 1) : args).filter((a) => !a.startsWith('-') && !a.includes('vitest'));
  return filters.length === 0 || CONSUMERS.some((c) => filters.some((f) => c.includes(f)));
}

export default async function setup(project: TestProject): Promise<void> {
  if (!haveSharedData() || !analysisWanted()) {
    project.provide('analysisJsonl', '');
    return;
  }
  const dir = path.join(repoRoot, '.cache');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, 'testdata-analysis.jsonl');
  if (process.env.HADIR_TEST_REUSE_ANALYSIS === '1' && existsSync(out)) {
    project.provide('analysisJsonl', out);
    return;
  }
  // Written aside and renamed, so a concurrent run never reads a half-written file.
  const tmp = `${out}.${process.pid}.tmp`;
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), 'analyze', '--json', facesDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(tmp);
  const written = new Promise<void>((resolve, reject) => {
    file.on('close', resolve);
    file.on('error', reject);
  });
  child.stdout.pipe(file);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-10_000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  await written;
  // Exit code 1 is expected: the test photos include files no decoder can read.
  if (code !== 0 && code !== 1) throw new Error(`hadir analyze exited with ${code}: ${stderr.slice(-2000)}`);
  renameSync(tmp, out);
  console.log(`[setup] analysed the test photos in ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}`);
  project.provide('analysisJsonl', out);
}
