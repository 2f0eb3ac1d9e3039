import { randomUUID } from 'node:crypto';
import { keyringFor, openEmbedding, sealEmbedding } from './data-key';
import type { Sql } from './db';

export interface PersonRow {
  id: number;
  hub_id: string;
  employee_number: string;
  full_name: string;
  unit: string | null;
  home_site_id: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, hub_id, employee_number, full_name, unit, home_site_id, active, created_at, updated_at';

export interface NewPerson {
  employeeNumber: string;
  fullName: string;
  unit: string | null;
  homeSiteId: number;
}

export async function insertPerson(sql: Sql, p: NewPerson): Promise<PersonRow> {
  const { rows } = await sql.query<PersonRow>(
    `INSERT INTO people (employee_number, full_name, unit, home_site_id) VALUES ($1, $2, $3, $4)
     RETURNING ${COLUMNS}`,
    [p.employeeNumber, p.fullName, p.unit, p.homeSiteId],
  );
  return rows[0];
}

/** Many people in one statement (imports, tests of large sites). */
export async function insertPeople(sql: Sql, people: readonly NewPerson[]): Promise<PersonRow[]> {
  const { rows } = await sql.query<PersonRow>(
    `INSERT INTO people (employee_number, full_name, unit, home_site_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
     RETURNING ${COLUMNS}`,
    [
      people.map((p) => p.employeeNumber),
      people.map((p) => p.fullName),
      people.map((p) => p.unit),
      people.map((p) => p.homeSiteId),
    ],
  );
  return rows;
}

/** The person, locked until the transaction ends (so two edits of one person take turns). */
export async function personByEmployeeNumber(
  sql: Sql,
  employeeNumber: string,
  lock = false,
): Promise<PersonRow | null> {
  const { rows } = await sql.query<PersonRow>(
    `SELECT ${COLUMNS} FROM people WHERE employee_number = $1${lock ? ' FOR UPDATE' : ''}`,
    [employeeNumber],
  );
  return rows[0] ?? null;
}

export async function personById(sql: Sql, id: number, lock = false): Promise<PersonRow | null> {
  const { rows } = await sql.query<PersonRow>(
    `SELECT ${COLUMNS} FROM people WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function updatePerson(
  sql: Sql,
  id: number,
  p: { fullName: string; unit: string | null; homeSiteId: number; active: boolean },
): Promise<void> {
  await sql.query(
    `UPDATE people SET full_name = $2, unit = $3, home_site_id = $4, active = $5, updated_at = now() WHERE id = $1`,
    [id, p.fullName, p.unit, p.homeSiteId, p.active],
  );
}

/** Templates, consents and leave go with the person (ON DELETE CASCADE); attendance keeps its rows. */
export async function deletePerson(sql: Sql, id: number): Promise<void> {
  await sql.query('DELETE FROM people WHERE id = $1', [id]);
}

export async function extraSitesOf(sql: Sql, personId: number): Promise<number[]> {
  const { rows } = await sql.query<{ site_id: number }>(
    'SELECT site_id FROM person_sites WHERE person_id = $1 ORDER BY site_id',
    [personId],
  );
  return rows.map((r) => r.site_id);
}

export async function setExtraSites(sql: Sql, personId: number, siteIds: readonly number[]): Promise<void> {
  await sql.query('DELETE FROM person_sites WHERE person_id = $1', [personId]);
  if (siteIds.length) {
    await sql.query(
      'INSERT INTO person_sites (person_id, site_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING',
      [personId, [...new Set(siteIds)]],
    );
  }
}

export interface PersonListRow extends PersonRow {
  home_site: string;
  also_sites: string[];
  templates: number;
}

/** Everyone (or everyone a site may see), by employee number. */
export async function listPeople(sql: Sql, siteId: number | null): Promise<PersonListRow[]> {
  const { rows } = await sql.query<PersonListRow>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `p.${c}`)
      .join(', ')}, s.code AS home_site,
            coalesce((SELECT array_agg(x.code ORDER BY x.code) FROM person_sites ps JOIN sites x ON x.id = ps.site_id
                       WHERE ps.person_id = p.id), '{}') AS also_sites,
            (SELECT count(*) FROM face_templates t WHERE t.person_id = p.id) AS templates
       FROM people p JOIN sites s ON s.id = p.home_site_id
      WHERE $1::bigint IS NULL OR p.home_site_id = $1
         OR EXISTS (SELECT 1 FROM person_sites ps WHERE ps.person_id = p.id AND ps.site_id = $1)
      ORDER BY p.employee_number`,
    [siteId],
  );
  return rows;
}

// --- What a site's kiosks see ----------------------------------------------------------------------

/**
 * The SQL condition "person `p` may be seen by the site in parameter `site`" (e.g. `$1`): its home site,
 * or a site it was granted. Replication, the hub's days for a kiosk and anything else a site's kiosks
 * receive use this one rule.
 */
export function visibleToSite(site: string): string {
  return `(p.home_site_id = ${site}::bigint
  OR EXISTS (SELECT 1 FROM person_sites ps WHERE ps.person_id = p.id AND ps.site_id = ${site}::bigint))`;
}

const VISIBLE_TO = visibleToSite('$1');

/** Ids of the people a site may see, after `afterId`, in id order. */
export async function visiblePeopleIds(sql: Sql, siteId: number, afterId: number, limit: number): Promise<number[]> {
  const { rows } = await sql.query<{ id: number }>(
    `SELECT p.id FROM people p WHERE p.id > $2 AND ${VISIBLE_TO} ORDER BY p.id LIMIT $3`,
    [siteId, afterId, limit],
  );
  return rows.map((r) => r.id);
}

/** How many people a site may see (with `uptoId`: of those with id ≤ it). */
export async function countVisiblePeople(sql: Sql, siteId: number, uptoId: number | null = null): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM people p WHERE ($2::bigint IS NULL OR p.id <= $2) AND ${VISIBLE_TO}`,
    [siteId, uptoId],
  );
  return rows[0].n;
}

export interface PersonState extends PersonRow {
  /** Whether the site asked about may see this person now. */
  visible: boolean;
}

export async function personStates(sql: Sql, siteId: number, ids: readonly number[]): Promise<PersonState[]> {
  const { rows } = await sql.query<PersonState>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `p.${c}`)
      .join(', ')}, ${VISIBLE_TO} AS visible
       FROM people p WHERE p.id = ANY($2::bigint[])`,
    [siteId, ids],
  );
  return rows;
}

export interface TemplateRow {
  person_id: number;
  hub_id: string;
  pack_id: string;
  dim: number;
  /** Float32 little-endian bytes, opened (the hub stores them sealed). */
  embedding: Buffer;
  created_at: Date;
}

/** The templates of these people, opened: kiosks receive them in the clear and seal under their own key. */
export async function templatesOf(sql: Sql, personIds: readonly number[], packId: string): Promise<TemplateRow[]> {
  const keyring = keyringFor(sql);
  const { rows } = await sql.query<TemplateRow & { key_id: number | null }>(
    `SELECT person_id, hub_id, pack_id, dim, key_id, embedding, created_at FROM face_templates
      WHERE person_id = ANY($1::bigint[]) AND pack_id = $2 ORDER BY person_id, id`,
    [personIds, packId],
  );
  return rows.map(({ key_id, ...r }) => ({ ...r, embedding: openEmbedding(keyring, { ...r, key_id }) }));
}

export interface LeaveRow {
  person_id: number;
  from_date: string;
  to_date: string;
  kind: string;
}

/** Leave that touches `fromDate` or later. */
export async function leaveFrom(sql: Sql, personIds: readonly number[], fromDate: string): Promise<LeaveRow[]> {
  const { rows } = await sql.query<LeaveRow>(
    `SELECT person_id, from_date, to_date, kind FROM leave
      WHERE person_id = ANY($1::bigint[]) AND to_date >= $2::date ORDER BY person_id, from_date`,
    [personIds, fromDate],
  );
  return rows;
}

export interface NewTemplate {
  personId: number;
  packId: string;
  embedding: Float32Array;
  quality: unknown | null;
  source: string;
}

/** Float32 little-endian bytes, whatever the machine's own byte order. */
export function embeddingBytes(v: Float32Array): Buffer {
  const b = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i], i * 4);
  return b;
}

export function embeddingFromBytes(b: Buffer): Float32Array {
  // One copy into an aligned buffer on little-endian machines (all that run Hadir); per float otherwise.
  if (LITTLE_ENDIAN) return new Float32Array(Uint8Array.from(b).buffer);
  const v = new Float32Array(b.length / 4);
  for (let i = 0; i < v.length; i++) v[i] = b.readFloatLE(i * 4);
  return v;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Store a template sealed under the hub's current data key. Its uuid is chosen here, not by the
 * database, because the sealed bytes are bound to it (and to the person).
 */
export async function insertTemplate(sql: Sql, t: NewTemplate): Promise<{ id: number; hub_id: string }> {
  const hubId = randomUUID();
  const sealed = sealEmbedding(keyringFor(sql), embeddingBytes(t.embedding), hubId, t.personId);
  const { rows } = await sql.query<{ id: number; hub_id: string }>(
    `INSERT INTO face_templates (hub_id, person_id, pack_id, dim, key_id, embedding, quality, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, hub_id`,
    [
      hubId,
      t.personId,
      t.packId,
      t.embedding.length,
      sealed.keyId,
      sealed.embedding,
      t.quality === null ? null : JSON.stringify(t.quality),
      t.source,
    ],
  );
  return rows[0];
}

/** A consent record; `givenAt` (an ISO instant) defaults to now. */
export async function insertConsent(
  sql: Sql,
  c: { personId: number; method: string; recordedBy: string | null; givenAt?: string | null },
): Promise<void> {
  await sql.query(
    'INSERT INTO consents (person_id, method, recorded_by, given_at) VALUES ($1, $2, $3, coalesce($4::timestamptz, now()))',
    [c.personId, c.method, c.recordedBy, c.givenAt ?? null],
  );
}

export async function insertLeave(
  sql: Sql,
  l: { personId: number; fromDate: string; toDate: string; kind: string; note: string | null },
): Promise<void> {
  await sql.query('INSERT INTO leave (person_id, from_date, to_date, kind, note) VALUES ($1, $2, $3, $4, $5)', [
    l.personId,
    l.fromDate,
    l.toDate,
    l.kind,
    l.note,
  ]);
}

/** The organisation-wide duplicate check's outcome for a person's latest enrollment at the hub (migration 9). */
export async function setDuplicateCheck(sql: Sql, personId: number, outcome: 'passed' | 'overridden'): Promise<void> {
  await sql.query('UPDATE people SET duplicate_check = $2 WHERE id = $1', [personId, outcome]);
}
