import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreshDatabase, freshHubDatabase } from '../../testing/postgres';
import { HUB_MIGRATIONS } from '../migrations';
import { openHubPool } from './db';
import { runHubMigrations } from './migrate';

describe('hub migrations', () => {
  let db: FreshDatabase;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = openHubPool(db.url, { max: 2 });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await freshHubDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db?.drop();
  });

  it('migrates a fresh database once, and a second run finds nothing to do', async () => {
    const p = pool();
    const first = await runHubMigrations(p);
    expect(first.applied).toEqual(HUB_MIGRATIONS.map((m) => m.version));
    const second = await runHubMigrations(p);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(first.version);
    const { rows } = await p.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(HUB_MIGRATIONS.map((m) => m.version));
    const meta = await p.query('SELECT hub_id, octet_length(cursor_secret) AS n FROM hub_meta');
    expect(meta.rows).toHaveLength(1);
    expect(meta.rows[0].n).toBeGreaterThanOrEqual(32);
  });

  it('several processes starting at once migrate the schema exactly once', async () => {
    const other = await freshHubDatabase();
    const many = Array.from({ length: 6 }, () => openHubPool(other.url, { max: 1 }));
    try {
      const reports = await Promise.all(many.map((p) => runHubMigrations(p)));
      const applied = reports.flatMap((r) => r.applied);
      expect(applied).toEqual(HUB_MIGRATIONS.map((m) => m.version));
      const meta = await many[0].query('SELECT count(*) AS n FROM hub_meta');
      expect(meta.rows[0].n).toBe(1);
    } finally {
      await Promise.all(many.map((p) => p.end()));
      await other.drop();
    }
  });

  it('refuses a database migrated by a newer hadir', async () => {
    const p = pool();
    await p.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')");
    await expect(runHubMigrations(p)).rejects.toThrow(/newer than this hadir/);
    await p.query('DELETE FROM schema_migrations WHERE version = 999');
  });

  it('a failing migration leaves the last good version and no partial change', async () => {
    const p = pool();
    const broken = [
      ...HUB_MIGRATIONS,
      { version: 900, name: 'half', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' },
    ];
    await expect(runHubMigrations(p, broken)).rejects.toMatchObject({ code: 'INTERNAL' });
    const t = await p.query("SELECT to_regclass('half_done') AS t");
    expect(t.rows[0].t).toBeNull();
    const v = await p.query('SELECT max(version) AS v FROM schema_migrations');
    expect(v.rows[0].v).toBe(HUB_MIGRATIONS.at(-1)!.version);
  });
});
