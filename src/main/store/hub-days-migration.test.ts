import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from './db';

/** Migration 012 on a real SQLite file at version 11: the hub's days, one row per employee number and date. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migration 012: hub days', () => {
  it('adds hub_days keyed by employee number and date, with its flags checked', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-hub-days-'));
    dirs.push(dir);
    const db = new Database(path.join(dir, 'hadir.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, undefined, 11);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'hub_days'").pluck().get()).toBe(0);
    expect(migrate(db, undefined, 12)).toEqual([12]);
    expect(schemaVersion(db)).toBe(12);
    const insert = db.prepare(
      `INSERT INTO hub_days (employee_number, date, person_hub_id, late, corrected, status, fetched_at)
       VALUES (?, ?, 'h1', ?, ?, 'present', '2026-12-07T10:00:00Z')`,
    );
    insert.run('E1', '2026-12-07', null, 0);
    insert.run('E1', '2026-12-08', 1, 1);
    // One row per person and date; flags are 0 or 1.
    expect(() => insert.run('E1', '2026-12-07', 0, 0)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run('E2', '2026-12-07', 2, 0)).toThrow(/CHECK/);
    expect(() => insert.run('E2', '2026-12-07', 0, 5)).toThrow(/CHECK/);
    expect(db.prepare('SELECT late_seconds, early, early_seconds FROM hub_days LIMIT 1').get()).toEqual({
      late_seconds: 0,
      early: 0,
      early_seconds: 0,
    });
    db.close();
  });
});
