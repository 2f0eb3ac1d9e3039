import type { TemplateSource } from '../../shared/people';
import type { Db } from './db';

/**
 * Face templates: L2-normalised embeddings stored as little-endian Float32 BLOBs (never JSON), each
 * tied to the model pack that produced it. Only templates of the active pack are `usable`.
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

const INFO_COLUMNS = `id, person_id, pack_id, dim, quality, source, usable, thumbnail IS NOT NULL AS has_thumbnail, created_at`;
const toInfo = (r: InfoRow): TemplateInfo => ({
  ...r,
  quality: r.quality === null ? null : (JSON.parse(r.quality) as Record<string, unknown>),
  usable: r.usable === 1,
  has_thumbnail: r.has_thumbnail === 1,
});

export class TemplatesRepo {
  private readonly insertStmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO face_templates (person_id, pack_id, dim, embedding, quality, source, thumbnail, usable, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  insert(t: NewTemplate): number {
    const info = this.insertStmt.run(
      t.personId,
      t.packId,
      t.embedding.length,
      embeddingToBlob(t.embedding),
      t.quality ? JSON.stringify(t.quality) : null,
      t.source,
      t.thumbnail ? Buffer.from(t.thumbnail.buffer, t.thumbnail.byteOffset, t.thumbnail.byteLength) : null,
      t.usable === false ? 0 : 1,
      this.now().toISOString(),
    );
    return Number(info.lastInsertRowid);
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
    const b = this.db.prepare('SELECT embedding FROM face_templates WHERE id = ?').pluck().get(id) as
      Buffer | undefined;
    return b ? blobToEmbedding(b) : null;
  }

  thumbnail(id: number): Uint8Array | null {
    return (
      (this.db.prepare('SELECT thumbnail FROM face_templates WHERE id = ?').pluck().get(id) as Buffer | null) ?? null
    );
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
    const stmt = this.db
      .prepare(
        `SELECT t.id, t.person_id, t.embedding FROM face_templates t JOIN people p ON p.id = t.person_id
         WHERE t.pack_id = ? AND t.usable = 1 AND p.active = 1 ORDER BY t.id`,
      )
      .raw();
    for (const row of stmt.iterate(packId) as IterableIterator<[number, number, Buffer]>) {
      yield { id: row[0], personId: row[1], embedding: blobToEmbedding(row[2]) };
    }
  }

  /** The rows among `ids` that belong in the gallery of `packId` (usable, person active). */
  galleryRows(packId: string, ids: readonly number[]): GalleryRow[] {
    const out: GalleryRow[] = [];
    // SQLite's default limit on host parameters is 32766; stay well under it.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT t.id, t.person_id, t.embedding FROM face_templates t JOIN people p ON p.id = t.person_id
           WHERE t.id IN (${chunk.map(() => '?').join(',')}) AND t.pack_id = ? AND t.usable = 1 AND p.active = 1`,
        )
        .raw()
        .all(...chunk, packId) as [number, number, Buffer][];
      for (const r of rows) out.push({ id: r[0], personId: r[1], embedding: blobToEmbedding(r[2]) });
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
}
