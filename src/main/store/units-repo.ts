import { normalizeUnitName, type UnitInfo } from '../../shared/units';
import type { Db } from './db';

interface UnitRow {
  id: number;
  name: string;
}

/**
 * The managed list of units (migration 010). People and attendance keep the unit's name as text; this
 * repository keeps that text equal to a row here: {@link resolve} on every write of a person's unit,
 * and a rename rewrites the name wherever it is used, in one transaction.
 */
export class UnitsRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every unit, by name (case-insensitively), with how many people are in it. */
  list(): UnitInfo[] {
    return this.db
      .prepare(
        `SELECT u.id, u.name, (SELECT count(*) FROM people p WHERE p.unit = u.name) AS people
           FROM units u ORDER BY u.name`,
      )
      .all() as UnitInfo[];
  }

  names(): string[] {
    return this.db.prepare('SELECT name FROM units ORDER BY name').pluck().all() as string[];
  }

  get(id: number): UnitInfo | null {
    return (
      (this.db
        .prepare(
          `SELECT u.id, u.name, (SELECT count(*) FROM people p WHERE p.unit = u.name) AS people
             FROM units u WHERE u.id = ?`,
        )
        .get(id) as UnitInfo | undefined) ?? null
    );
  }

  /** The unit whose name equals `name` regardless of case and spacing. */
  byName(name: string): UnitRow | null {
    const n = normalizeUnitName(name);
    // `units.name` is COLLATE NOCASE: the comparison ignores case.
    return (this.db.prepare('SELECT id, name FROM units WHERE name = ?').get(n) as UnitRow | undefined) ?? null;
  }

  /**
   * The name to store for a unit someone entered: the existing spelling when the list has it in any
   * case, else the entered name (normalised), added to the list. Empty or null: no unit.
   */
  resolve(name: string | null | undefined): string | null {
    if (name === null || name === undefined) return null;
    const n = normalizeUnitName(name);
    if (n === '') return null;
    return this.byName(n)?.name ?? this.insert(n).name;
  }

  /** Adds a unit (the name normalised); the caller has checked it is new. */
  insert(name: string): UnitRow {
    const at = this.now().toISOString();
    const n = normalizeUnitName(name);
    const id = Number(
      this.db.prepare('INSERT INTO units (name, created_at, updated_at) VALUES (?, ?, ?)').run(n, at, at)
        .lastInsertRowid,
    );
    return { id, name: n };
  }

  /**
   * Renames a unit and every person and attendance record that names it, in one transaction (a rename
   * corrects a name: the history keeps being found by the unit's filter).
   */
  rename(id: number, name: string): void {
    const n = normalizeUnitName(name);
    this.db.transaction(() => {
      const old = this.db.prepare('SELECT name FROM units WHERE id = ?').pluck().get(id) as string | undefined;
      if (old === undefined || old === n) return;
      this.db.prepare('UPDATE units SET name = ?, updated_at = ? WHERE id = ?').run(n, this.now().toISOString(), id);
      this.db.prepare('UPDATE people SET unit = ? WHERE unit = ?').run(n, old);
      this.db.prepare('UPDATE attendance SET unit = ? WHERE unit = ?').run(n, old);
    })();
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM units WHERE id = ?').run(id).changes > 0;
  }
}
