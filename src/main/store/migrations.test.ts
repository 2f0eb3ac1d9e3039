import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readKeyFile } from './data-key-file';
import { migrate, openDb, schemaVersion, type Db } from './db';
import { MIGRATIONS } from './migrations';
import { TemplatesRepo } from './templates-repo';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-migrations-'));
  dirs.push(dir);
  return path.join(dir, 'hadir.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tables = (db: Db) =>
  (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[]
  ).sort();
const columns = (db: Db, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
const triggers = (db: Db) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]).sort();
const now = '2026-01-05T01:00:00.000Z';

/** A bare connection with the pragmas openDb sets, migrated step by step. */
function bare(): Db {
  const db = new Database(tempFile());
  db.pragma('foreign_keys = ON');
  return db;
}

describe('migrations', () => {
  it('are numbered 1, 2, 3… without gaps or repeats', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('apply on a fresh file, record the version, and are idempotent on reopen', () => {
    const file = tempFile();
    const db = openDb({ file });
    const latest = MIGRATIONS.at(-1)!.version;
    expect(schemaVersion(db)).toBe(latest);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    const before = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    db.close();
    const again = openDb({ file });
    expect(schemaVersion(again)).toBe(latest);
    expect(migrate(again)).toEqual([]);
    expect(again.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()).toEqual(before);
    expect(again.pragma('integrity_check', { simple: true })).toBe('ok');
    again.close();
  });

  it('refuse a database newer than this version understands', () => {
    const db = bare();
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer/);
    db.close();
  });

  it('roll a failed migration back whole, leaving the version where it was', () => {
    const db = bare();
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      { version: 2, name: 'broken', sql: 'CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('half');
    db.close();
  });

  it('1 core: people, templates, consents, settings and audit log with their constraints', () => {
    const db = bare();
    expect(migrate(db, MIGRATIONS, 1)).toEqual([1]);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['audit_log', 'consents', 'face_templates', 'people', 'settings']);
    const person = db
      .prepare('INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run('198501012010011001', 'Dr. Siti Rahayu, M.Kom.', now, now).lastInsertRowid;
    // Employee numbers are unique; active is 0/1.
    expect(() =>
      db
        .prepare('INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES (?, ?, ?, ?)')
        .run('198501012010011001', 'X', now, now),
    ).toThrow(/UNIQUE/);
    expect(() => db.prepare('UPDATE people SET active = 2 WHERE id = ?').run(person)).toThrow(/CHECK/);
    const insertTemplate = db.prepare(
      "INSERT INTO face_templates (person_id, pack_id, dim, embedding, source, created_at) VALUES (?, 'p', ?, ?, ?, ?)",
    );
    insertTemplate.run(person, 4, Buffer.alloc(16), 'upload', now);
    // The BLOB must hold exactly dim float32s; the source is one of three; the person must exist.
    expect(() => insertTemplate.run(person, 4, Buffer.alloc(12), 'upload', now)).toThrow(/CHECK/);
    expect(() => insertTemplate.run(person, 4, Buffer.alloc(16), 'scanner', now)).toThrow(/CHECK/);
    expect(() => insertTemplate.run(999, 4, Buffer.alloc(16), 'upload', now)).toThrow(/FOREIGN KEY/);
    db.prepare(
      "INSERT INTO consents (person_id, given_at, recorded_by, method) VALUES (?, ?, 'cli', 'signed form')",
    ).run(person, now);
    expect(() =>
      db.prepare("INSERT INTO audit_log (at, actor_type, action) VALUES (?, 'hacker', 'x')").run(now),
    ).toThrow(/CHECK/);
    // Deleting a person takes their templates and consents with them.
    db.prepare('DELETE FROM people WHERE id = ?').run(person);
    expect(db.prepare('SELECT count(*) FROM face_templates').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM consents').pluck().get()).toBe(0);
    db.close();
  });

  it('2 attendance: one record per person and day, history kept (unlinked) when the person goes', () => {
    const db = bare();
    migrate(db, MIGRATIONS, 2);
    expect(schemaVersion(db)).toBe(2);
    expect(tables(db)).toEqual(expect.arrayContaining(['attendance', 'holidays', 'leave']));
    const person = db
      .prepare('INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run('1', 'A', now, now).lastInsertRowid;
    const insert = db.prepare(
      "INSERT INTO attendance (person_id, employee_number, full_name, local_date, decided_by, created_at, updated_at) VALUES (?, '1', 'A', ?, 'face', ?, ?)",
    );
    insert.run(person, '2026-01-05', now, now);
    expect(() => insert.run(person, '2026-01-05', now, now)).toThrow(/UNIQUE/);
    db.prepare('DELETE FROM people WHERE id = ?').run(person);
    expect(db.prepare('SELECT person_id, employee_number FROM attendance').get()).toEqual({
      person_id: null,
      employee_number: '1',
    });
    expect(() =>
      db
        .prepare(
          "INSERT INTO leave (person_id, from_date, to_date, kind) VALUES (1, '2026-01-02', '2026-01-01', 'cuti')",
        )
        .run(),
    ).toThrow();
    db.close();
  });

  it('3 access: operators with roles, API keys stored as unique hashes', () => {
    const db = bare();
    migrate(db, MIGRATIONS, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(tables(db)).toEqual(expect.arrayContaining(['operators', 'api_keys']));
    expect(() =>
      db
        .prepare(
          "INSERT INTO operators (username, display_name, role, secret_hash, created_at) VALUES ('a', 'A', 'root', 'h', ?)",
        )
        .run(now),
    ).toThrow(/CHECK/);
    const key = db.prepare(
      "INSERT INTO api_keys (name, prefix, key_hash, scopes, created_at) VALUES ('k', 'hk_', 'h1', '[]', ?)",
    );
    key.run(now);
    expect(() => key.run(now)).toThrow(/UNIQUE/);
    db.close();
  });

  it('4 imports: one progress row per imported source, kept when the person is deleted', () => {
    const db = bare();
    migrate(db, MIGRATIONS, 4);
    expect(schemaVersion(db)).toBe(4);
    expect(columns(db, 'import_items')).toEqual(['source', 'run_id', 'status', 'person_id', 'reason', 'updated_at']);
    const person = db
      .prepare('INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run('1', 'A', now, now).lastInsertRowid;
    db.prepare(
      "INSERT INTO import_items (source, run_id, status, person_id, updated_at) VALUES ('/a', 'r', 'enrolled', ?, ?)",
    ).run(person, now);
    expect(() =>
      db
        .prepare("INSERT INTO import_items (source, run_id, status, updated_at) VALUES ('/b', 'r', 'maybe', ?)")
        .run(now),
    ).toThrow(/CHECK/);
    db.prepare('DELETE FROM people').run();
    expect(db.prepare('SELECT status, person_id FROM import_items').get()).toEqual({
      status: 'enrolled',
      person_id: null,
    });
    db.close();
  });

  it('5 attendance evidence: check-out columns and the audit target index', () => {
    const db = bare();
    migrate(db, MIGRATIONS, 5);
    expect(schemaVersion(db)).toBe(5);
    expect(columns(db, 'attendance')).toEqual(
      expect.arrayContaining(['check_out_kiosk_id', 'check_out_similarity', 'check_out_liveness']),
    );
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'audit_log_target'").pluck().get(),
    ).toBe('audit_log_target');
    db.close();
  });

  it('6 template changes: triggers log every template write, cascades and activity changes', () => {
    const db = bare();
    migrate(db, MIGRATIONS, 5);
    // Data from before the migration is not logged (a gallery loads it whole).
    const p1 = db
      .prepare("INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES ('1', 'A', ?, ?)")
      .run(now, now).lastInsertRowid;
    migrate(db, MIGRATIONS, 6);
    expect(schemaVersion(db)).toBe(6);
    expect(triggers(db)).toEqual([
      'face_templates_log_delete',
      'face_templates_log_insert',
      'face_templates_log_update',
      'people_log_active',
    ]);
    const log = () => db.prepare('SELECT template_id, person_id FROM template_changes ORDER BY seq').all();
    const t = (person: number | bigint) =>
      db
        .prepare(
          "INSERT INTO face_templates (person_id, pack_id, dim, embedding, source, created_at) VALUES (?, 'p', 1, ?, 'upload', ?)",
        )
        .run(person, Buffer.alloc(4), now).lastInsertRowid;
    const t1 = t(p1);
    const t2 = t(p1);
    expect(log()).toEqual([
      { template_id: t1, person_id: Number(p1) },
      { template_id: t2, person_id: Number(p1) },
    ]);
    db.prepare('DELETE FROM template_changes').run();
    db.prepare('UPDATE face_templates SET usable = 0 WHERE id = ?').run(t1);
    db.prepare('UPDATE face_templates SET quality = ? WHERE id = ?').run('{}', t2); // not a gallery column: not logged
    expect(log()).toEqual([{ template_id: t1, person_id: Number(p1) }]);
    db.prepare('DELETE FROM template_changes').run();
    db.prepare('UPDATE people SET active = 0 WHERE id = ?').run(p1);
    db.prepare('UPDATE people SET full_name = ? WHERE id = ?').run('B', p1); // not logged
    expect(log()).toHaveLength(2);
    db.prepare('DELETE FROM template_changes').run();
    // Deleting the person cascades to the templates, and the cascade fires the delete trigger.
    db.prepare('DELETE FROM people WHERE id = ?').run(p1);
    expect(log()).toEqual([
      { template_id: t1, person_id: Number(p1) },
      { template_id: t2, person_id: Number(p1) },
    ]);
    db.close();
  });

  it('7 hub sync: hub link, hub ids, and an outbox filled by attendance triggers only while joined', () => {
    const db = bare();
    migrate(db, MIGRATIONS, 7);
    expect(schemaVersion(db)).toBe(7);
    expect(tables(db)).toEqual(expect.arrayContaining(['hub_link', 'hub_outbox', 'hub_snapshot_seen']));
    expect(columns(db, 'people')).toContain('hub_id');
    expect(columns(db, 'face_templates')).toContain('hub_id');
    expect(triggers(db)).toEqual(expect.arrayContaining(['attendance_outbox_insert', 'attendance_outbox_update']));
    const person = (number: string, hubId: string | null) =>
      db
        .prepare(
          'INSERT INTO people (employee_number, full_name, hub_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(number, `P${number}`, hubId, now, now).lastInsertRowid;
    // Hub ids are unique, and any number of local people have none.
    const local = person('1', null);
    person('2', null);
    const replicated = person('3', 'h-3');
    expect(() => person('4', 'h-3')).toThrow(/UNIQUE/);
    const record = db.prepare(
      `INSERT INTO attendance (person_id, employee_number, full_name, local_date, check_in_at, check_out_at, late,
         similarity, liveness, check_out_similarity, check_out_liveness, decided_by, created_at, updated_at)
       VALUES (@person, @number, 'x', @date, @in, @out, @late, 0.8, 0.9, 0.7, 0.95, @by, @at, @at)`,
    );
    const outbox = () =>
      (db.prepare('SELECT seq, event FROM hub_outbox ORDER BY seq').all() as { seq: number; event: string }[]).map(
        (r) => ({ seq: r.seq, ...(JSON.parse(r.event) as { type: string }) }),
      );
    // Standalone: no hub link, no events.
    const standalone = record.run({
      person: local,
      number: '1',
      date: '2026-01-05',
      in: '2026-01-05T00:30:00.000Z',
      out: null,
      late: 0,
      by: 'face',
      at: now,
    }).lastInsertRowid;
    db.prepare('UPDATE attendance SET check_out_at = ? WHERE id = ?').run('2026-01-05T09:00:00.000Z', standalone);
    expect(outbox()).toEqual([]);

    db.prepare(
      `INSERT INTO hub_link (id, hub_url, hub_id, device_id, site_code, site, pack_id, joined_at)
       VALUES (1, 'http://hub', 'hub-1', 'dev-1', 'S', '{}', 'p', ?)`,
    ).run(now);
    expect(() =>
      db
        .prepare(
          `INSERT INTO hub_link (id, hub_url, hub_id, device_id, site_code, site, pack_id, joined_at)
           VALUES (2, 'http://hub', 'hub-1', 'dev-1', 'S', '{}', 'p', ?)`,
        )
        .run(now),
    ).toThrow(/CHECK/);
    // A check-in inserted: an `in` event with the person's hub id and the record's evidence.
    const day = record.run({
      person: replicated,
      number: '3',
      date: '2026-01-06',
      in: '2026-01-06T00:31:00.000Z',
      out: null,
      late: 1,
      by: 'face',
      at: now,
    }).lastInsertRowid;
    // A check-out set later: an `out` event with the check-out's evidence; other changes make none.
    db.prepare('UPDATE attendance SET check_out_at = ? WHERE id = ?').run('2026-01-06T09:01:00.000Z', day);
    db.prepare("UPDATE attendance SET note = 'x', check_out_at = check_out_at WHERE id = ?").run(day);
    // An operator's record with both times: two events in one insert; a local person has no hub id.
    record.run({
      person: local,
      number: '1',
      date: '2026-01-06',
      in: '2026-01-06T00:40:00.000Z',
      out: '2026-01-06T09:10:00.000Z',
      late: 0,
      by: 'operator',
      at: now,
    });
    expect(outbox()).toEqual([
      {
        seq: 1,
        person_hub_id: 'h-3',
        employee_number: '3',
        type: 'in',
        occurred_at: '2026-01-06T00:31:00.000Z',
        decision: { decided_by: 'face', late: true, similarity: 0.8, liveness: 0.9, clock_flag: null },
      },
      {
        seq: 2,
        person_hub_id: 'h-3',
        employee_number: '3',
        type: 'out',
        occurred_at: '2026-01-06T09:01:00.000Z',
        decision: { decided_by: 'face', late: true, similarity: 0.7, liveness: 0.95, clock_flag: null },
      },
      {
        seq: 3,
        person_hub_id: null,
        employee_number: '1',
        type: 'in',
        occurred_at: '2026-01-06T00:40:00.000Z',
        decision: { decided_by: 'operator', late: false, similarity: 0.8, liveness: 0.9, clock_flag: null },
      },
      {
        seq: 4,
        person_hub_id: null,
        employee_number: '1',
        type: 'out',
        occurred_at: '2026-01-06T09:10:00.000Z',
        decision: { decided_by: 'operator', late: false, similarity: 0.7, liveness: 0.95, clock_flag: null },
      },
    ]);
    // A rolled-back write gives its numbers back: the next event is 5, with no gap.
    expect(() =>
      db.transaction(() => {
        db.prepare('UPDATE attendance SET check_in_at = ? WHERE id = ?').run('2026-01-06T00:32:00.000Z', day);
        throw new Error('rollback');
      })(),
    ).toThrow('rollback');
    expect(outbox()).toHaveLength(4);
    // Acknowledged events are deleted; numbers are never reused after that.
    db.prepare('DELETE FROM hub_outbox WHERE seq <= 4').run();
    db.prepare('UPDATE attendance SET check_in_at = ? WHERE id = ?').run('2026-01-06T00:33:00.000Z', day);
    expect(outbox().map((e) => [e.seq, e.type])).toEqual([[5, 'in']]);
    // Setting a time to null (an operator's correction) is no event.
    db.prepare('UPDATE attendance SET check_out_at = NULL WHERE id = ?').run(day);
    expect(outbox()).toHaveLength(1);
    db.close();
  });

  it('8 kiosk pairing: one row per code hash, single use recorded, linked to the key it became', () => {
    const db = bare();
    migrate(db, MIGRATIONS, 8);
    expect(schemaVersion(db)).toBe(8);
    expect(columns(db, 'kiosk_pairing_codes')).toEqual([
      'id',
      'code_hash',
      'name',
      'created_by',
      'created_at',
      'expires_at',
      'used_at',
      'key_id',
    ]);
    const add = db.prepare(
      'INSERT INTO kiosk_pairing_codes (code_hash, name, created_at, expires_at, key_id) VALUES (?, ?, ?, ?, ?)',
    );
    add.run('h1', 'Loket 1', now, now, null);
    // The same code twice is refused by the constraint, not by a lookup.
    expect(() => add.run('h1', 'Loket 2', now, now, null)).toThrow(/UNIQUE/);
    // A code can only point at a key that exists.
    expect(() => add.run('h2', 'Loket 2', now, now, 999)).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('9 template encryption: key_id, sealed lengths, re-seals unlogged; plaintext rows sealed on first open', () => {
    const file = tempFile();
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 8);
    const person = db
      .prepare("INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES ('1', 'A', ?, ?)")
      .run(now, now).lastInsertRowid;
    const embedding = new Float32Array([0.6, 0.8, 0, 0]);
    const plain = Buffer.from(embedding.buffer);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 7, 7, 7, 7]);
    const id = Number(
      db
        .prepare(
          `INSERT INTO face_templates (person_id, pack_id, dim, embedding, source, thumbnail, hub_id, created_at)
           VALUES (?, 'p', 4, ?, 'upload', ?, 'h-1', ?)`,
        )
        .run(person, plain, jpeg, now).lastInsertRowid,
    );
    migrate(db, MIGRATIONS, 9);
    expect(columns(db, 'face_templates')).toContain('key_id');
    expect(triggers(db)).toEqual(
      expect.arrayContaining([
        'face_templates_log_delete',
        'face_templates_log_insert',
        'face_templates_log_update',
        'people_log_active',
      ]),
    );
    expect(
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'face_templates' ORDER BY name")
        .pluck()
        .all(),
    ).toEqual(['face_templates_hub_id', 'face_templates_pack', 'face_templates_person']);
    expect(db.prepare('SELECT key_id, embedding, thumbnail, hub_id FROM face_templates').get()).toEqual({
      key_id: null,
      embedding: plain,
      thumbnail: jpeg,
      hub_id: 'h-1',
    });
    // A sealed value is 33 bytes longer than the floats, a plain one exactly as long.
    const insert = (keyId: number | null, bytes: number) =>
      db
        .prepare(
          "INSERT INTO face_templates (person_id, pack_id, dim, key_id, embedding, source, created_at) VALUES (?, 'p', 4, ?, ?, 'upload', ?)",
        )
        .run(person, keyId, Buffer.alloc(bytes), now);
    expect(() => insert(null, 16 + 33)).toThrow(/CHECK/);
    expect(() => insert(7, 16)).toThrow(/CHECK/);
    const sealedId = Number(insert(7, 16 + 33).lastInsertRowid);
    const log = () => db.prepare('SELECT template_id FROM template_changes').pluck().all();
    db.prepare('DELETE FROM template_changes').run();
    // Re-sealing (key and bytes only) is not a change a gallery needs; anything else still is.
    db.prepare('UPDATE face_templates SET key_id = 8, embedding = ? WHERE id = ?').run(Buffer.alloc(49), sealedId);
    expect(log()).toEqual([]);
    db.prepare('UPDATE face_templates SET usable = 0 WHERE id = ?').run(sealedId);
    db.prepare('UPDATE people SET active = 0 WHERE id = ?').run(person);
    expect(log()).toEqual([sealedId, id, sealedId]);
    db.close();
  });

  it('9 template encryption: the first open with a key makes the key file and seals plaintext rows in place', () => {
    const file = tempFile();
    const keyFile = path.join(tempFile().replace(/hadir\.db$/, ''), 'keys', 'data.key');
    // A database of the release before, with a template written in the clear.
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.pragma('journal_mode = WAL');
    migrate(db, MIGRATIONS, 8);
    const person = db
      .prepare("INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES ('1', 'A', ?, ?)")
      .run(now, now).lastInsertRowid;
    const embedding = new Float32Array([0.6, 0.8, 0, 0]);
    const plain = Buffer.from(embedding.buffer);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 7, 7, 7, 7]);
    const id = Number(
      db
        .prepare(
          `INSERT INTO face_templates (person_id, pack_id, dim, embedding, source, thumbnail, created_at)
           VALUES (?, 'p', 4, ?, 'upload', ?, ?)`,
        )
        .run(person, plain, jpeg, now).lastInsertRowid,
    );
    db.close();

    // The first open with a key: the key file is made (0600 in 0700), the plaintext row sealed in place.
    const opened = openDb({ file, keyFile });
    try {
      const key = readKeyFile(keyFile)!;
      expect(key).toHaveLength(1);
      if (process.platform !== 'win32') {
        expect(statSync(keyFile).mode & 0o777).toBe(0o600);
        expect(statSync(path.dirname(keyFile)).mode & 0o777).toBe(0o700);
      }
      const row = opened.prepare('SELECT key_id, embedding, thumbnail FROM face_templates WHERE id = ?').get(id) as {
        key_id: number;
        embedding: Buffer;
        thumbnail: Buffer;
      };
      expect(row.key_id).toBe(key[0].id);
      expect(row.embedding.length).toBe(16 + 33);
      expect(row.embedding.includes(plain)).toBe(false);
      expect(row.thumbnail.includes(jpeg.subarray(0, 4))).toBe(false);
      const templates = new TemplatesRepo(opened);
      expect(Array.from(templates.embedding(id)!)).toEqual(Array.from(embedding));
      expect(Buffer.from(templates.thumbnail(id)!)).toEqual(jpeg);
      // The plaintext is gone from the file and its WAL (secure_delete, then a checkpoint).
      const onDisk = Buffer.concat([
        readFileSync(file),
        existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0),
      ]);
      expect(onDisk.includes(plain)).toBe(false);
      expect(onDisk.includes(jpeg.subarray(0, 12))).toBe(false);
    } finally {
      opened.close();
    }
  });
});
