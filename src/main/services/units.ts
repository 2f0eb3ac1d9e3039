import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { UNIT_NAME_MAX, normalizeUnitName, type UnitInfo } from '../../shared/units';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { UnitsRepo } from '../store/units-repo';

/**
 * The managed list of units: add, rename and delete, each audited. The same service answers HTTP and
 * the Electron window; people's own writes resolve their unit through the list in the store.
 */
export class UnitService {
  private readonly repo: UnitsRepo;
  private readonly audit: AuditRepo;

  constructor(
    private readonly db: Db,
    now: () => Date = () => new Date(),
  ) {
    this.repo = new UnitsRepo(db, now);
    this.audit = new AuditRepo(db, now);
  }

  list(): UnitInfo[] {
    return this.repo.list();
  }

  names(): string[] {
    return this.repo.names();
  }

  /**
   * Adds a unit; a name the list already has in another case or spacing is that unit (returned with
   * `created: false`), never a second one.
   */
  add(name: unknown, actor: Actor): { unit: UnitInfo; created: boolean } {
    const n = checkUnitName(name);
    return this.db.transaction(() => {
      const existing = this.repo.byName(n);
      if (existing) return { unit: this.repo.get(existing.id)!, created: false };
      const row = this.repo.insert(n);
      this.audit.record({ actor, action: 'unit.create', targetType: 'unit', targetId: row.id, details: { name: n } });
      return { unit: this.repo.get(row.id)!, created: true };
    })();
  }

  /** Renames a unit (its people and attendance records follow); CONFLICT when another unit has the name. */
  rename(id: number, name: unknown, actor: Actor): UnitInfo {
    const n = checkUnitName(name);
    return this.db.transaction(() => {
      const unit = this.require(id);
      const other = this.repo.byName(n);
      if (other && other.id !== id) {
        throw new HadirError('CONFLICT', `unit: "${other.name}" is already a unit (move its people instead)`, {
          reason: 'unit_exists',
          params: { name: other.name },
        });
      }
      if (unit.name !== n) {
        this.repo.rename(id, n);
        this.audit.record({
          actor,
          action: 'unit.rename',
          targetType: 'unit',
          targetId: id,
          details: { from: unit.name, to: n, people: unit.people },
        });
      }
      return this.repo.get(id)!;
    })();
  }

  /** Deletes an empty unit; CONFLICT while anyone (active or not) is in it. */
  delete(id: number, actor: Actor): void {
    this.db.transaction(() => {
      const unit = this.require(id);
      if (unit.people > 0) {
        throw new HadirError(
          'CONFLICT',
          `unit: ${unit.people} ${unit.people === 1 ? 'person is' : 'people are'} in "${unit.name}"; move them first`,
          { reason: 'unit_in_use', params: { name: unit.name, count: unit.people } },
        );
      }
      this.repo.delete(id);
      this.audit.record({
        actor,
        action: 'unit.delete',
        targetType: 'unit',
        targetId: id,
        details: { name: unit.name },
      });
    })();
  }

  private require(id: number): UnitInfo {
    const unit = this.repo.get(id);
    if (!unit) throw new HadirError('NOT_FOUND', `unit ${id} does not exist`);
    return unit;
  }
}

/** A unit's name: 1–120 characters after trimming and collapsing spaces, no control characters. */
export function checkUnitName(value: unknown): string {
  if (typeof value !== 'string' || /[\p{Cc}]/u.test(value.replace(/[\t\r\n]/g, ' '))) {
    throw new HadirError('BAD_REQUEST', `name: a unit is 1–${UNIT_NAME_MAX} characters without control characters`);
  }
  const n = normalizeUnitName(value);
  if (n.length < 1 || n.length > UNIT_NAME_MAX) {
    throw new HadirError('BAD_REQUEST', `name: a unit is 1–${UNIT_NAME_MAX} characters without control characters`);
  }
  return n;
}
