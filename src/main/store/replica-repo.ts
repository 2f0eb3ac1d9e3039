import type { Db } from './db';
import { embeddingToBlob, requireKeyring, sealTemplate } from './templates-repo';
import { UnitsRepo } from './units-repo';

/** A replicated (or adoptable) person's row, as the replica needs it. */
export interface ReplicaPersonRow {
  id: number;
  hub_id: string | null;
  employee_number: string;
  full_name: string;
  unit: string | null;
  active: boolean;
}

export interface ReplicaPersonFields {
  employee_number: string;
  full_name: string;
  unit: string | null;
  active: boolean;
}

interface Row extends Omit<ReplicaPersonRow, 'active'> {
  active: number;
}

const toRow = (r: Row | undefined): ReplicaPersonRow | null => (r ? { ...r, active: r.active === 1 } : null);
const COLUMNS = 'id, hub_id, employee_number, full_name, unit, active';

/**
 * The SQL of the hub replica: people and templates addressed by the hub's ids, their leave, and the
 * site's holidays. Callers own the transactions (a whole page of changes is one).
 */
export class ReplicaRepo {
  /** The hub sends units as text: each is written as the kiosk's list spells it (added when new). */
  private readonly units: UnitsRepo;

  constructor(private readonly db: Db) {
    this.units = new UnitsRepo(db);
  }

  byHubId(hubId: string): ReplicaPersonRow | null {
    return toRow(this.db.prepare(`SELECT ${COLUMNS} FROM people WHERE hub_id = ?`).get(hubId) as Row | undefined);
  }

  byEmployeeNumber(employeeNumber: string): ReplicaPersonRow | null {
    return toRow(
      this.db.prepare(`SELECT ${COLUMNS} FROM people WHERE employee_number = ?`).get(employeeNumber) as Row | undefined,
    );
  }

  insertPerson(hubId: string, p: ReplicaPersonFields, at: string): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO people (hub_id, employee_number, full_name, unit, active, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(hubId, p.employee_number, p.full_name, this.units.resolve(p.unit), p.active ? 1 : 0, at, at)
        .lastInsertRowid,
    );
  }

  /** Write the fields when any differs (an unchanged person is not touched). Returns whether it wrote. */
  updatePerson(id: number, p: ReplicaPersonFields, at: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE people SET employee_number = @employee_number, full_name = @full_name, unit = @unit,
             active = @active, updated_at = @at
           WHERE id = @id AND (employee_number IS NOT @employee_number OR full_name IS NOT @full_name
             OR unit IS NOT @unit OR active IS NOT @active)`,
        )
        .run({ id, ...p, unit: this.units.resolve(p.unit), active: p.active ? 1 : 0, at }).changes > 0
    );
  }

  /** Link a local person to the hub's record of them. */
  adopt(id: number, hubId: string): void {
    this.db.prepare('UPDATE people SET hub_id = ? WHERE id = ?').run(hubId, id);
  }

  /** Park a replicated person's employee number while another takes it (their own update follows). */
  parkEmployeeNumber(id: number, placeholder: string): void {
    this.db.prepare('UPDATE people SET employee_number = ? WHERE id = ?').run(placeholder, id);
  }

  /** Deletes the person; templates, consents and leave go with them, attendance stays unlinked. */
  deletePerson(id: number): void {
    this.db.prepare('DELETE FROM people WHERE id = ?').run(id);
  }

  // --- Templates -----------------------------------------------------------------------------------

  /** The person's templates that came from the hub: hub id → local id. */
  hubTemplates(personId: number): Map<string, number> {
    const rows = this.db
      .prepare('SELECT hub_id, id FROM face_templates WHERE person_id = ? AND hub_id IS NOT NULL')
      .raw()
      .all(personId) as [string, number][];
    return new Map(rows);
  }

  /** All of a person's templates, replicated or local. */
  templateCount(personId: number): number {
    return this.db.prepare('SELECT count(*) FROM face_templates WHERE person_id = ?').pluck().get(personId) as number;
  }

  /** Where a template of the hub is now (it may have moved between people). */
  templateByHubId(hubId: string): number | null {
    return (this.db.prepare('SELECT id FROM face_templates WHERE hub_id = ?').pluck().get(hubId) as number) ?? null;
  }

  insertTemplate(t: {
    hubId: string;
    personId: number;
    packId: string;
    embedding: Float32Array;
    usable: boolean;
    createdAt: string;
  }): number {
    // Sealed at rest like every template (see TemplatesRepo); the id is chosen first because the sealed
    // bytes are bound to it. The caller's transaction (a page of changes) holds the write lock.
    const keyring = requireKeyring(this.db);
    const id = this.db.prepare('SELECT coalesce(max(id), 0) + 1 FROM face_templates').pluck().get() as number;
    const sealed = sealTemplate(keyring, id, t.personId, embeddingToBlob(t.embedding), null);
    this.db
      .prepare(
        `INSERT INTO face_templates (id, hub_id, person_id, pack_id, dim, key_id, embedding, source, usable, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)`,
      )
      .run(
        id,
        t.hubId,
        t.personId,
        t.packId,
        t.embedding.length,
        sealed.keyId,
        sealed.embedding,
        t.usable ? 1 : 0,
        t.createdAt,
      );
    return id;
  }

  deleteTemplate(id: number): void {
    this.db.prepare('DELETE FROM face_templates WHERE id = ?').run(id);
  }

  // --- Leave and holidays --------------------------------------------------------------------------

  /** The person's leave becomes exactly `leave` (the hub owns a replicated person's leave). */
  replaceLeave(personId: number, leave: readonly { from_date: string; to_date: string; kind: string }[]): void {
    this.db.prepare('DELETE FROM leave WHERE person_id = ?').run(personId);
    const insert = this.db.prepare('INSERT INTO leave (person_id, from_date, to_date, kind) VALUES (?, ?, ?, ?)');
    for (const l of leave) insert.run(personId, l.from_date, l.to_date, l.kind);
  }

  /** The holidays become exactly `holidays` (the hub owns the site's calendar). */
  replaceHolidays(holidays: readonly { date: string; name: string }[]): void {
    this.db.prepare('DELETE FROM holidays').run();
    const insert = this.db.prepare(
      'INSERT INTO holidays (date, name) VALUES (?, ?) ON CONFLICT (date) DO UPDATE SET name = excluded.name',
    );
    for (const h of holidays) insert.run(h.date, h.name);
  }

  /** People received from the hub. */
  replicatedCount(): number {
    return this.db.prepare('SELECT count(*) FROM people WHERE hub_id IS NOT NULL').pluck().get() as number;
  }

  /** Whether a person came from the hub (their leave is then the hub's to change). */
  isReplicated(personId: number): boolean {
    return this.db.prepare('SELECT hub_id IS NOT NULL FROM people WHERE id = ?').pluck().get(personId) === 1;
  }
}
