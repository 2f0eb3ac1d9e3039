/**
 * Units (work units: "Keuangan", "Bagian Umum") as one managed list: a name is unique regardless of
 * case and spacing, so "Keuangan", "keuangan" and " Keuangan " are one unit, written the way the list
 * first had it. Case is compared for ASCII letters, as SQLite's NOCASE does (the store's UNIQUE
 * index), so the page, the server and the database never disagree on what is "the same".
 */

/** The longest unit name (as the person fields allow). */
export const UNIT_NAME_MAX = 120;

/** A unit as the list shows it. */
export interface UnitInfo {
  id: number;
  name: string;
  /** People (active or not) in the unit; a unit with people cannot be deleted. */
  people: number;
}

/** Trimmed, every run of whitespace one space. */
export function normalizeUnitName(name: string): string {
  return name.replace(/\s+/g, ' ').trim();
}

/** The comparison key: normalised, ASCII letters in lower case (SQLite's NOCASE). */
export function unitKey(name: string): string {
  return normalizeUnitName(name).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The unit of `names` that `typed` means (same key), or null when it is a new one. */
export function matchUnit(names: readonly string[], typed: string): string | null {
  const key = unitKey(typed);
  return key === '' ? null : (names.find((n) => unitKey(n) === key) ?? null);
}
