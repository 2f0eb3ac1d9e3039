import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncPerson } from '../../shared/sync-protocol';
import { DATA_KEY_EXIT_CODE, DataKeyError, ENVELOPE_OVERHEAD } from '../store/data-cipher';
import { hubKeyring } from '../store/data-key-file';
import {
  drain,
  pairKiosk,
  startTestHub,
  TEST_ACTOR,
  TEST_HUB_DATA_KEY,
  TEST_PACK,
  type TestHub,
} from '../testing/postgres-hub';
import { runHadir } from '../testing/run-cli';
import { addPerson, addTemplates } from './people';
import { startHub } from './server';
import { keyringFor, sealPlaintextTemplates } from './store/data-key';
import { embeddingBytes, embeddingFromBytes, templatesOf } from './store/people';

/**
 * Face templates at rest in the hub's PostgreSQL are sealed under a data key the database never holds
 * (migration 4): a dump shows ciphertext only, kiosks still receive the exact embedding, and a hub
 * without its key, or with another one, refuses to start with one line and exit code 3.
 */

const DIM = 64;

function unitVector(): Float32Array {
  const v = Float32Array.from({ length: DIM }, () => Math.random() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Whether any 16-byte window of `needle` occurs in `hay` (a leak of part of the embedding). */
function leaksAny(hay: Buffer, needle: Buffer): boolean {
  for (let i = 0; i + 16 <= needle.length; i += 8) if (hay.includes(needle.subarray(i, i + 16))) return true;
  return false;
}

describe('hub face templates sealed at rest (real PostgreSQL)', () => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub();
    await pairKiosk(t, 'JKT');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores ciphertext with key_id set, and a replicating kiosk receives the exact embedding', async () => {
    const kiosk = await pairKiosk(t, 'JKT');
    const start = await drain(t.url, kiosk.credential);
    await addPerson(t.hub.pool, { employeeNumber: 'S-1', fullName: 'Sandi', homeSite: 'JKT' }, TEST_ACTOR);
    const vectors = [unitVector(), unitVector()];
    await addTemplates(
      t.hub.pool,
      'S-1',
      vectors.map((embedding) => ({ packId: TEST_PACK, embedding, source: 'test' })),
      TEST_ACTOR,
    );

    const keyring = keyringFor(t.hub.pool);
    const { rows } = await t.hub.pool.query<{ hub_id: string; key_id: number; dim: number; embedding: Buffer }>(
      `SELECT t.hub_id, t.key_id, t.dim, t.embedding FROM face_templates t JOIN people p ON p.id = t.person_id
        WHERE p.employee_number = 'S-1' ORDER BY t.id`,
    );
    expect(rows).toHaveLength(2);
    const dump = Buffer.concat(rows.map((r) => r.embedding));
    for (const [i, r] of rows.entries()) {
      expect(r.key_id).toBe(keyring.current.id);
      expect(r.embedding.length).toBe(r.dim * 4 + ENVELOPE_OVERHEAD);
      expect(leaksAny(dump, embeddingBytes(vectors[i]))).toBe(false);
    }
    const checks = await t.hub.pool.query<{ key_id: number; check_value: string }>(
      'SELECT key_id, check_value FROM hub_data_keys',
    );
    expect(checks.rows).toEqual([{ key_id: keyring.current.id, check_value: keyring.current.check }]);

    const got = (await drain(t.url, kiosk.credential, start.cursor)).items
      .filter((i): i is { type: 'person'; person: SyncPerson } => i.type === 'person')
      .find((i) => i.person.employee_number === 'S-1')!.person;
    expect(got.templates.map((x) => x.hub_id)).toEqual(rows.map((r) => r.hub_id));
    for (const [i, tpl] of got.templates.entries()) {
      expect(Buffer.from(tpl.embedding, 'base64').equals(embeddingBytes(vectors[i]))).toBe(true);
    }
  });

  it('seals rows left plaintext (from before migration 4) in resumable batches', async () => {
    const p = await addPerson(t.hub.pool, { employeeNumber: 'S-2', fullName: 'Sari', homeSite: 'JKT' }, TEST_ACTOR);
    const vectors = [unitVector(), unitVector(), unitVector()];
    for (const v of vectors) {
      await t.hub.pool.query(
        `INSERT INTO face_templates (person_id, pack_id, dim, embedding, source) VALUES ($1, $2, $3, $4, 'old')`,
        [p.id, TEST_PACK, DIM, embeddingBytes(v)],
      );
    }
    // Read before sealing: a plaintext row opens as itself.
    expect((await templatesOf(t.hub.pool, [p.id], TEST_PACK)).map((r) => embeddingFromBytes(r.embedding))).toEqual(
      vectors,
    );
    const batches: number[] = [];
    expect(await sealPlaintextTemplates(t.hub.pool, { batch: 2, onBatch: (n) => batches.push(n) })).toBe(3);
    expect(batches).toEqual([2, 3]);
    const left = await t.hub.pool.query('SELECT count(*) AS n FROM face_templates WHERE key_id IS NULL');
    expect(left.rows[0].n).toBe(0);
    const { rows } = await t.hub.pool.query<{ embedding: Buffer }>(
      'SELECT embedding FROM face_templates WHERE person_id = $1',
      [p.id],
    );
    for (const [i, r] of rows.entries()) expect(leaksAny(r.embedding, embeddingBytes(vectors[i]))).toBe(false);
    expect((await templatesOf(t.hub.pool, [p.id], TEST_PACK)).map((r) => embeddingFromBytes(r.embedding))).toEqual(
      vectors,
    );
    expect(await sealPlaintextTemplates(t.hub.pool)).toBe(0);
  });

  it('a sealed embedding moved to another row does not open', async () => {
    const p = await addPerson(t.hub.pool, { employeeNumber: 'S-3', fullName: 'Suti', homeSite: 'JKT' }, TEST_ACTOR);
    await addTemplates(
      t.hub.pool,
      'S-3',
      [unitVector(), unitVector()].map((embedding) => ({ packId: TEST_PACK, embedding, source: 'test' })),
      TEST_ACTOR,
    );
    await t.hub.pool.query(
      `UPDATE face_templates SET embedding = (SELECT embedding FROM face_templates WHERE person_id = $1 ORDER BY id LIMIT 1)
        WHERE id = (SELECT max(id) FROM face_templates WHERE person_id = $1)`,
      [p.id],
    );
    await expect(templatesOf(t.hub.pool, [p.id], TEST_PACK)).rejects.toThrow(DataKeyError);
    await t.hub.pool.query('DELETE FROM face_templates WHERE person_id = $1', [p.id]);
  });

  it('an in-process hub with another key is refused before it serves', async () => {
    const other = hubKeyring({ HADIR_HUB_DATA_KEY: randomBytes(32).toString('base64') });
    await expect(startHub({ databaseUrl: t.db.url, config: { port: 0 }, keyring: other })).rejects.toThrow(
      /sealed with data key [0-9a-f]{8}.*wrong key/,
    );
    // The right key, with a new one put first (a rotation), still starts.
    const rotated = hubKeyring({
      HADIR_HUB_DATA_KEY: `${randomBytes(32).toString('base64')},${TEST_HUB_DATA_KEY}`,
    });
    const hub = await startHub({ databaseUrl: t.db.url, config: { port: 0 }, keyring: rotated });
    await hub.close();
  });

  const serve = (env: NodeJS.ProcessEnv) =>
    runHadir(['hub', 'serve', '--no-face'], {
      HADIR_HUB_DATABASE_URL: t.db.url,
      HADIR_HUB_PORT: '0',
      HADIR_HUB_DATA_KEY: '',
      HADIR_HUB_DATA_KEY_FILE: '',
      ...env,
    });

  it('`hadir hub serve` without a data key: one line, exit 3', async () => {
    const r = await serve({});
    expect(r.code).toBe(DATA_KEY_EXIT_CODE);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/HADIR_HUB_DATA_KEY/);
    expect(r.stdout).not.toMatch(/listening/);
  });

  it('`hadir hub serve` and `hadir hub migrate` with another key: one line, exit 3', async () => {
    const env = { HADIR_HUB_DATA_KEY: randomBytes(32).toString('base64') };
    const recorded = () => t.hub.pool.query('SELECT key_id, check_value FROM hub_data_keys ORDER BY key_id');
    const before = (await recorded()).rows;
    for (const r of [
      await serve(env),
      await runHadir(['hub', 'migrate'], { HADIR_HUB_DATABASE_URL: t.db.url, ...env }),
    ]) {
      expect(r.code).toBe(DATA_KEY_EXIT_CODE);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/data key .*wrong key/);
    }
    // Nothing of the wrong key was recorded.
    expect((await recorded()).rows).toEqual(before);
  });
});
