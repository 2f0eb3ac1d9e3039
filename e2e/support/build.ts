/** Makes sure `out/` is built from the current sources (electron-vite build, once per run). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const rendererOut = path.join(repoRoot, 'out', 'renderer');

const LOCK = path.join(repoRoot, 'out', '.e2e-build.lock');
const STALE_LOCK_MS = 10 * 60_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (!entry.name.includes('.test.')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  const outputs = ['renderer/index.html', 'main/index.js', 'preload/index.cjs'].map((f) =>
    path.join(repoRoot, 'out', f),
  );
  if (!outputs.every(existsSync)) return false;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const sources = Math.max(
    ...['renderer', 'shared', 'preload', 'main'].map((d) => newestMtime(path.join(repoRoot, 'src', d))),
  );
  return built >= sources;
}

/**
 * Builds when an output is missing or older than its sources. Test files run in parallel processes,
 * so the build is serialised with a lock folder, and whoever waited looks again before building.
 */
export async function ensureBuilt(): Promise<void> {
  if (upToDate()) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS)
        rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for ${LOCK}`);
      await sleep(250);
    }
  }
  try {
    if (upToDate()) return;
    const started = Date.now();
    const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
    console.log(`[e2e] built the app in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export const adminOut = path.join(repoRoot, 'out', 'admin');
const ADMIN_LOCK = path.join(repoRoot, 'out', '.e2e-admin-build.lock');

/** Whether out/admin is newer than everything the console is built from. */
function adminUpToDate(): boolean {
  const index = path.join(adminOut, 'index.html');
  if (!existsSync(index)) return false;
  const sources = Math.max(
    ...['src/admin', 'src/shared', 'src/renderer/src/lib'].map((d) => newestMtime(path.join(repoRoot, d))),
    statSync(path.join(repoRoot, 'vite.admin.config.ts')).mtimeMs,
  );
  return statSync(index).mtimeMs >= sources;
}

/**
 * The hub's admin console built into out/admin (`npm run build:admin`) when missing or older than its
 * sources; serialised across test processes with a lock folder, like {@link ensureBuilt}.
 */
export async function ensureAdminBuilt(): Promise<void> {
  if (adminUpToDate()) return;
  mkdirSync(path.dirname(ADMIN_LOCK), { recursive: true });
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(ADMIN_LOCK);
      break;
    } catch {
      if (existsSync(ADMIN_LOCK) && Date.now() - statSync(ADMIN_LOCK).mtimeMs > STALE_LOCK_MS)
        rmSync(ADMIN_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for ${ADMIN_LOCK}`);
      await sleep(250);
    }
  }
  try {
    if (adminUpToDate()) return;
    const started = Date.now();
    // NODE_ENV=production: under vitest it is "test", and Vite would build React's development build.
    const r = spawnSync('npm', ['run', 'build:admin'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (r.status !== 0) throw new Error(`npm run build:admin failed:\n${r.stdout}\n${r.stderr}`);
    console.log(`[e2e] built the admin console in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(ADMIN_LOCK, { recursive: true, force: true });
  }
}
