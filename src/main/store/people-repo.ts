import type { Person, PersonSummary } from '../../shared/people';
import type { Db } from './db';
import { UnitsRepo } from './units-repo';

export interface NewPerson {
  employeeNumber: string;
  fullName: string;
  unit?: string | null;
  active?: boolean;
}

export interface PersonPatch {
  employeeNumber?: string;
  fullName?: string;
  unit?: string | null;
}

export interface PeopleQuery {
  /** Matches employee number or name, case-insensitively, anywhere in the text. */
  search?: string;
  unit?: string;
  active?: boolean;
  limit?: number;
  offset?: number;
  /** Count templates of this pack (usable ones) in each summary. */
  packId?: string;
}

interface PersonRow extends Omit<Person, 'active'> {
  active: number;
}

const toPerson = (r: PersonRow): Person => ({ ...r, active: r.active === 1 });

/** The columns of a {@link Person}, named: the table has more (`hub_id`, a replica's link to the hub). */
const COLUMNS = 'id, employee_number, full_name, unit, active, created_at, updated_at';
const P_COLUMNS = COLUMNS.split(', ')
  .map((c) => `p.${c}`)
  .join(', ');

/** People: who can be recognised. */
export class PeopleRepo {
  private readonly getStmt;
  private readonly byNumberStmt;
  /** Every unit written goes through the managed list: "keuangan" is stored as the list's "Keuangan". */
  private readonly unitList: UnitsRepo;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.unitList = new UnitsRepo(db, now);
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM people WHERE id = ?`);
    this.byNumberStmt = db.prepare(`SELECT ${COLUMNS} FROM people WHERE employee_number = ?`);
  }

  create(p: NewPerson): Person {
    const at = this.now().toISOString();
    const id = this.db.transaction(() => {
      const unit = this.unitList.resolve(p.unit);
      const info = this.db
        .prepare(
          `INSERT INTO people (employee_number, full_name, unit, active, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(p.employeeNumber, p.fullName, unit, p.active === false ? 0 : 1, at, at);
      return Number(info.lastInsertRowid);
    })();
    return this.get(id)!;
  }

  get(id: number): Person | null {
    const r = this.getStmt.get(id) as PersonRow | undefined;
    return r ? toPerson(r) : null;
  }

  getByEmployeeNumber(employeeNumber: string): Person | null {
    const r = this.byNumberStmt.get(employeeNumber) as PersonRow | undefined;
    return r ? toPerson(r) : null;
  }

  /** Ordered by name, then employee number. */
  list(q: PeopleQuery = {}): PersonSummary[] {
    const { where, args } = this.filter(q);
    const rows = this.db
      .prepare(
        `SELECT ${P_COLUMNS}, (SELECT count(*) FROM face_templates t
                       WHERE t.person_id = p.id AND t.usable = 1 AND (? IS NULL OR t.pack_id = ?)) AS templates
         FROM people p ${where} ORDER BY p.full_name COLLATE NOCASE, p.employee_number LIMIT ? OFFSET ?`,
      )
      .all(q.packId ?? null, q.packId ?? null, ...args, q.limit ?? -1, q.offset ?? 0) as (PersonRow & {
      templates: number;
    })[];
    return rows.map((r) => ({ ...toPerson(r), templates: r.templates }));
  }

  count(q: Omit<PeopleQuery, 'limit' | 'offset' | 'packId'> = {}): number {
    const { where, args } = this.filter(q);
    return this.db
      .prepare(`SELECT count(*) FROM people p ${where}`)
      .pluck()
      .get(...args) as number;
  }

  private filter(q: PeopleQuery): { where: string; args: (string | number)[] } {
    const clauses: string[] = [];
    const args: (string | number)[] = [];
    if (q.search) {
      // LIKE with an escape character, so a search for "100%" or "a_b" means those characters.
      const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      clauses.push("(p.employee_number LIKE ? ESCAPE '\\' OR p.full_name LIKE ? ESCAPE '\\')");
      args.push(pattern, pattern);
    }
    if (q.unit !== undefined) {
      clauses.push('p.unit = ?');
      args.push(q.unit);
    }
    if (q.active !== undefined) {
      clauses.push('p.active = ?');
      args.push(q.active ? 1 : 0);
    }
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', args };
  }

  /** The managed list of units (with or without people in them), sorted. */
  units(): string[] {
    return this.unitList.names();
  }

  /** Returns the updated person, or null when there is no such person. */
  update(id: number, patch: PersonPatch): Person | null {
    const current = this.get(id);
    if (!current) return null;
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE people SET employee_number = ?, full_name = ?, unit = ?, updated_at = ? WHERE id = ?')
        .run(
          patch.employeeNumber ?? current.employee_number,
          patch.fullName ?? current.full_name,
          patch.unit === undefined ? current.unit : this.unitList.resolve(patch.unit),
          this.now().toISOString(),
          id,
        );
    })();
    return this.get(id);
  }

  /** Returns whether the person exists. */
  setActive(id: number, active: boolean): boolean {
    return (
      this.db
        .prepare('UPDATE people SET active = ?, updated_at = ? WHERE id = ?')
        .run(active ? 1 : 0, this.now().toISOString(), id).changes > 0
    );
  }

  /**
   * Erase a person's attendance history (when the operator asks for it with the deletion; otherwise the
   * records outlive the person, unlinked). Part of erasing a person, so it lives with the people.
   */
  eraseAttendance(id: number): number {
    return this.db.prepare('DELETE FROM attendance WHERE person_id = ?').run(id).changes;
  }

  /** Deletes the person; their templates and consents go with them (ON DELETE CASCADE). */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM people WHERE id = ?').run(id).changes > 0;
  }

  /**
   * Active people with no usable template of `packId`: who must be re-enrolled (or re-embedded)
   * before the kiosk can recognise them with that pack.
   */
  withoutTemplates(packId: string): Person[] {
    const rows = this.db
      .prepare(
        `SELECT ${P_COLUMNS} FROM people p WHERE p.active = 1 AND NOT EXISTS (
           SELECT 1 FROM face_templates t WHERE t.person_id = p.id AND t.pack_id = ? AND t.usable = 1)
         ORDER BY p.id`,
      )
      .all(packId) as PersonRow[];
    return rows.map(toPerson);
  }
}
