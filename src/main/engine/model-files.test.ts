import { copyFile, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HadirError } from '../../shared/errors';
import { userDataDir } from '../paths';
import { clearHashCache, sha256File, sha256FileCached } from './file-hash';
import { acceptLicense, licenseAccepted } from './license-acceptance';
import { modelSearchDirs, resolvePack } from './model-files';
import { pinsPath, readPins } from './model-pins';
import {
  SMALL_MODELS,
  haveSharedModels,
  setEnv,
  sharedModel,
  tempDir,
  testManifest,
  testPack,
} from '../testing/model-fixtures';

/** Each test gets its own three folders: HADIR_MODELS_DIR, the app's models folder and the data dir. */
let root: Awaited<ReturnType<typeof tempDir>>;
let envDir: string;
let appDir: string;
let dataDir: string;
let restoreEnv: () => void;

beforeEach(async () => {
  root = await tempDir();
  envDir = path.join(root.dir, 'env-models');
  appDir = path.join(root.dir, 'app-models');
  dataDir = path.join(root.dir, 'data');
  for (const d of [envDir, appDir, dataDir]) await mkdir(d, { recursive: true });
  restoreEnv = setEnv({ HADIR_MODELS_DIR: envDir, HADIR_APP_MODELS_DIR: appDir, HADIR_DATA_DIR: dataDir });
});

afterEach(async () => {
  restoreEnv();
  await root.remove();
});

async function place(dir: string, file: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const to = path.join(dir, file);
  await copyFile(sharedModel(file), to);
  return to;
}

async function placePack(dir: string): Promise<void> {
  for (const m of Object.values(SMALL_MODELS)) await place(dir, m.file);
}

async function rejection(p: Promise<unknown>): Promise<HadirError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HadirError);
  return e as HadirError;
}

describe('paths', () => {
  it('uses HADIR_DATA_DIR for the data folder, else the per-user folder Electron uses', () => {
    expect(userDataDir()).toBe(dataDir);
    const restore = setEnv({ HADIR_DATA_DIR: undefined, XDG_CONFIG_HOME: '/xdg-config' });
    try {
      const expected =
        process.platform === 'linux'
          ? '/xdg-config/Hadir'
          : process.platform === 'darwin'
            ? path.join(os.homedir(), 'Library', 'Application Support', 'Hadir')
            : path.join(process.env.APPDATA ?? '', 'Hadir');
      expect(userDataDir()).toBe(path.resolve(expected));
    } finally {
      restore();
    }
  });

  it('searches HADIR_MODELS_DIR, then the app models folder, then <dataDir>/models', () => {
    expect(modelSearchDirs().map((d) => d.dir)).toEqual([envDir, appDir, path.join(dataDir, 'models')]);
    const restore = setEnv({ HADIR_MODELS_DIR: undefined });
    try {
      expect(modelSearchDirs().map((d) => d.dir)).toEqual([appDir, path.join(dataDir, 'models')]);
    } finally {
      restore();
    }
  });
});

describe.skipIf(!haveSharedModels)('resolvePack with real model files', () => {
  it('prefers HADIR_MODELS_DIR and falls back to the app folder, then the user data folder', async () => {
    const pack = testPack();
    await placePack(envDir);
    await placePack(appDir);

    let r = await resolvePack(pack);
    expect(r.detectorPath).toBe(path.join(envDir, SMALL_MODELS.det.file));
    expect(r.recognizerPath).toBe(path.join(envDir, SMALL_MODELS.livenessV2.file));
    expect(r.dir).toBe(envDir);

    const restore = setEnv({ HADIR_MODELS_DIR: undefined });
    try {
      r = await resolvePack(pack);
      expect(r.detectorPath).toBe(path.join(appDir, SMALL_MODELS.det.file));

      // Each file resolves on its own: the detector from the app folder, the recognizer from a
      // <packId>/ subfolder of the user data folder (where `fetch` installs).
      const userPackDir = path.join(dataDir, 'models', pack.id);
      await place(userPackDir, SMALL_MODELS.livenessV2.file);
      await rm(path.join(appDir, SMALL_MODELS.livenessV2.file));
      r = await resolvePack(pack);
      expect(r.detectorPath).toBe(path.join(appDir, SMALL_MODELS.det.file));
      expect(r.recognizerPath).toBe(path.join(userPackDir, SMALL_MODELS.livenessV2.file));
      expect(r.dir).toBe(userPackDir);
    } finally {
      restore();
    }
  });

  it('resolves a pack id against a given manifest, and reports liveness files or null', async () => {
    const manifest = testManifest([testPack({ id: 'p1' })]);
    await place(envDir, SMALL_MODELS.det.file);
    await place(envDir, SMALL_MODELS.livenessV2.file);
    let r = await resolvePack('p1', { manifest });
    expect(r.pack.id).toBe('p1');
    expect(r.livenessPaths).toBeNull();

    await place(envDir, SMALL_MODELS.livenessV1SE.file);
    r = await resolvePack(undefined, { manifest });
    expect(r.livenessPaths).toEqual([path.join(envDir, SMALL_MODELS.livenessV1SE.file)]);
    expect(r.files.find((f) => f.role === 'detector')?.state).toBe('verified');
  });

  it('rejects a corrupted copy with MODEL_CHECKSUM_MISMATCH naming the file and both hashes', async () => {
    await placePack(envDir);
    const bad = path.join(envDir, SMALL_MODELS.det.file);
    const bytes = await readFile(bad);
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(bad, bytes);
    const actual = await sha256File(bad);

    const e = await rejection(resolvePack(testPack()));
    expect(e.code).toBe('MODEL_CHECKSUM_MISMATCH');
    expect(e.message).toContain(SMALL_MODELS.det.file);
    expect(e.message).toContain(bad);
    expect(e.message).toContain(SMALL_MODELS.det.sha256);
    expect(e.message).toContain(actual);
  });

  it('does not let a good copy in a later folder hide a corrupt first one', async () => {
    await placePack(appDir);
    await writeFile(path.join(envDir, SMALL_MODELS.det.file), 'truncated');
    const e = await rejection(resolvePack(testPack()));
    expect(e.code).toBe('MODEL_CHECKSUM_MISMATCH');
    expect(e.message).toContain(path.join(envDir, SMALL_MODELS.det.file));
  });

  it('skips hashing with verify: false', async () => {
    await placePack(envDir);
    await writeFile(path.join(envDir, SMALL_MODELS.det.file), 'not a model');
    const r = await resolvePack(testPack(), { verify: false });
    expect(r.files.every((f) => f.state === 'present')).toBe(true);
  });

  it('pins a file with no published hash on first use and enforces the pin afterwards', async () => {
    await placePack(envDir);
    const recognizer = SMALL_MODELS.livenessV2;
    const first = await resolvePack(testPack());
    expect(first.newlyPinned).toEqual([recognizer.file]);
    expect((await readPins()).files[recognizer.file]?.sha256).toBe(recognizer.sha256);

    const again = await resolvePack(testPack());
    expect(again.newlyPinned).toEqual([]);
    expect(again.files.find((f) => f.role === 'recognizer')?.state).toBe('pinned');

    // Another file under the same name: exactly what a pin is there to catch.
    await copyFile(sharedModel(SMALL_MODELS.livenessV1SE.file), path.join(envDir, recognizer.file));
    const e = await rejection(resolvePack(testPack()));
    expect(e.code).toBe('MODEL_CHECKSUM_MISMATCH');
    expect(e.message).toContain(recognizer.sha256);
    expect(e.message).toContain(SMALL_MODELS.livenessV1SE.sha256);
    expect(e.message).toContain(pinsPath());
  });
});

describe('missing files', () => {
  it('names the missing files, every folder searched and what to do', async () => {
    const e = await rejection(resolvePack(testPack()));
    expect(e.code).toBe('MODEL_MISSING');
    expect(e.message).toContain(SMALL_MODELS.det.file);
    expect(e.message).toContain(SMALL_MODELS.livenessV2.file);
    // Liveness is optional: its absence is not an error.
    expect(e.message).not.toContain(SMALL_MODELS.livenessV1SE.file);
    for (const dir of [envDir, appDir, path.join(dataDir, 'models')]) {
      expect(e.message).toContain(dir);
      expect(e.message).toContain(path.join(dir, 'test-pack'));
    }
    expect(e.message).toContain('HADIR_MODELS_DIR');
    expect(e.message).toContain('hadir models import');
    expect(e.message).not.toContain('hadir models fetch');
  });

  it('suggests `hadir models fetch` for downloadable packs', async () => {
    const e = await rejection(resolvePack(testPack({ id: 'dl', source: 'download', url: 'http://127.0.0.1:9/x.zip' })));
    expect(e.message).toContain('hadir models fetch dl');
  });

  it('reports an unknown pack id', async () => {
    const e = await rejection(resolvePack('nope', { manifest: testManifest([testPack()]) }));
    expect(e.code).toBe('PACK_UNKNOWN');
  });
});

describe('hash cache', () => {
  it('re-hashes only when size, mtime or inode change', async () => {
    const file = path.join(root.dir, 'blob.bin');
    // A whole-second mtime, so putting it back below restores it exactly.
    const mtime = new Date(1_700_000_000_000);
    await writeFile(file, 'aaaa');
    await utimes(file, mtime, mtime);
    const h1 = await sha256FileCached(file);
    // Same size, mtime put back: the cache answers without reading (so it returns the old hash).
    await writeFile(file, 'bbbb');
    await utimes(file, mtime, mtime);
    expect(await sha256FileCached(file)).toBe(h1);
    // A changed mtime invalidates.
    await utimes(file, mtime, new Date(mtime.getTime() + 5000));
    expect(await sha256FileCached(file)).toBe(await sha256File(file));
    expect(await sha256FileCached(file)).not.toBe(h1);
    clearHashCache();
  });
});

describe('licence acceptance', () => {
  it('is stored per pack (and licence id) in <dataDir>/models/accepted-licenses.json', async () => {
    expect(await licenseAccepted('p1')).toBe(false);
    await acceptLicense('p1', 'lic-a');
    expect(await licenseAccepted('p1')).toBe(true);
    expect(await licenseAccepted('p1', 'lic-a')).toBe(true);
    expect(await licenseAccepted('p1', 'lic-b')).toBe(false);
    expect(await licenseAccepted('p2')).toBe(false);
    const stored = JSON.parse(await readFile(path.join(dataDir, 'models', 'accepted-licenses.json'), 'utf8'));
    expect(stored.p1.licenseId).toBe('lic-a');
  });
});
