import { isDataKeyError, type Keyring } from '../../store/data-cipher';
import { keyringFor, openEmbedding, type StoredEmbedding } from './data-key';
import type { Sql } from './db';
import { embeddingFromBytes } from './people';

/**
 * The SQL of the hub's face service: its in-memory gallery's snapshot and catch-up reads, API keys as
 * the face API checks them, and the kiosk figures /metrics reports.
 */

export interface GalleryTemplateRow {
  id: number;
  personId: number;
  embedding: Float32Array;
}

/**
 * Stored rows as the gallery holds them (opened). A row that does not open (tampered, or moved from
 * another row) is left out, never compared as garbage, with a warning.
 */
function galleryRows(keyring: Keyring, rows: readonly (StoredEmbedding & { id: number })[]): GalleryTemplateRow[] {
  const out: GalleryTemplateRow[] = [];
  for (const r of rows) {
    try {
      out.push({ id: r.id, personId: r.person_id, embedding: embeddingFromBytes(openEmbedding(keyring, r)) });
    } catch (e) {
      if (!isDataKeyError(e)) throw e;
      process.stderr.write(`hadir hub: warning: face template ${r.hub_id} left out of the gallery: ${e.message}\n`);
    }
  }
  return out;
}

/** Templates of `packId` of active people (what the gallery holds). */
export async function countGalleryTemplates(sql: Sql, packId: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM face_templates t JOIN people p ON p.id = t.person_id WHERE t.pack_id = $1 AND p.active`,
    [packId],
  );
  return rows[0].n;
}

/** One page of the gallery's templates, by template id (keyset: each page is one short statement). */
export async function galleryTemplatePage(
  sql: Sql,
  packId: string,
  afterId: number,
  limit: number,
): Promise<GalleryTemplateRow[]> {
  const keyring = keyringFor(sql);
  const { rows } = await sql.query<StoredEmbedding & { id: number }>(
    `SELECT t.id, t.hub_id, t.person_id, t.key_id, t.embedding FROM face_templates t JOIN people p ON p.id = t.person_id
      WHERE t.pack_id = $1 AND p.active AND t.id > $2 ORDER BY t.id LIMIT $3`,
    [packId, afterId, limit],
  );
  return galleryRows(keyring, rows);
}

/** The templates of some people (active or not: the caller drops the inactive). */
export async function galleryTemplatesOf(
  sql: Sql,
  packId: string,
  personIds: readonly number[],
): Promise<GalleryTemplateRow[]> {
  const keyring = keyringFor(sql);
  const { rows } = await sql.query<StoredEmbedding & { id: number }>(
    `SELECT id, hub_id, person_id, key_id, embedding FROM face_templates
      WHERE person_id = ANY($1::bigint[]) AND pack_id = $2 ORDER BY id`,
    [personIds, packId],
  );
  return galleryRows(keyring, rows);
}

export interface GalleryPersonRow {
  id: number;
  employee_number: string;
  full_name: string;
  active: boolean;
  /** The home site first, then the others where they may check in. */
  sites: number[];
}

const PERSON_SELECT = `SELECT p.id, p.employee_number, p.full_name, p.active,
        array_prepend(p.home_site_id, coalesce(array_agg(ps.site_id) FILTER (WHERE ps.site_id IS NOT NULL
                                                                          AND ps.site_id <> p.home_site_id), '{}'))::int[] AS sites
   FROM people p LEFT JOIN person_sites ps ON ps.person_id = p.id`;

/** One page of people by id. */
export async function galleryPeoplePage(sql: Sql, afterId: number, limit: number): Promise<GalleryPersonRow[]> {
  const { rows } = await sql.query<GalleryPersonRow>(
    `${PERSON_SELECT} WHERE p.id > $1 GROUP BY p.id ORDER BY p.id LIMIT $2`,
    [afterId, limit],
  );
  return rows;
}

/** These people as they are now; a deleted one is simply absent. */
export async function galleryPeople(sql: Sql, ids: readonly number[]): Promise<GalleryPersonRow[]> {
  const { rows } = await sql.query<GalleryPersonRow>(
    `${PERSON_SELECT} WHERE p.id = ANY($1::bigint[]) GROUP BY p.id ORDER BY p.id`,
    [ids],
  );
  return rows;
}

/** The change log after `after`, oldest first (every site's: the organisation's gallery follows all). */
export async function changesAfter(
  sql: Sql,
  after: number,
  limit: number,
): Promise<{ seq: number; kind: 'person' | 'site'; key: number }[]> {
  const { rows } = await sql.query<{ seq: number; kind: 'person' | 'site'; key: number }>(
    'SELECT seq, kind, key FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2',
    [after, limit],
  );
  return rows;
}

export async function siteCodes(sql: Sql): Promise<{ id: number; code: string }[]> {
  const { rows } = await sql.query<{ id: number; code: string }>('SELECT id, code FROM sites ORDER BY id');
  return rows;
}

/** Whether any unrevoked API key exists (binding beyond loopback needs one). */
export async function anyActiveApiKey(sql: Sql): Promise<boolean> {
  const { rows } = await sql.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL) AS any',
  );
  return rows[0].any;
}

export interface KioskFigures {
  device_id: string;
  site: string;
  /** From the kiosk's last status report; null before its first. */
  outbox_depth: number | null;
  /** Seconds between the newest received event's occurrence and its arrival; null before the first. */
  push_lag_s: number | null;
  /** Seconds since the kiosk was last heard from; null if never. */
  last_seen_s: number | null;
}

/** Per unrevoked kiosk: its outbox as it last said, how late its newest event arrived, how long it has been silent. */
export async function kioskFigures(sql: Sql): Promise<KioskFigures[]> {
  const { rows } = await sql.query<KioskFigures>(
    `SELECT d.id AS device_id, s.code AS site,
            (d.last_status->>'outbox_depth')::float8 AS outbox_depth,
            (SELECT extract(epoch FROM e.received_at - e.occurred_at)::float8 FROM attendance_events e
              WHERE e.device_id = d.id ORDER BY e.seq DESC LIMIT 1) AS push_lag_s,
            extract(epoch FROM now() - d.last_seen_at)::float8 AS last_seen_s
       FROM devices d JOIN sites s ON s.id = d.site_id
      WHERE d.revoked_at IS NULL ORDER BY d.id`,
  );
  return rows;
}
