import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDb } from './db';
import { PeopleRepo } from './people-repo';

/**
 * Migration 010 on a real SQLite file that had people (and attendance) before it: units folded into
 * one managed list, case-insensitive duplicates merged to the most common spelling.
 */
const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-units-'));
  dirs.push(dir);
  return path.join(dir, 'hadir.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migration 010: units', () => {
  it('folds existing units: spacing collapsed, case duplicates merged to the most common spelling', () => {
    const file = tempFile();
    const before = new Database(file);
    before.pragma('foreign_keys = ON');
    migrate(before, undefined, 9);
    const add = before.prepare(
      `INSERT INTO people (employee_number, full_name, unit, active, created_at, updated_at)
       VALUES (?, ?, ?, 1, ?, ?)`,
    );
    const units = [
      'keuangan',
      'Keuangan',
      ' Keuangan ',
      'KEUANGAN',
      'Bagian  Umum',
      'bagian umum',
      'Bagian\tUmum',
      '',
      null,
      'TI',
    ];
    units.forEach((u, i) => add.run(`NIP${i}`, `Orang ${i}`, u, `2025-01-0${(i % 9) + 1}T00:00:00Z`, '2025-01-01'));
    before
      .prepare(
        `INSERT INTO attendance (person_id, employee_number, full_name, unit, local_date, check_in_at, kiosk_id,
           decided_by, late, created_at, updated_at)
         VALUES (1, 'NIP0', 'Orang 0', 'keuangan', '2025-01-06', '2025-01-06T00:10:00Z', 'lobby', 'face', 0,
           '2025-01-06T00:10:00Z', '2025-01-06T00:10:00Z')`,
      )
      .run();
    before.close();

    const db = openDb({ file });
    try {
      const list = db.prepare('SELECT name FROM units ORDER BY name').pluck().all();
      // "Keuangan" twice (once with spaces around it) beats "keuangan" and "KEUANGAN" once each;
      // "Bagian Umum" (from "Bagian  Umum" and "Bagian\tUmum") beats "bagian umum".
      expect(list).toEqual(['Bagian Umum', 'Keuangan', 'TI']);
      const people = db.prepare('SELECT unit FROM people ORDER BY id').pluck().all();
      expect(people).toEqual([
        'Keuangan',
        'Keuangan',
        'Keuangan',
        'Keuangan',
        'Bagian Umum',
        'Bagian Umum',
        'Bagian Umum',
        null,
        null,
        'TI',
      ]);
      expect(db.prepare('SELECT unit FROM attendance').pluck().get()).toBe('Keuangan');
      // Unique regardless of case, enforced by the table itself.
      expect(() =>
        db.prepare("INSERT INTO units (name, created_at, updated_at) VALUES ('keuangan', 'x', 'x')").run(),
      ).toThrow(/UNIQUE/);
      expect(() =>
        db.prepare("INSERT INTO units (name, created_at, updated_at) VALUES (' Baru', 'x', 'x')").run(),
      ).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });

  it('writes a person’s unit in the list’s spelling, adding new ones', () => {
    const db = openDb({ file: tempFile() });
    try {
      const people = new PeopleRepo(db);
      people.create({ employeeNumber: '1', fullName: 'Ani', unit: 'Keuangan' });
      const budi = people.create({ employeeNumber: '2', fullName: 'Budi', unit: '  keuangan ' });
      expect(budi.unit).toBe('Keuangan');
      expect(people.update(budi.id, { unit: 'bagian   umum' })!.unit).toBe('bagian umum');
      expect(people.create({ employeeNumber: '3', fullName: 'Cici', unit: 'BAGIAN UMUM' }).unit).toBe('bagian umum');
      expect(people.units()).toEqual(['bagian umum', 'Keuangan']);
    } finally {
      db.close();
    }
  });
});
