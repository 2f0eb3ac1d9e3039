import type pg from 'pg';
import { HadirError } from '../../../shared/errors';
import { HUB_MIGRATIONS, type HubMigration } from '../migrations';

/**
 * Advisory lock keys: one number space shared by everything on the database server, so ours start
 * with "hadir" in ASCII (0x6861646972) to stay clear of anyone else's.
 */
export const MIGRATION_LOCK = 0x6861646972_01;

export interface MigrationReport {
  /** Versions applied by this call (empty when the schema was current). */
  applied: number[];
  version: number;
}

/**
 * Bring the schema up to date. Hub processes that start together each call this: the advisory lock
 * makes all but one wait, and they then find nothing left to do. Each migration runs in a
 * transaction of its own with its `schema_migrations` row, so a failure leaves the last good version.
 */
export async function runHubMigrations(
  pool: pg.Pool,
  migrations: readonly HubMigration[] = HUB_MIGRATIONS,
): Promise<MigrationReport> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      const known = Math.max(0, ...migrations.map((m) => m.version));
      const newest = Math.max(0, ...done);
      if (newest > known) {
        throw new HadirError(
          'BAD_REQUEST',
          `the hub database is at schema version ${newest}, newer than this hadir (${known}): upgrade hadir`,
        );
      }
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw new HadirError('INTERNAL', `hub migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, {
            cause: e,
          });
        }
        applied.push(m.version);
      }
      return { applied, version: Math.max(newest, ...applied) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {
        broken = true;
      });
    }
  } finally {
    client.release(broken);
  }
}
