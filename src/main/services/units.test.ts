import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HadirError } from '../../shared/errors';
import { openDb } from '../store/db';
import { PeopleRepo } from '../store/people-repo';
import { UnitService } from './units';

/** The managed unit list on a real SQLite file: add, rename, delete, their refusals and audit. */
const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-units-'));
  dirs.push(dir);
  return path.join(dir, 'hadir.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const OP = { type: 'operator' as const, id: 'siti' };

describe('UnitService', () => {
  it('adds, renames and deletes units: existing spelling kept, CONFLICT for a taken name or a unit in use', () => {
    const db = openDb({ file: tempFile() });
    try {
      const people = new PeopleRepo(db);
      const units = new UnitService(db);
      const ani = people.create({ employeeNumber: '1', fullName: 'Ani', unit: 'Keuangn' });
      const added = units.add(' Umum ', OP);
      expect(added).toMatchObject({ created: true, unit: { name: 'Umum', people: 0 } });
      expect(units.add('UMUM', OP)).toMatchObject({ created: false, unit: { id: added.unit.id, name: 'Umum' } });

      const typo = units.list().find((u) => u.name === 'Keuangn')!;
      expect(units.rename(typo.id, 'Keuangan', OP)).toMatchObject({ name: 'Keuangan', people: 1 });
      expect(people.get(ani.id)!.unit).toBe('Keuangan');
      const conflict = (() => {
        try {
          units.rename(typo.id, 'umum', OP);
        } catch (e) {
          return e as HadirError;
        }
      })();
      expect(conflict).toMatchObject({ code: 'CONFLICT', reason: 'unit_exists' });
      // A change of case only is the same unit renamed.
      expect(units.rename(typo.id, 'KEUANGAN', OP).name).toBe('KEUANGAN');

      expect(() => units.delete(typo.id, OP)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
      units.delete(added.unit.id, OP);
      expect(units.names()).toEqual(['KEUANGAN']);
      expect(() => units.delete(added.unit.id, OP)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      expect(() => units.add('   ', OP)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
      expect(() => units.add('x'.repeat(121), OP)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
      const actions = db.prepare("SELECT action FROM audit_log WHERE action LIKE 'unit.%' ORDER BY id").pluck().all();
      expect(actions).toEqual(['unit.create', 'unit.rename', 'unit.rename', 'unit.delete']);
    } finally {
      db.close();
    }
  });
});
