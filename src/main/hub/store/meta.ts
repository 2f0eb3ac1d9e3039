import type { Sql } from './db';

export interface HubMeta {
  hubId: string;
  /** Signs kiosk cursors (HMAC-SHA256). */
  cursorSecret: Buffer;
}

export async function readHubMeta(sql: Sql): Promise<HubMeta> {
  const { rows } = await sql.query<{ hub_id: string; cursor_secret: Buffer }>(
    'SELECT hub_id, cursor_secret FROM hub_meta',
  );
  if (rows.length !== 1) throw new Error('hub_meta is missing: run `hadir hub migrate`');
  return { hubId: rows[0].hub_id, cursorSecret: rows[0].cursor_secret };
}
