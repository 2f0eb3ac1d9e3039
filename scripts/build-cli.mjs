#!/usr/bin/env node
// Compiles the `hadir` command (CLI, headless server) and the inference worker from TypeScript into
// out/cli/ with esbuild, so that `hadir` starts without transpiling its sources on every run (tsx
// took about 0.4 s for `--help` and seconds for `serve`, each worker transpiling again).
//
//   node scripts/build-cli.mjs             build
//   node scripts/build-cli.mjs --if-stale  build only when a source changed since the last build
//   node scripts/build-cli.mjs --quiet     no line on success (npm install's postinstall)
//
// Every npm package stays external (resolved from node_modules at run time, as the electron-vite
// build does): the native ones (onnxruntime-node, sharp, better-sqlite3) must, and bundling the
// others would only duplicate them. Files are replaced one by one with a rename, chunks first and
// the entries last, and old chunks are kept for a while: a `hadir serve` started from the previous
// build still finds the chunks it loads lazily.
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildInfoFile, compiledDir, compiledState, repoRoot } from '../bin/compiled-cli.mjs';

const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
/** Chunks of earlier builds older than this are deleted. */
const KEEP_OLD_CHUNKS_MS = 24 * 3600_000;

if (args.has('--if-stale') && compiledState() === 'fresh') process.exit(0);

const t0 = performance.now();
const startedAtMs = Date.now();
const { build } = await import('esbuild');
const result = await build({
  absWorkingDir: repoRoot,
  entryPoints: {
    hadir: 'src/main/cli/index.ts',
    // Loaded by path by the worker pool (engine/worker-entry.ts looks for it beside the chunks' folder).
    'inference-worker': 'src/main/engine/worker.ts',
  },
  outdir: compiledDir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  // Commands are imported lazily by the dispatcher: each becomes its own chunk, so `hadir --help`
  // loads a few kilobytes and `hadir serve` never parses the hub's code.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.11',
  packages: 'external',
  sourcemap: 'linked',
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'silent',
}).catch((e) => {
  const first = e?.errors?.[0];
  const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
  console.error(`hadir: compiling the CLI failed: ${where}${first?.text ?? e?.message ?? e}`);
  process.exit(1);
});

mkdirSync(path.join(compiledDir, 'chunks'), { recursive: true });
const isEntry = (f) => path.dirname(f.path) === compiledDir && !f.path.endsWith('.map');
const writeAtomic = (file, contents) => {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
};
for (const f of result.outputFiles.filter((o) => !isEntry(o))) writeAtomic(f.path, f.contents);
for (const f of result.outputFiles.filter(isEntry)) writeAtomic(f.path, f.contents);

const inputs = Object.keys(result.metafile.inputs)
  .filter((p) => !p.includes('node_modules'))
  .sort();
writeAtomic(buildInfoFile, JSON.stringify({ startedAtMs, inputs }, null, 1) + '\n');

const current = new Set(result.outputFiles.map((o) => o.path));
const chunksDir = path.join(compiledDir, 'chunks');
for (const name of readdirSync(chunksDir)) {
  const file = path.join(chunksDir, name);
  if (current.has(file)) continue;
  try {
    if (Date.now() - statSync(file).mtimeMs > KEEP_OLD_CHUNKS_MS) unlinkSync(file);
  } catch {
    // another build removed it first
  }
}
if (!quiet) {
  const ms = Math.round(performance.now() - t0);
  console.log(
    `hadir: compiled the CLI into ${path.relative(repoRoot, compiledDir)}/ (${inputs.length} sources, ${ms} ms)`,
  );
}
