import './setup-env';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../src/main/testing/paths';
import { argValue, percentile, table } from './stats';

/**
 * Start-up benchmark of the `hadir` command as users run it (a fresh `node bin/hadir.mjs` each time):
 * `hadir --help` to exit, and `hadir serve` from spawn to the first 200 of /api/v1/health (the engine
 * is warm by then: the server listens only after every worker has loaded and warmed up its models).
 * `--runs N` (default 10 for --help, N/2 for serve), `--json FILE`.
 */
const runs = Number(argValue('--runs') ?? 10);
const bin = path.join(repoRoot, 'bin/hadir.mjs');

function helpOnce(): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, '--help'], { cwd: repoRoot, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`hadir --help exited ${r.status}`);
  return performance.now() - t;
}

/** CPU time (user + system, all threads) a process has used so far, ms; Linux only (NaN elsewhere). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return NaN;
  }
}

async function serveOnce(): Promise<{ listenMs: number; healthMs: number; cpuMs: number }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-startup-'));
  const t = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, HADIR_DATA_DIR: dataDir, HADIR_RENDERER_DIR: path.join(dataDir, 'none') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => reject(new Error(`hadir serve exited ${code}: ${err}`)));
    });
    const listenMs = performance.now() - t;
    for (;;) {
      const res = await fetch(`${url}/api/v1/health`).catch(() => null);
      if (res?.ok) {
        await res.arrayBuffer();
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return { listenMs, healthMs: performance.now() - t, cpuMs: cpuMsOf(child.pid!) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

helpOnce(); // warm the file cache (and a compile cache, if any)
const help: number[] = [];
for (let i = 0; i < runs; i++) help.push(helpOnce());
await serveOnce();
const listen: number[] = [];
const health: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < Math.max(1, Math.ceil(runs / 2)); i++) {
  const r = await serveOnce();
  listen.push(r.listenMs);
  health.push(r.healthMs);
  cpu.push(r.cpuMs);
}

const row = (name: string, xs: number[]) => [name, percentile(xs, 50), Math.min(...xs), Math.max(...xs), xs.length];
console.log(
  table(
    ['ms', 'p50', 'min', 'max', 'runs'],
    [
      row('hadir --help', help),
      row('serve: listening', listen),
      row('serve: health 200', health),
      row('serve: CPU ms to health', cpu),
    ],
  ),
);
const json = argValue('--json');
if (json) {
  writeFileSync(
    json,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        cpus: os.cpus().length,
        node: process.version,
        helpMs: { p50: percentile(help, 50), min: Math.min(...help), max: Math.max(...help) },
        serveListenMs: { p50: percentile(listen, 50) },
        serveHealthMs: { p50: percentile(health, 50), min: Math.min(...health), max: Math.max(...health) },
        serveCpuMs: { p50: percentile(cpu, 50) },
        loadAverage: os.loadavg()[0],
      },
      null,
      2,
    ) + '\n',
  );
}
