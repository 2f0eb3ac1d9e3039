import type pg from 'pg';
import { attachKeyring, DataKeyError, type Keyring, keyIdHex, keyringOf, templateAad } from '../../store/data-cipher';
import { inTransaction, poolOfClient, type Sql } from './db';

/**
 * The hub's data key in PostgreSQL terms: face template embeddings are sealed with AES-256-GCM
 * (store/data-cipher.ts, the kiosk's envelope and the same associated data: template uuid and person
 * id) under a key the database never holds (`HADIR_HUB_DATA_KEY` or `HADIR_HUB_DATA_KEY_FILE`, see
 * `hubKeyring`). A dump or a replica of the database yields ciphertext only.
 *
 * `hub_data_keys` records a check value per key the rows may be sealed with (migration 4). At start
 * every recorded key and every key id the rows carry must be in the keyring and match, else the hub
 * refuses with a {@link DataKeyError} (`hadir` exits 3).
 */

/** Advisory lock (see migrate.ts): hubs starting together verify and record their key one at a time. */
export const DATA_KEY_LOCK = 0x6861646972_02;
const DEFAULT_BATCH = 500;

/** The keyring `sql` (a pool or one of its clients) was opened with; a clear error when none. */
export function keyringFor(sql: Sql): Keyring {
  const pool = poolOfClient(sql);
  const k = keyringOf(sql) ?? (pool ? keyringOf(pool) : undefined);
  if (!k) throw new DataKeyError('the hub database was opened without the data key: face templates cannot be read');
  return k;
}

const SOURCE = 'the hub data key (HADIR_HUB_DATA_KEY / HADIR_HUB_DATA_KEY_FILE)';

/** A template row as stored: sealed (key_id set) or, before sealing at start, plain. */
export interface StoredEmbedding {
  hub_id: string;
  person_id: number;
  key_id: number | null;
  embedding: Buffer;
}

/** Seal an embedding's Float32 bytes for the row `hubId` of person `personId`. */
export function sealEmbedding(
  keyring: Keyring,
  bytes: Uint8Array,
  hubId: string,
  personId: number,
): { keyId: number; embedding: Buffer } {
  const key = keyring.current;
  return { keyId: key.id, embedding: keyring.seal(bytes, templateAad('embedding', hubId, personId), key) };
}

/** The Float32 bytes of a stored row (plain when it is not sealed yet). */
export function openEmbedding(keyring: Keyring, row: StoredEmbedding): Buffer {
  if (row.key_id === null) return row.embedding;
  return keyring.open(row.embedding, templateAad('embedding', row.hub_id, row.person_id));
}

/**
 * Check `keyring` against what the database records, record its current key, and attach it to `pool`.
 * Throws {@link DataKeyError} naming the key needed. Runs under an advisory lock, so two hubs started
 * at once with different keys cannot both record theirs.
 */
export async function openHubDataKey(pool: pg.Pool, keyring: Keyring): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DATA_KEY_LOCK]);
    const { rows: recorded } = await tx.query<{ key_id: number; check_value: string }>(
      'SELECT key_id, check_value FROM hub_data_keys',
    );
    const { rows: inUse } = await tx.query<{ key_id: number }>(
      'SELECT DISTINCT key_id FROM face_templates WHERE key_id IS NOT NULL',
    );
    const checks = new Map(recorded.map((r) => [r.key_id, r.check_value]));
    const holds = keyring.all.map((k) => keyIdHex(k.id)).join(', ');
    for (const id of new Set([...checks.keys(), ...inUse.map((r) => r.key_id)])) {
      const key = keyring.get(id);
      if (!key) {
        throw new DataKeyError(
          `the hub database's face templates are sealed with data key ${keyIdHex(id)}, which ${SOURCE} does not ` +
            `hold (it holds ${holds}): this is the wrong key. Give the hub the key this database was used with.`,
        );
      }
      const check = checks.get(id);
      if (check !== undefined && check !== key.check) {
        throw new DataKeyError(
          `${SOURCE}: key ${keyIdHex(id)} does not match the check value the hub database recorded for it`,
        );
      }
    }
    const current = keyring.current;
    if (!checks.has(current.id)) {
      await tx.query('INSERT INTO hub_data_keys (key_id, check_value) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        current.id,
        current.check,
      ]);
    }
  });
  attachKeyring(pool, keyring);
}

/**
 * Seal the rows still plaintext (from before migration 4), `batch` rows per transaction: a killed run
 * leaves whole batches done, and the next start picks up from `key_id IS NULL`. Hubs starting together
 * share the work (SKIP LOCKED). Returns how many rows this call sealed.
 */
export async function sealPlaintextTemplates(
  pool: pg.Pool,
  opts: { batch?: number; onBatch?: (done: number) => void } = {},
): Promise<number> {
  const keyring = keyringFor(pool);
  const batch = Math.max(1, Math.floor(opts.batch ?? DEFAULT_BATCH));
  let done = 0;
  for (;;) {
    const n = await inTransaction(pool, async (tx) => {
      const { rows } = await tx.query<StoredEmbedding & { id: number }>(
        `SELECT id, hub_id, person_id, key_id, embedding FROM face_templates WHERE key_id IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      if (rows.length === 0) return 0;
      const sealed = rows.map((r) => sealEmbedding(keyring, r.embedding, r.hub_id, r.person_id));
      await tx.query(
        `UPDATE face_templates t SET key_id = s.key_id, embedding = s.embedding
           FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS s(id, key_id, embedding)
          WHERE t.id = s.id AND t.key_id IS NULL`,
        [rows.map((r) => r.id), sealed.map((s) => s.keyId), sealed.map((s) => s.embedding)],
      );
      return rows.length;
    });
    if (n === 0) break;
    done += n;
    opts.onBatch?.(done);
  }
  return done;
}
