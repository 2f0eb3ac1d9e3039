import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HadirError } from '../../shared/errors';
import type { ModelPack } from '../engine/manifest';
import { fetchPack } from '../engine/model-fetch';
import { resolvePack } from '../engine/model-files';
import { readPins } from '../engine/model-pins';
import {
  SMALL_MODELS,
  haveSharedModels,
  makeZip,
  setEnv,
  sharedModel,
  sharedModelsDir,
  startServer,
  tempDir,
  testManifest,
  testPack,
  type TestServer,
} from '../testing/model-fixtures';
import { main } from './index';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['models', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const MODEL_FILES = Object.values(SMALL_MODELS).map((m) => m.file);

let root: Awaited<ReturnType<typeof tempDir>>;
let appDir: string;
let dataDir: string;
let modelsDir: string;
let restoreEnv: () => void;
let server: TestServer;
let files: Record<string, Buffer>;
let goodZip: Buffer;

/** The pack zip as upstream lays it out: members in a folder, plus files Hadir does not use. */
function packZip(content: Record<string, Buffer>): Buffer {
  return makeZip([
    { name: 'test-dl/' },
    { name: `test-dl/${SMALL_MODELS.det.file}`, data: content[SMALL_MODELS.det.file], deflate: true },
    { name: `test-dl/${SMALL_MODELS.livenessV2.file}`, data: content[SMALL_MODELS.livenessV2.file] },
    { name: `test-dl/${SMALL_MODELS.livenessV1SE.file}`, data: content[SMALL_MODELS.livenessV1SE.file] },
    { name: 'test-dl/genderage.onnx', data: Buffer.from('not used by Hadir') },
  ]);
}

function packs(): ModelPack[] {
  return [
    testPack({ id: 'test-local', sourceNote: 'Local conversion; import it with `hadir models import <folder>`.' }),
    testPack({ id: 'test-dl', source: 'download', url: `${server.url}/test-dl.zip` }),
    testPack({
      id: 'test-dl-known',
      source: 'download',
      url: `${server.url}/test-dl.zip`,
      archiveSha256: sha256(goodZip),
    }),
  ];
}

async function onnxFilesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.onnx'));
}

beforeAll(async () => {
  server = await startServer();
  if (!haveSharedModels) return;
  files = Object.fromEntries(await Promise.all(MODEL_FILES.map(async (f) => [f, await readFile(sharedModel(f))])));
  goodZip = packZip(files);
});

afterAll(() => server.close());

beforeEach(async () => {
  root = await tempDir();
  appDir = path.join(root.dir, 'app-models');
  dataDir = path.join(root.dir, 'data');
  modelsDir = path.join(dataDir, 'models');
  await mkdir(appDir, { recursive: true });
  if (haveSharedModels) {
    await writeFile(path.join(appDir, 'manifest.json'), JSON.stringify(testManifest(packs())));
  }
  restoreEnv = setEnv({ HADIR_MODELS_DIR: undefined, HADIR_APP_MODELS_DIR: appDir, HADIR_DATA_DIR: dataDir });
  server.files.clear();
  server.files.set('/test-dl.zip', goodZip);
});

afterEach(async () => {
  restoreEnv();
  await root.remove();
});

describe('hadir models usage', () => {
  it('prints help for the command and each subcommand, exit 0', async () => {
    for (const args of [
      ['--help'],
      ['list', '--help'],
      ['import', '--help'],
      ['fetch', '-h'],
      ['accept-license', '--help'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('usage: hadir models');
    }
    expect((await runCli(['fetch', '--help'])).stdout).toContain('--url URL');
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [['bogus'], ['import'], ['fetch', 'a', 'b'], ['list', '--bogus'], ['import', 'x', '--pack']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage: hadir models');
    }
  });
});

describe.skipIf(!haveSharedModels)('hadir models with real model files', () => {
  it('lists packs with each file missing, then verified/pinned after an import', async () => {
    let r = await runCli(['list', '--json']);
    expect(r.code).toBe(0);
    let listed = JSON.parse(r.stdout);
    expect(listed.searchDirs.map((d: { dir: string }) => d.dir)).toEqual([appDir, modelsDir]);
    const local = () => listed.packs.find((p: { id: string }) => p.id === 'test-local');
    expect(local().ready).toBe(false);
    expect(local().license).toMatchObject({ id: 'test-licence', accepted: false });
    expect(local().files.map((f: { state: string }) => f.state)).toEqual(['missing', 'missing', 'missing']);

    expect((await runCli(['import', sharedModelsDir, '--pack', 'test-local'])).code).toBe(0);
    r = await runCli(['--json']);
    listed = JSON.parse(r.stdout);
    expect(local().ready).toBe(true);
    expect(local().files.map((f: { state: string }) => f.state)).toEqual(['verified', 'pinned', 'verified']);

    const human = await runCli([]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('test-local (default)');
    expect(human.stdout).toContain(`${SMALL_MODELS.det.file}`);
    expect(human.stdout).toContain('verified (pinned hash)');
    expect(human.stdout).toContain(modelsDir);
  });

  it('shows a corrupted installed file as a mismatch', async () => {
    await mkdir(modelsDir, { recursive: true });
    await writeFile(path.join(modelsDir, SMALL_MODELS.det.file), 'garbage');
    const r = await runCli(['list', '--json']);
    const pack = JSON.parse(r.stdout).packs[0];
    expect(pack.files[0].state).toBe('mismatch');
    expect(pack.ready).toBe(false);
  });

  it('imports from a folder: verified copies, a pin for the unknown hash, the licence summary', async () => {
    const r = await runCli(['import', sharedModelsDir, '--pack', 'test-local']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Imported 3 file(s) from ${sharedModelsDir} into ${modelsDir}`);
    expect(r.stdout).toMatch(new RegExp(`${SMALL_MODELS.det.file}\\s+verified`));
    expect(r.stdout).toMatch(new RegExp(`${SMALL_MODELS.livenessV2.file.replace(/\./g, '\\.')}\\s+pinned now`));
    expect(r.stdout).toContain('For tests only; not for any use.');
    expect(r.stdout).toContain('hadir models accept-license test-local');
    expect((await readdir(modelsDir)).filter((f) => f.endsWith('.onnx')).sort()).toEqual([...MODEL_FILES].sort());
    // Only pack files were copied (the shared folder has more), and no temp files are left.
    expect((await readdir(modelsDir)).filter((f) => f.startsWith('.'))).toEqual([]);
    expect((await readPins()).files[SMALL_MODELS.livenessV2.file]?.sha256).toBe(SMALL_MODELS.livenessV2.sha256);

    const resolved = await resolvePack('test-local');
    expect(resolved.recognizerPath).toBe(path.join(modelsDir, SMALL_MODELS.livenessV2.file));
  });

  it('imports from a zip whose members sit in a subfolder', async () => {
    const zip = path.join(root.dir, 'pack.zip');
    await writeFile(zip, goodZip);
    const r = await runCli(['import', zip]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Imported 3 file(s)');
    expect(r.stdout).toContain('Packs now complete: test-local, test-dl, test-dl-known');
    for (const f of MODEL_FILES) expect(sha256(await readFile(path.join(modelsDir, f)))).toBe(sha256(files[f]!));
    expect(existsSync(path.join(modelsDir, 'genderage.onnx'))).toBe(false);
  });

  it('imports nothing when one file fails its check', async () => {
    const src = path.join(root.dir, 'src');
    await mkdir(src);
    for (const f of MODEL_FILES) await copyFile(sharedModel(f), path.join(src, f));
    const det = Buffer.from(files[SMALL_MODELS.det.file]!);
    det[100] ^= 1;
    await writeFile(path.join(src, SMALL_MODELS.det.file), det);

    const r = await runCli(['import', src]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[MODEL_CHECKSUM_MISMATCH]');
    expect(r.stderr).toContain(SMALL_MODELS.det.sha256);
    expect(r.stderr).toContain(sha256(det));
    expect(await onnxFilesUnder(modelsDir)).toEqual([]);
    expect(existsSync(path.join(modelsDir, 'pins.json'))).toBe(false);
  });

  it('refuses a zip with a path-traversal or absolute entry', async () => {
    for (const bad of ['../evil.onnx', 'test-dl/../../det_500m.onnx', '/abs/det_500m.onnx']) {
      const zip = path.join(root.dir, 'evil.zip');
      await writeFile(
        zip,
        makeZip([
          { name: `ok/${SMALL_MODELS.det.file}`, data: files[SMALL_MODELS.det.file] },
          { name: bad, data: Buffer.from('x') },
        ]),
      );
      const r = await runCli(['import', zip]);
      expect(r.code, bad).toBe(1);
      expect(r.stderr).toContain('[MODEL_INVALID]');
      expect(r.stderr).toContain('unsafe path');
      expect(await onnxFilesUnder(root.dir)).toEqual([]);
      expect(existsSync(path.join(root.dir, 'evil.onnx'))).toBe(false);
    }
  });

  it('fails clearly when there is nothing to import or no such source', async () => {
    const empty = path.join(root.dir, 'empty');
    await mkdir(empty);
    let r = await runCli(['import', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[MODEL_MISSING] nothing to import');
    r = await runCli(['import', path.join(root.dir, 'nope.zip')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[NOT_FOUND]');
  });

  it('fetches a pack from a local server: installs into <dataDir>/models/<pack>/ and pins the unknown hashes', async () => {
    const r = await runCli(['fetch', 'test-dl']);
    expect(r.code).toBe(0);
    // Not a terminal: no progress bar, one final line.
    expect(r.stderr).toBe(`downloaded ${(goodZip.length / 1e6).toFixed(1)} MB from ${server.url}/test-dl.zip\n`);
    const dest = path.join(modelsDir, 'test-dl');
    expect(r.stdout).toContain(`Installed pack test-dl into ${dest}`);
    expect(r.stdout).toContain('pinned now');
    expect(r.stdout).toContain('For tests only; not for any use.');
    expect((await readdir(dest)).sort()).toEqual([...MODEL_FILES].sort());

    const pins = await readPins();
    expect(pins.archives['test-dl']?.sha256).toBe(sha256(goodZip));
    expect(pins.files[SMALL_MODELS.livenessV2.file]?.sha256).toBe(SMALL_MODELS.livenessV2.sha256);

    const resolved = await resolvePack('test-dl');
    expect(resolved.dir).toBe(dest);
    expect(resolved.livenessPaths).toEqual([path.join(dest, SMALL_MODELS.livenessV1SE.file)]);
  });

  it('draws a progress bar when stderr is a terminal', async () => {
    const had = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    try {
      const r = await runCli(['fetch', 'test-dl']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('\r[');
      expect(r.stderr).toContain('100%');
    } finally {
      if (had) Object.defineProperty(process.stderr, 'isTTY', had);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });

  it('takes a pack object, a --url mirror and a --dest folder through the API', async () => {
    server.files.set('/mirror/pack.zip', goodZip);
    const dest = path.join(root.dir, 'elsewhere');
    const pack = testPack({ id: 'api-pack', source: 'download', url: 'http://127.0.0.1:9/unused.zip' });
    const seen: number[] = [];
    const report = await fetchPack(pack, {
      url: `${server.url}/mirror/pack.zip`,
      dest,
      onProgress: (p) => seen.push(p.received),
    });
    expect(report.dest).toBe(dest);
    expect(report.archive).toMatchObject({ sha256: sha256(goodZip), bytes: goodZip.length, check: 'newly-pinned' });
    expect(report.files.map((f) => [f.file, f.check])).toEqual(
      expect.arrayContaining([
        [SMALL_MODELS.det.file, 'verified'],
        [SMALL_MODELS.livenessV2.file, 'newly-pinned'],
      ]),
    );
    expect(seen.at(-1)).toBe(goodZip.length);
    expect(server.requests).toContain('/mirror/pack.zip');

    const r = await runCli(['fetch', 'test-dl', '--url', `${server.url}/mirror/pack.zip`, '--dest', dest]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`set HADIR_MODELS_DIR=${dest}`);
  });

  it('rejects a corrupted download against the published archive hash and installs nothing', async () => {
    const corrupt = Buffer.from(goodZip);
    corrupt[corrupt.length >> 1] ^= 0xff;
    server.files.set('/test-dl.zip', corrupt);
    const r = await runCli(['fetch', 'test-dl-known']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[MODEL_CHECKSUM_MISMATCH]');
    expect(r.stderr).toContain(sha256(goodZip));
    expect(r.stderr).toContain(sha256(corrupt));
    expect(existsSync(path.join(modelsDir, 'test-dl-known'))).toBe(false);
    expect(await onnxFilesUnder(modelsDir)).toEqual([]);
  });

  it('rejects an archive whose member fails its hash, and pins nothing', async () => {
    const det = Buffer.from(files[SMALL_MODELS.det.file]!);
    det[1000] ^= 0xff;
    server.files.set('/test-dl.zip', packZip({ ...files, [SMALL_MODELS.det.file]: det }));
    const r = await runCli(['fetch', 'test-dl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[MODEL_CHECKSUM_MISMATCH]');
    expect(r.stderr).toContain(SMALL_MODELS.det.file);
    expect(await onnxFilesUnder(modelsDir)).toEqual([]);
    const pins = await readPins();
    expect(pins.archives).toEqual({});
    expect(pins.files).toEqual({});
  });

  it('reports a 404 and an unreachable server as DOWNLOAD_FAILED with the import fallback', async () => {
    server.files.clear();
    let r = await runCli(['fetch', 'test-dl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[DOWNLOAD_FAILED]');
    expect(r.stderr).toContain('HTTP 404');
    expect(r.stderr).toContain('hadir models import <zip> --pack test-dl');
    expect(existsSync(path.join(modelsDir, 'test-dl'))).toBe(false);

    const closed = await startServer();
    const deadUrl = `${closed.url}/x.zip`;
    await closed.close();
    r = await runCli(['fetch', 'test-dl', '--url', deadUrl]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[DOWNLOAD_FAILED]');
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  it('pins the archive on the first download and rejects a tampered second one, keeping the installed files', async () => {
    expect((await runCli(['fetch', 'test-dl'])).code).toBe(0);
    const installed = path.join(modelsDir, 'test-dl', SMALL_MODELS.livenessV2.file);
    const before = sha256(await readFile(installed));

    // The "same" pack with a different recognizer: no published hash would catch this.
    server.files.set(
      '/test-dl.zip',
      packZip({ ...files, [SMALL_MODELS.livenessV2.file]: files[SMALL_MODELS.livenessV1SE.file]! }),
    );
    const r = await runCli(['fetch', 'test-dl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[MODEL_CHECKSUM_MISMATCH]');
    expect(r.stderr).toContain(sha256(goodZip));
    expect(r.stderr).toContain('pins.json');
    expect(r.stderr).toContain('"test-dl" under "archives"');
    expect(sha256(await readFile(installed))).toBe(before);
    expect((await readdir(path.join(modelsDir, 'test-dl'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('refuses to fetch a local-only pack', async () => {
    const r = await runCli(['fetch', 'test-local']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[DOWNLOAD_FAILED]');
    expect(r.stderr).toContain('Local conversion');
  });

  it('records licence acceptance', async () => {
    const r = await runCli(['accept-license', 'test-dl']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Accepted for pack test-dl');
    const listed = JSON.parse((await runCli(['list', '--json'])).stdout);
    expect(listed.packs.find((p: { id: string }) => p.id === 'test-dl').license.accepted).toBe(true);
    expect(listed.packs.find((p: { id: string }) => p.id === 'test-local').license.accepted).toBe(false);
  });

  it('fails with PACK_UNKNOWN for an unknown pack', async () => {
    const r = await runCli(['fetch', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[PACK_UNKNOWN]');
  });
});

it('fetchPack throws a HadirError (DOWNLOAD_FAILED) for an unreachable address', async () => {
  const e = await fetchPack(testPack({ source: 'download' }), {
    url: 'http://127.0.0.1:9/x.zip',
    dest: path.join(root.dir, 'd'),
  }).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(HadirError);
  expect((e as HadirError).code).toBe('DOWNLOAD_FAILED');
  expect(existsSync(path.join(root.dir, 'd'))).toBe(false);
});
