import type { Sql } from './db';

/** `%`, `_` and the escape character itself are literal in a search: "10_2" finds "10_2", not "1042". */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface PeopleSearch {
  /** NIP or name, anywhere in it, case-insensitive. */
  q: string | null;
  unit: string | null;
  /** People of these sites (home or extra); null: everyone. */
  siteIds: readonly number[] | null;
  limit: number;
  offset: number;
}

export interface PersonSummaryRow {
  id: number;
  employee_number: string;
  full_name: string;
  unit: string | null;
  active: boolean;
  home_site: string;
  also_sites: string[];
  templates: Record<string, number>;
  consent_method: string | null;
  consent_given_at: Date | null;
  consent_withdrawn_at: Date | null;
  duplicate_check: 'passed' | 'overridden' | null;
}

const WHERE = `($1::text IS NULL OR p.employee_number ILIKE $1 ESCAPE '\\' OR p.full_name ILIKE $1 ESCAPE '\\')
  AND ($2::text IS NULL OR p.unit = $2)
  AND ($3::bigint[] IS NULL OR p.home_site_id = ANY($3::bigint[])
       OR EXISTS (SELECT 1 FROM person_sites ps WHERE ps.person_id = p.id AND ps.site_id = ANY($3::bigint[])))`;

/** One page of people by employee number (bytewise: the same order on every server), and how many match in all. */
export async function searchPeople(sql: Sql, s: PeopleSearch): Promise<{ rows: PersonSummaryRow[]; total: number }> {
  const args = [s.q === null ? null : likePattern(s.q), s.unit, s.siteIds === null ? null : [...s.siteIds]];
  const [count, page] = await Promise.all([
    sql.query<{ n: number }>(`SELECT count(*) AS n FROM people p WHERE ${WHERE}`, args),
    // The page's ids first (a sort of the matches' numbers only), then the details of those 50.
    sql.query<PersonSummaryRow>(
      `WITH page AS (
         SELECT p.id, p.employee_number FROM people p WHERE ${WHERE}
          ORDER BY p.employee_number COLLATE "C" LIMIT $4 OFFSET $5
       )
       SELECT p.id, p.employee_number, p.full_name, p.unit, p.active, p.duplicate_check, s.code AS home_site,
              coalesce((SELECT array_agg(x.code ORDER BY x.code) FROM person_sites ps JOIN sites x ON x.id = ps.site_id
                         WHERE ps.person_id = p.id AND x.id <> p.home_site_id), '{}') AS also_sites,
              coalesce((SELECT jsonb_object_agg(t.pack_id, t.n)
                          FROM (SELECT pack_id, count(*) AS n FROM face_templates
                                 WHERE person_id = p.id GROUP BY pack_id) t), '{}'::jsonb) AS templates,
              c.method AS consent_method, c.given_at AS consent_given_at, c.withdrawn_at AS consent_withdrawn_at
         FROM page JOIN people p ON p.id = page.id JOIN sites s ON s.id = p.home_site_id
         LEFT JOIN LATERAL (SELECT method, given_at, withdrawn_at FROM consents
                             WHERE person_id = p.id ORDER BY given_at DESC, id DESC LIMIT 1) c ON true
        ORDER BY page.employee_number COLLATE "C"`,
      [...args, s.limit, s.offset],
    ),
  ]);
  return { rows: page.rows, total: count.rows[0].n };
}

/** The home site's code of a person (null: no such person). */
export async function homeSiteOf(sql: Sql, employeeNumber: string): Promise<string | null> {
  const { rows } = await sql.query<{ code: string }>(
    'SELECT s.code FROM people p JOIN sites s ON s.id = p.home_site_id WHERE p.employee_number = $1',
    [employeeNumber],
  );
  return rows[0]?.code ?? null;
}
