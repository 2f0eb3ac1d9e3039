import type { PersonFilter, PersonMatch } from '../engine/search';
import type { Db } from '../store/db';
import type { Gallery } from '../store/gallery';
import type { SettingsRepo } from '../store/settings-repo';
import type { PeopleSearch } from './identify';

/** The managed units (ids) whose people this kiosk identifies; absent or empty: everyone enrolled here. */
export const IDENTIFY_UNITS_KEY = 'identify.units';

/** The units a kiosk is limited to, as stored (ids; names follow a rename). */
export function storedScopeUnits(settings: SettingsRepo): number[] {
  const v = settings.get<unknown>(IDENTIFY_UNITS_KEY);
  return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : [];
}

/**
 * Who a kiosk limited to some units may name at check-in (issue: "search only who may be here"): the
 * people whose unit is one of them. Everyone else enrolled here stays enrolled and in the duplicate
 * check, but is never a candidate, and the threshold follows the size of this smaller gallery (G).
 *
 * The set is read again only when the database changed (the same two cheap questions the gallery asks),
 * so a person moved to another unit or a changed setting counts from the next check-in. A limit whose
 * units were all deleted names nobody: it fails closed instead of silently searching everyone.
 */
export class IdentifyScope implements PersonFilter {
  private ids: Set<number> | null = null;
  private dataVersion = -1;
  private totalChanges = -1;
  private readonly dataVersionStmt;
  private readonly totalChangesStmt;
  private readonly peopleOfUnits;

  constructor(
    db: Db,
    private readonly settings: SettingsRepo,
  ) {
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
    this.totalChangesStmt = db.prepare('SELECT total_changes()').pluck();
    this.peopleOfUnits = db
      .prepare(
        `SELECT p.id FROM people p JOIN units u ON u.name = p.unit
          WHERE u.id IN (SELECT value FROM json_each(?))`,
      )
      .pluck();
  }

  /** Catch up with the database when it changed since the last look. */
  refresh(): void {
    const dv = this.dataVersionStmt.get() as number;
    const tc = this.totalChangesStmt.get() as number;
    if (dv === this.dataVersion && tc === this.totalChanges) return;
    const units = storedScopeUnits(this.settings);
    this.ids = units.length ? new Set(this.peopleOfUnits.all(JSON.stringify(units)) as number[]) : null;
    // Read after the queries: the counters of this connection do not move for reads.
    this.dataVersion = dv;
    this.totalChanges = tc;
  }

  /** Whether only some units' people are searched. */
  get limited(): boolean {
    this.refresh();
    return this.ids !== null;
  }

  has(personId: number): boolean {
    return this.ids === null || this.ids.has(personId);
  }

  /** The people of the scope who have a template in `gallery` (G for the threshold). */
  searchedPeople(gallery: Gallery): number {
    this.refresh();
    if (this.ids === null) return gallery.peopleCount;
    let n = 0;
    for (const id of this.ids) if (gallery.hasPerson(id)) n++;
    return n;
  }
}

/** The gallery as identification at check-in searches it: only the scope's people. */
export function scopedSearch(gallery: () => Gallery, scope: IdentifyScope): PeopleSearch {
  return {
    refresh: () => {
      gallery().refresh();
      scope.refresh();
    },
    topPeople: (probe: Float32Array, k: number): PersonMatch[] =>
      gallery().topPeople(probe, k, scope.limited ? scope : undefined),
  };
}
