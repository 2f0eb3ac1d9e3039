import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { ConsentRepo } from '../store/consent-repo';
import { DataKeyError, keyIdHex } from '../store/data-cipher';
import { createKeyFile, readKeyFile } from '../store/data-key-file';
import { type Db, openDb } from '../store/db';
import { Gallery } from '../store/gallery';
import { PeopleRepo } from '../store/people-repo';
import { TemplatesRepo } from '../store/templates-repo';
import { repoRoot } from '../testing/paths';
import { runHadir } from '../testing/run-cli';
import { syntheticFace, syntheticSample } from '../testing/synthetic-enrollment';
import { nearby, randomUnitVectors } from '../testing/synthetic-faces';
import { faceThumbnailJpeg } from '../vision/thumbnail';
import { backupDatabase, restoreDatabase } from './backup';
import { EnrollmentService } from './enrollment';
import { Identifier } from './identify';

/**
 * Face templates and thumbnails are sealed at rest (store/data-cipher.ts, migration 9): nothing in the
 * data folder — database, WAL, shared memory, backups — holds them in the clear; without the right key
 * file the database refuses to open; a rotation killed with SIGKILL resumes and loses nothing.
 */

const D = 128;
const PACK = 'p';
const actor: Actor = { type: 'operator', id: 'siti' };

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data folder and, elsewhere, its key file (not created yet). */
function site() {
  const dataDir = tempDir('hadir-at-rest-');
  const keyFile = path.join(tempDir('hadir-keys-'), 'hadir-keys', 'data.key');
  return { dataDir, dbFile: path.join(dataDir, 'hadir.db'), keyFile };
}

const bytesOf = (e: Float32Array) => Buffer.from(e.buffer, e.byteOffset, e.byteLength);

/** Every file under `dir`, recursively, with its bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ file: p, bytes: readFileSync(p) });
  }
  return out;
}

/** A JPEG start of image followed by one of the markers encoders write next (APP0, APP1, DQT, APP14). */
function hasJpegHeader(b: Buffer): boolean {
  for (let i = b.indexOf(0xff); i >= 0 && i + 3 < b.length; i = b.indexOf(0xff, i + 1)) {
    if (b[i + 1] === 0xd8 && b[i + 2] === 0xff && [0xe0, 0xe1, 0xdb, 0xee].includes(b[i + 3])) return true;
  }
  return false;
}

/** Enroll one person through the real enrollment service, keeping a real JPEG thumbnail per sample. */
async function enrollWithThumbnails(db: Db, face: Float32Array): Promise<{ personId: number; thumbnail: Buffer }> {
  const templates = new TemplatesRepo(db);
  const people = new PeopleRepo(db);
  const gallery = Gallery.load(db, templates, PACK, D);
  const identifier = new Identifier(gallery, people, () => ({ threshold: 0.3, margin: 0.1, thresholdSource: 'pack' }));
  const service = new EnrollmentService({
    db,
    people,
    templates,
    consents: new ConsentRepo(db),
    audit: new AuditRepo(db),
    gallery,
    identifier,
    packId: PACK,
  });
  // A real JPEG from the thumbnail code enrollment uses: a 260×300 picture with a face-sized box.
  const data = Buffer.alloc(260 * 300 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
  const thumbnail = Buffer.from(await faceThumbnailJpeg({ data, width: 260, height: 300 }, [70, 70, 190, 220]));
  expect(thumbnail.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  const samples = [1, 2, 3].map((i) => {
    const f = syntheticFace(nearby(face, 0.9, i));
    return syntheticSample({ ...f, thumbnail }, { label: `s${i}.jpg` });
  });
  const r = service.enroll({
    person: { employeeNumber: '198501012010012001', fullName: 'Ani' },
    samples,
    consent: { method: 'signed form' },
    actor,
  });
  expect(r.ok).toBe(true);
  if (!r.ok) throw new Error('enrollment refused');
  return { personId: r.person.id, thumbnail };
}

describe('biometric data at rest', () => {
  it('no file of the data folder holds a template or a thumbnail after enrollment and a backup', async () => {
    const s = site();
    const db = openDb({ file: s.dbFile, keyFile: s.keyFile });
    const [ani] = randomUnitVectors(1, D, 7);
    const { personId, thumbnail } = await enrollWithThumbnails(db, ani);
    const templates = new TemplatesRepo(db);
    const stored = templates.forPerson(personId);
    expect(stored.length).toBe(3);
    const plain = stored.map((t) => bytesOf(templates.embedding(t.id)!));
    // The repository hands back what was enrolled, thumbnail included.
    expect(Buffer.from(templates.thumbnail(stored[0].id)!)).toEqual(thumbnail);
    await backupDatabase(db, path.join(s.dataDir, 'backups') + path.sep, { actor });
    // The app's connection stays open: its -wal and -shm files are part of what is searched.
    expect(existsSync(`${s.dbFile}-wal`)).toBe(true);
    const files = filesUnder(s.dataDir);
    expect(files.map((f) => path.basename(f.file)).sort()).toEqual(
      expect.arrayContaining(['hadir.db', 'hadir.db-shm', 'hadir.db-wal']),
    );
    expect(files.some((f) => f.file.includes(`${path.sep}backups${path.sep}hadir-backup-`))).toBe(true);
    for (const f of files) {
      for (const p of plain) expect(f.bytes.includes(p.subarray(0, 64)), `a template in ${f.file}`).toBe(false);
      expect(f.bytes.includes(thumbnail.subarray(0, 64)), `the thumbnail in ${f.file}`).toBe(false);
      expect(hasJpegHeader(f.bytes), `a JPEG header in ${f.file}`).toBe(false);
    }
    // And the key is nowhere in the data folder.
    const { keys } = JSON.parse(readFileSync(s.keyFile, 'utf8')) as { keys: { key: string }[] };
    const rawKey = Buffer.from(keys[0].key, 'base64');
    expect(files.some((f) => f.bytes.includes(rawKey) || f.bytes.includes(keys[0].key))).toBe(false);
    expect(s.keyFile.startsWith(s.dataDir)).toBe(false);
    db.close();
  });

  it('without the key, or with the wrong one, the database yields no template and a clear error', async () => {
    const s = site();
    const db = openDb({ file: s.dbFile, keyFile: s.keyFile });
    const [ani] = randomUnitVectors(1, D, 8);
    const { personId } = await enrollWithThumbnails(db, ani);
    const templates = new TemplatesRepo(db);
    const plain = templates.forPerson(personId).map((t) => bytesOf(templates.embedding(t.id)!));
    const keyId = keyIdHex(readKeyFile(s.keyFile)![0].id);
    db.close();

    // Read as a plain SQLite file (a copied database): ciphertext only.
    const raw = new Database(s.dbFile, { readonly: true });
    const blobs = raw.prepare('SELECT embedding FROM face_templates').pluck().all() as Buffer[];
    const thumbs = raw.prepare('SELECT thumbnail FROM face_templates').pluck().all() as Buffer[];
    raw.close();
    expect(blobs.length).toBe(3);
    for (const b of blobs) for (const p of plain) expect(b.includes(p.subarray(0, 16))).toBe(false);
    for (const t of thumbs) expect(hasJpegHeader(t)).toBe(false);

    // No key file: refused, naming the key, and no new key is made for a database that has one.
    const missing = path.join(tempDir('hadir-keys-'), 'data.key');
    expect(() => openDb({ file: s.dbFile, keyFile: missing })).toThrow(DataKeyError);
    expect(() => openDb({ file: s.dbFile, keyFile: missing })).toThrow(
      new RegExp(`sealed with data key ${keyId}.*does not exist`),
    );
    expect(existsSync(missing)).toBe(false);

    // Another key file: refused as the wrong key.
    const wrong = path.join(tempDir('hadir-keys-'), 'data.key');
    createKeyFile(wrong);
    expect(() => openDb({ file: s.dbFile, keyFile: wrong })).toThrow(/wrong key file/);

    // Opened without a key on purpose: the templates cannot be read.
    const keyless = openDb({ file: s.dbFile, keyFile: null });
    try {
      expect(() => [...new TemplatesRepo(keyless).iterateGallery(PACK)]).toThrow(DataKeyError);
    } finally {
      keyless.close();
    }

    // The CLI says so and exits 3; the server refuses to start.
    const env = { HADIR_DATA_DIR: s.dataDir, HADIR_DATA_KEY_FILE: wrong };
    const cli = await runHadir(['keys', 'list'], env);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toMatch(/data key: .*sealed with data key .*wrong key file/);
    const serve = await runUntilExit(['serve', '--port', '0'], env, 60_000);
    expect(serve.code).toBe(3);
    expect(serve.stderr).toMatch(/wrong key file/);

    // The right key still opens it, unchanged.
    const again = openDb({ file: s.dbFile, keyFile: s.keyFile });
    const t2 = new TemplatesRepo(again);
    expect(t2.forPerson(personId).map((t) => bytesOf(t2.embedding(t.id)!))).toEqual(plain);
    again.close();
  });

  it('a backup is restored only where the key file opens it; nothing is replaced otherwise', async () => {
    const s = site();
    const db = openDb({ file: s.dbFile, keyFile: s.keyFile });
    const [ani] = randomUnitVectors(1, D, 10);
    await enrollWithThumbnails(db, ani);
    const backup = await backupDatabase(db, path.join(tempDir('hadir-backups-'), 'b.db'));
    db.close();
    const other = site();
    const otherDb = openDb({ file: other.dbFile, keyFile: other.keyFile });
    otherDb.close();
    const before = readFileSync(other.dbFile);
    await expect(restoreDatabase(backup.file, other.dbFile, { keyFile: other.keyFile })).rejects.toThrow(
      /wrong key file/,
    );
    expect(readFileSync(other.dbFile)).toEqual(before);
    expect(readdirSync(other.dataDir).some((f) => f.includes('before-restore'))).toBe(false);
    // With the key it was made under, it restores and its templates open.
    const restored = await restoreDatabase(backup.file, other.dbFile, { keyFile: s.keyFile });
    expect(restored.keptAside).not.toBeNull();
    const again = openDb({ file: other.dbFile, keyFile: s.keyFile });
    expect([...new TemplatesRepo(again).iterateGallery(PACK)]).toHaveLength(3);
    again.close();
  });

  it('a rotation killed with SIGKILL resumes, and every template still opens and identifies its person', async () => {
    const s = site();
    const db = openDb({ file: s.dbFile, keyFile: s.keyFile });
    const people = new PeopleRepo(db);
    const templates = new TemplatesRepo(db);
    const faces = randomUnitVectors(1500, D, 9);
    const known = new Map<number, { personId: number; embedding: Float32Array; thumbnail: Buffer | null }>();
    db.transaction(() => {
      faces.forEach((face, i) => {
        const p = people.create({ employeeNumber: String(10_000 + i), fullName: `P${i}` });
        for (let k = 0; k < 2; k++) {
          const embedding = k === 0 ? face : nearby(face, 0.9, i * 2 + k);
          const thumbnail = i % 10 === 0 ? Buffer.from([0xff, 0xd8, 0xff, 0xe0, i & 0xff, k, 1, 2, 3]) : null;
          const id = templates.insert({ personId: p.id, packId: PACK, embedding, source: 'import', thumbnail });
          known.set(id, { personId: p.id, embedding, thumbnail });
        }
      });
    })();
    const oldKey = readKeyFile(s.keyFile)![0].id;
    db.close();

    // The real command, killed for real once it has committed its first batch.
    const env = { HADIR_DATA_DIR: s.dataDir, HADIR_DATA_KEY_FILE: s.keyFile };
    const killed = await killAfter(['keys', 'rotate-data-key', '--batch', '10'], env, /re-sealed \d+ templates/);
    expect(killed.signal).toBe('SIGKILL');

    const keys = readKeyFile(s.keyFile)!;
    expect(keys.map((k) => k.id)).toEqual([keys[0].id, oldKey]);
    const newKey = keys[0].id;
    const byKey = () => {
      const raw = new Database(s.dbFile, { readonly: true });
      try {
        return Object.fromEntries(
          (
            raw.prepare('SELECT key_id, count(*) FROM face_templates GROUP BY key_id').raw().all() as [number, number][]
          ).map(([k, n]) => [k === newKey ? 'new' : k === oldKey ? 'old' : String(k), n]),
        );
      } finally {
        raw.close();
      }
    };
    const midway = byKey();
    // Killed part-way: some rows under each key, none lost or left in the clear.
    expect(midway.new).toBeGreaterThan(0);
    expect(midway.old).toBeGreaterThan(0);
    expect(midway.new + midway.old).toBe(known.size);

    const resumed = await runHadir(['keys', 'rotate-data-key', '--batch', '200'], env);
    expect(resumed.stderr).not.toMatch(/data key:/);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`finished the rotation to data key ${keyIdHex(newKey)}`));
    expect(byKey()).toEqual({ new: known.size });
    expect(readKeyFile(s.keyFile)!.map((k) => k.id)).toEqual([newKey, oldKey]);

    const after = openDb({ file: s.dbFile, keyFile: s.keyFile });
    try {
      const t = new TemplatesRepo(after);
      for (const [id, want] of known) {
        expect(bytesOf(t.embedding(id)!)).toEqual(bytesOf(want.embedding));
        expect(t.thumbnail(id) ? Buffer.from(t.thumbnail(id)!) : null).toEqual(want.thumbnail);
      }
      const gallery = Gallery.load(after, t, PACK, D);
      expect(gallery.size).toBe(known.size);
      for (const [, want] of [...known].filter(([id]) => id % 7 === 0)) {
        expect(gallery.topPeople(want.embedding, 1)[0].personId).toBe(want.personId);
      }
    } finally {
      after.close();
    }
  });
});

/** Start `hadir args`, SIGKILL it as soon as its stderr matches `when`, and wait until it is gone. */
function killAfter(
  args: string[],
  env: NodeJS.ProcessEnv,
  when: RegExp,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (when.test(stderr) && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Run `hadir args` and wait for it to exit by itself (killed after `ms`: the test then fails). */
function runUntilExit(
  args: string[],
  env: NodeJS.ProcessEnv,
  ms: number,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
