import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpuDevicePresent } from '../engine/provider-order';
import { facesDir, repoRoot } from '../testing/paths';

/**
 * `hadir serve` as a user runs it: a child process on a free port, the seed's curl commands as
 * written, and a graceful stop on SIGTERM. One engine: the child's.
 */

const run = promisify(execFile);
/** Whether this machine plausibly has a GPU (where it has, `--provider webgpu` may start). */
const gpuHere = gpuDevicePresent(process.platform, (dir) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
});
const bin = path.join(repoRoot, 'bin', 'hadir.mjs');
let dataDir: string;
let child: ChildProcess | null = null;
let stdout = '';
let stderr = '';
let port = 0;
let antispoofPort = 0;
let curl = true;

function waitFor(re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${re}; stdout: ${stdout}; stderr: ${stderr}`)),
      ms,
    );
    const check = () => {
      const m = re.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child!.stdout!.on('data', check);
    child!.on('exit', (code) => reject(new Error(`hadir serve exited with ${code}: ${stderr}`)));
    check();
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-serve-'));
  curl = await run('curl', ['--version']).then(
    () => true,
    () => false,
  );
  child = spawn(process.execPath, [bin, 'serve', '--legacy', '--legacy-antispoof-port', '0', '--workers', '1'], {
    cwd: repoRoot,
    env: { ...process.env, HADIR_DATA_DIR: dataDir, HADIR_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  port = Number((await waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 120_000))[1]);
  antispoofPort = Number((await waitFor(/anti-spoofing routes also on http:\/\/127\.0\.0\.1:(\d+)/, 5000))[1]);
});

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('hadir serve', () => {
  it('prints the address once, after the engine is ready', () => {
    expect(stdout.match(/listening on/g)).toHaveLength(1);
    expect(port).toBeGreaterThan(0);
    expect(antispoofPort).toBeGreaterThan(0);
    expect(antispoofPort).not.toBe(port);
  });

  it('curl -X POST http://localhost:PORT/api/v1/health', async ({ skip }) => {
    if (!curl) skip('curl is not installed');
    const { stdout: out } = await run('curl', ['-s', '-X', 'POST', `http://localhost:${port}/api/v1/health`]);
    expect(JSON.parse(out)).toMatchObject({ status: 'ok', ready: true, gallery_size: 0 });
  });

  it('curl -X POST -F "image=@…" http://localhost:PORT/api/v1/recognition', async ({ skip }) => {
    if (!curl) skip('curl is not installed');
    const file = path.join(facesDir, '0c5e25d359f6.jpg');
    const { stdout: out } = await run('curl', [
      '-s',
      '-X',
      'POST',
      '-F',
      `image=@${file}`,
      `http://localhost:${port}/api/v1/recognition`,
    ]);
    const d = JSON.parse(out) as { faces: { embedding: number[]; liveness: unknown }[]; identification: string };
    expect(d.faces).toHaveLength(1);
    expect(d.faces[0].embedding.length).toBeGreaterThan(0);
    expect(d.faces[0].liveness).not.toBeNull();
    // The store is empty and curl sends no key: nobody is named.
    expect(d.identification).toBe('key_required');
  });

  it('curl -X POST -F "image1=@…" -F "image2=@…" http://localhost:PORT/api/v1/compare', async ({ skip }) => {
    if (!curl) skip('curl is not installed');
    const a = path.join(facesDir, '0c5e25d359f6.jpg');
    const b = path.join(facesDir, '22e82d129abd.jpg');
    const { stdout: out } = await run('curl', [
      '-s',
      '-X',
      'POST',
      '-F',
      `image1=@${a}`,
      '-F',
      `image2=@${b}`,
      `http://localhost:${port}/api/v1/compare`,
    ]);
    expect(JSON.parse(out)).toMatchObject({ match: true, verdict: 'same' });
  });

  it('serves the old routes with --legacy, on the main port and the anti-spoofing listener', async () => {
    const h = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Record<string, unknown>;
    expect(h.status).toBe('running');
    const form = new FormData();
    form.append('image', new Blob([readFileSync(path.join(facesDir, '0c5e25d359f6.jpg'))]), 'a.jpg');
    const r = await fetch(`http://127.0.0.1:${antispoofPort}/api/v1/inference`, { method: 'POST', body: form });
    expect(r.status).toBe(200);
    expect(['real', 'fake']).toContain(((await r.json()) as { prediction: string }).prediction);
  });

  it('stops gracefully on SIGTERM: exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    const t0 = Date.now();
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stderr).toContain('stopped');
  });
});

describe('hadir serve refuses what it must', () => {
  const serve = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [bin, 'serve', ...args], {
      cwd: repoRoot,
      env: { ...process.env, HADIR_DATA_DIR: dataDir, ...env },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('a bind beyond loopback without API keys: exit 1 with the reason, before loading models', async () => {
    const t0 = Date.now();
    const r = await serve(['--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/requires API keys/);
    expect(r.stdout).not.toMatch(/listening/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const viaEnv = await serve([], { HADIR_HOST: '0.0.0.0', HADIR_PORT: '0' });
    expect(viaEnv.code).toBe(1);
  });

  it('bad options: exit 2 with usage', async () => {
    for (const args of [
      ['--port', 'abc'],
      ['--port', '70000'],
      ['--legacy-antispoof-port', '5009'],
      ['--legacy-antispoof'],
      ['--provider', 'tpu'],
      ['--provider', 'bogus'],
      ['--nope'],
    ]) {
      const r = await serve(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage: hadir serve');
    }
    const bogus = await serve(['--provider', 'bogus']);
    expect(bogus.stderr).toContain('--provider must be auto, cuda, webgpu, dml or cpu (got "bogus")');
  });

  it('--provider webgpu and dml are options it knows: past the usage check to the next refusal', async () => {
    for (const provider of ['webgpu', 'dml', 'WebGPU']) {
      // Beyond loopback without API keys: refused before the engine starts, so no GPU is needed to tell.
      const r = await serve(['--provider', provider, '--host', '0.0.0.0', '--port', '0']);
      expect(r.code, provider).toBe(1);
      expect(r.stderr).toMatch(/requires API keys/);
    }
  });

  it.skipIf(gpuHere)(
    '--provider webgpu without a GPU: exit 1 saying WebGPU is not available and what to do',
    async () => {
      const r = await serve(['--provider', 'webgpu', '--port', '0', '--workers', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/WebGPU execution provider is not available.*auto or cpu/s);
      expect(r.stdout).not.toMatch(/listening/);
    },
  );
});
