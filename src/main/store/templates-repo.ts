import type { TemplateSource } from '../../shared/people';
import { DataKeyError, type Keyring, keyringOf, templateAad } from './data-cipher';
import type { Db } from './db';

/**
 * Face templates: L2-normalised embeddings as little-endian Float32 (never JSON), each tied to the
 * model pack that produced it. Only templates of the active pack are `usable`.
 *
 * Embeddings and thumbnails are sealed at rest with the data key the connection was opened with
 * (store/data-cipher.ts): sealed here on the way in, opened here on the way out, each bound to its row
 * and person. `key_id` says which key sealed a row (null: a plaintext row from before migration 9, sealed
 * on the first open with a key). Nothing outside this module and the replica sees sealed bytes.
 */

export interface NewTemplate {
  personId: number;
  packId: string;
  embedding: Float32Array;
  /** Quality figures of the sample (JSON). */
  quality?: Record<string, unknown> | null;
  source: TemplateSource;
  /** Small JPEG face crop: only when the site keeps thumbnails. */
  thumbnail?: Uint8Array | null;
  usable?: boolean;
}

export interface TemplateInfo {
  id: number;
  person_id: number;
  pack_id: string;
  dim: number;
  quality: Record<string, unknown> | null;
  source: TemplateSource;
  usable: boolean;
  has_thumbnail: boolean;
  created_at: string;
}

/** One template row as the gallery needs it. */
export interface GalleryRow {
  id: number;
  personId: number;
  embedding: Float32Array;
}

/** Embedding → BLOB bytes, without copying. */
export function embeddingToBlob(e: Float32Array): Buffer {
  return Buffer.from(e.buffer, e.byteOffset, e.byteLength);
}

/**
 * BLOB → embedding. A view when the bytes are 4-byte aligned (better-sqlite3 gives each BLOB its own
 * buffer), a copy otherwise. Little-endian is assumed: every platform Hadir ships on is.
 */
export function blobToEmbedding(b: Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0) throw new RangeError(`embedding BLOB of ${b.byteLength} bytes is not Float32`);
  if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  return new Float32Array(new Uint8Array(b).buffer);
}

interface InfoRow extends Omit<TemplateInfo, 'quality' | 'usable' | 'has_thumbnail'> {
  quality: string | null;
  usable: number;
  has_thumbnail: number;
}

/** A row as stored: the sealed (or, before sealing, plain) embedding and thumbnail. */
export interface StoredTemplate {
  id: number;
  personId: number;
  keyId: number | null;
  embedding: Buffer;
  thumbnail: Buffer | null;
}

/** Seal a template's embedding and thumbnail for row `id` of `personId` under the current key. */
export function sealTemplate(
  keyring: Keyring,
  id: number,
  personId: number,
  embedding: Uint8Array,
  thumbnail: Uint8Array | null,
): { keyId: number; embedding: Buffer; thumbnail: Buffer | null } {
  const key = keyring.current;
  return {
    keyId: key.id,
    embedding: keyring.seal(embedding, templateAad('embedding', id, personId), key),
    thumbnail: thumbnail ? keyring.seal(thumbnail, templateAad('thumbnail', id, personId), key) : null,
  };
}

/** The keyring of `db`, or a clear error when it was opened without one. */
export function requireKeyring(db: Db): Keyring {
  const k = keyringOf(db);
  if (!k) throw new DataKeyError(`${db.name} was opened without the data key: its templates cannot be read or written`);
  return k;
}

/** Open one stored value: plain when the row is not sealed yet (key_id null). */
function openValue(
  keyring: Keyring,
  kind: 'embedding' | 'thumbnail',
  id: number,
  personId: number,
  keyId: number | null,
  bytes: Buffer,
): Buffer {
  return keyId === null ? bytes : keyring.open(bytes, templateAad(kind, id, personId));
}

const INFO_COLUMNS = `id, person_id, pack_id, dim, quality, source, usable, thumbnail IS NOT NULL AS has_thumbnail, created_at`;
const toInfo = (r: InfoRow): TemplateInfo => ({
  ...r,
  quality: r.quality === null ? null : (JSON.parse(r.quality) as Record<string, unknown>),
  usable: r.usable === 1,
  has_thumbnail: r.has_thumbnail === 1,
});

export class TemplatesRepo {
  private readonly insertStmt;
  private readonly nextIdStmt;
  /**
   * A row that does not open (tampered, or moved from another row) is left out of the gallery, never
   * compared as garbage; this hears about it (default: a warning on stderr).
   */
  onUnreadable: (templateId: number, error: Error) => void = (id, e) =>
    process.stderr.write(`hadir: warning: face template ${id} left out of the gallery: ${e.message}\n`);

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO face_templates (id, person_id, pack_id, dim, key_id, embedding, quality, source, thumbnail, usable, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.nextIdStmt = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM face_templates').pluck();
  }

  private get keyring(): Keyring {
    return requireKeyring(this.db);
  }

  /**
   * The id is chosen before the insert (in the same write transaction) because the sealed bytes are
   * bound to it.
   */
  insert(t: NewTemplate): number {
    const keyring = this.keyring;
    return this.db
      .transaction(() => {
        const id = this.nextIdStmt.get() as number;
        const sealed = sealTemplate(keyring, id, t.personId, embeddingToBlob(t.embedding), t.thumbnail ?? null);
        this.insertStmt.run(
          id,
          t.personId,
          t.packId,
          t.embedding.length,
          sealed.keyId,
          sealed.embedding,
          t.quality ? JSON.stringify(t.quality) : null,
          t.source,
          sealed.thumbnail,
          t.usable === false ? 0 : 1,
          this.now().toISOString(),
        );
        return id;
      })
      .immediate();
  }

  get(id: number): TemplateInfo | null {
    const r = this.db.prepare(`SELECT ${INFO_COLUMNS} FROM face_templates WHERE id = ?`).get(id) as InfoRow | undefined;
    return r ? toInfo(r) : null;
  }

  forPerson(personId: number): TemplateInfo[] {
    const rows = this.db
      .prepare(`SELECT ${INFO_COLUMNS} FROM face_templates WHERE person_id = ? ORDER BY id`)
      .all(personId) as InfoRow[];
    return rows.map(toInfo);
  }

  embedding(id: number): Float32Array | null {
    const r = this.db.prepare('SELECT person_id, key_id, embedding FROM face_templates WHERE id = ?').raw().get(id) as
      [number, number | null, Buffer] | undefined;
    return r ? blobToEmbedding(openValue(this.keyring, 'embedding', id, r[0], r[1], r[2])) : null;
  }

  thumbnail(id: number): Uint8Array | null {
    const r = this.db.prepare('SELECT person_id, key_id, thumbnail FROM face_templates WHERE id = ?').raw().get(id) as
      [number, number | null, Buffer | null] | undefined;
    return r && r[2] ? openValue(this.keyring, 'thumbnail', id, r[0], r[1], r[2]) : null;
  }

  /** Removes one template; returns whether it existed. */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM face_templates WHERE id = ?').run(id).changes > 0;
  }

  deleteForPerson(personId: number): number {
    return this.db.prepare('DELETE FROM face_templates WHERE person_id = ?').run(personId).changes;
  }

  /** Retention of kept thumbnails: clear those older than `before` (ISO instant); returns how many. */
  clearThumbnailsBefore(before: string): number {
    return this.db
      .prepare('UPDATE face_templates SET thumbnail = NULL WHERE thumbnail IS NOT NULL AND created_at < ?')
      .run(before).changes;
  }

  /** Number of usable templates of a pack whose person is active. */
  countUsable(packId: string): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM face_templates t JOIN people p ON p.id = t.person_id
         WHERE t.pack_id = ? AND t.usable = 1 AND p.active = 1`,
      )
      .pluck()
      .get(packId) as number;
  }

  /**
   * Every usable template of `packId` whose person is active, in id order, streamed so a 300k-row
   * gallery is never held twice. The embedding view is valid only until the next row.
   */
  *iterateGallery(packId: string): Generator<GalleryRow> {
    const keyring = this.keyring;
    const stmt = this.db
      .prepare(
        `SELECT t.id, t.person_id, t.key_id, t.embedding FROM face_templates t JOIN people p ON p.id = t.person_id
         WHERE t.pack_id = ? AND t.usable = 1 AND p.active = 1 ORDER BY t.id`,
      )
      .raw();
    for (const row of stmt.iterate(packId) as IterableIterator<[number, number, number | null, Buffer]>) {
      const embedding = this.openForGallery(keyring, row);
      if (embedding) yield { id: row[0], personId: row[1], embedding };
    }
  }

  private openForGallery(keyring: Keyring, row: [number, number, number | null, Buffer]): Float32Array | null {
    try {
      return blobToEmbedding(openValue(keyring, 'embedding', row[0], row[1], row[2], row[3]));
    } catch (e) {
      this.onUnreadable(row[0], e as Error);
      return null;
    }
  }

  /** The rows among `ids` that belong in the gallery of `packId` (usable, person active). */
  galleryRows(packId: string, ids: readonly number[]): GalleryRow[] {
    const keyring = this.keyring;
    const out: GalleryRow[] = [];
    // SQLite's default limit on host parameters is 32766; stay well under it.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT t.id, t.person_id, t.key_id, t.embedding FROM face_templates t JOIN people p ON p.id = t.person_id
           WHERE t.id IN (${chunk.map(() => '?').join(',')}) AND t.pack_id = ? AND t.usable = 1 AND p.active = 1`,
        )
        .raw()
        .all(...chunk, packId) as [number, number, number | null, Buffer][];
      for (const r of rows) {
        const embedding = this.openForGallery(keyring, r);
        if (embedding) out.push({ id: r[0], personId: r[1], embedding });
      }
    }
    return out;
  }

  /** The newest entry of the template change log (0 when empty). */
  lastChange(): number {
    return (this.db.prepare('SELECT max(seq) FROM template_changes').pluck().get() as number | null) ?? 0;
  }

  /** The oldest entry still in the log (null when empty): a reader behind it must reload. */
  firstChange(): number | null {
    return (this.db.prepare('SELECT min(seq) FROM template_changes').pluck().get() as number | null) ?? null;
  }

  /** Template ids changed after `seq`, and the newest seq read. */
  changesSince(seq: number): { templateIds: number[]; last: number } {
    const rows = this.db
      .prepare('SELECT seq, template_id FROM template_changes WHERE seq > ? ORDER BY seq')
      .raw()
      .all(seq) as [number, number][];
    const ids = new Set<number>();
    for (const r of rows) ids.add(r[1]);
    return { templateIds: [...ids], last: rows.length ? rows[rows.length - 1][0] : seq };
  }

  /**
   * Drop change-log entries older than the newest `keep` (at least one stays, so a reader can tell
   * it fell behind); readers further behind reload in full.
   */
  pruneChanges(keep = 100_000): number {
    return this.db
      .prepare('DELETE FROM template_changes WHERE seq <= (SELECT max(seq) FROM template_changes) - ?')
      .run(Math.max(1, keep)).changes;
  }

  /**
   * Make `packId` the only usable pack: its templates usable, every other pack's not. Returns how many
   * templates changed state each way.
   */
  activatePack(packId: string): { enabled: number; disabled: number } {
    const disabled = this.db
      .prepare('UPDATE face_templates SET usable = 0 WHERE pack_id <> ? AND usable = 1')
      .run(packId).changes;
    const enabled = this.db
      .prepare('UPDATE face_templates SET usable = 1 WHERE pack_id = ? AND usable = 0')
      .run(packId).changes;
    return { enabled, disabled };
  }

  /**
   * For people with no template of `packId`: their templates of other packs that kept a thumbnail,
   * newest first per person, so a pack switch can re-embed them.
   */
  thumbnailsToReembed(packId: string): { id: number; personId: number; source: TemplateSource }[] {
    return (
      this.db
        .prepare(
          `SELECT t.id, t.person_id, t.source FROM face_templates t
           WHERE t.pack_id <> ? AND t.thumbnail IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM face_templates u WHERE u.person_id = t.person_id AND u.pack_id = ?)
           ORDER BY t.person_id, t.id DESC`,
        )
        .all(packId, packId) as { id: number; person_id: number; source: TemplateSource }[]
    ).map((r) => ({ id: r.id, personId: r.person_id, source: r.source }));
  }

  /** Distinct people with at least one template, per pack. */
  peopleByPack(): Record<string, number> {
    const rows = this.db
      .prepare('SELECT pack_id, count(DISTINCT person_id) AS n FROM face_templates GROUP BY pack_id')
      .all() as { pack_id: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.pack_id, r.n]));
  }

  // --- Sealing at rest (store/data-encryption.ts walks these) ---------------------------------------

  /** Rows after `afterId` not sealed with `keyId` (`plaintextOnly`: rows not sealed at all), in id order. */
  unsealedBatch(afterId: number, limit: number, keyId: number, plaintextOnly: boolean): StoredTemplate[] {
    const rows = this.db
      .prepare(
        `SELECT id, person_id, key_id, embedding, thumbnail FROM face_templates
         WHERE id > ? AND ${plaintextOnly ? 'key_id IS NULL' : '(key_id IS NULL OR key_id <> ?)'}
         ORDER BY id LIMIT ?`,
      )
      .raw()
      .all(...(plaintextOnly ? [afterId, limit] : [afterId, keyId, limit])) as [
      number,
      number,
      number | null,
      Buffer,
      Buffer | null,
    ][];
    return rows.map((r) => ({ id: r[0], personId: r[1], keyId: r[2], embedding: r[3], thumbnail: r[4] }));
  }

  /** How many rows are not sealed with `keyId` (all keys: null). */
  countNotSealedWith(keyId: number | null): number {
    return (
      keyId === null
        ? this.db.prepare('SELECT count(*) FROM face_templates WHERE key_id IS NULL').pluck().get()
        : this.db.prepare('SELECT count(*) FROM face_templates WHERE key_id IS NULL OR key_id <> ?').pluck().get(keyId)
    ) as number;
  }

  /** The key ids rows are sealed with. */
  keyIdsInUse(): number[] {
    return this.db
      .prepare('SELECT DISTINCT key_id FROM face_templates WHERE key_id IS NOT NULL')
      .pluck()
      .all() as number[];
  }

  /**
   * Re-seal one stored row under the current key; the caller holds the transaction. Only `key_id`,
   * `embedding` and `thumbnail` change, which the change log does not record (migration 9).
   */
  reseal(row: StoredTemplate): void {
    const keyring = this.keyring;
    const embedding = openValue(keyring, 'embedding', row.id, row.personId, row.keyId, row.embedding);
    const thumbnail = row.thumbnail
      ? openValue(keyring, 'thumbnail', row.id, row.personId, row.keyId, row.thumbnail)
      : null;
    const sealed = sealTemplate(keyring, row.id, row.personId, embedding, thumbnail);
    this.db
      .prepare('UPDATE face_templates SET key_id = ?, embedding = ?, thumbnail = ? WHERE id = ? AND key_id IS ?')
      .run(sealed.keyId, sealed.embedding, sealed.thumbnail, row.id, row.keyId);
  }
}
