/**
 * Units from a managed list: "Keuangan" and "keuangan" are one unit.
 *
 * `units.name` is unique case-insensitively (COLLATE NOCASE: ASCII letters, as everywhere in SQLite;
 * services/units normalises the same way) and stored trimmed with runs of whitespace collapsed to
 * one space, which the CHECK holds to.
 *
 * People keep their unit as text (the canonical name), not a unit id: the HTTP API, the CLI, bulk
 * import, attendance records and the hub's sync all speak unit names, and none of them changes. The
 * store keeps the text equal to a row of `units` (store/units-repo.ts resolves every write; a rename
 * updates people and attendance in the same transaction).
 *
 * Folding the units people already have: whitespace is collapsed (tabs and line breaks become spaces;
 * seven halvings of runs of spaces cover the 120 characters a unit may have), empty becomes none, and
 * case-insensitive duplicates become the most common spelling (ties: the spelling seen first, then
 * binary order). Attendance records of the folded spellings follow, so the filters find them.
 */
const collapse = (col: string): string => {
  let e = `replace(replace(replace(${col}, char(9), ' '), char(10), ' '), char(13), ' ')`;
  for (let i = 0; i < 7; i++) e = `replace(${e}, '  ', ' ')`;
  return `trim(${e})`;
};

export const sql = /* sql */ `
CREATE TABLE units (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL COLLATE NOCASE UNIQUE
              CHECK (length(name) BETWEEN 1 AND 120 AND name = trim(name) AND instr(name, '  ') = 0
                     AND instr(name, char(9)) = 0 AND instr(name, char(10)) = 0 AND instr(name, char(13)) = 0),
  created_at  TEXT    NOT NULL,
  updated_at  TEXT    NOT NULL
);

UPDATE people SET unit = ${collapse('unit')} WHERE unit IS NOT NULL;
UPDATE people SET unit = NULL WHERE unit = '';

INSERT INTO units (name, created_at, updated_at)
  SELECT unit, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM (
    SELECT unit, row_number() OVER (
             PARTITION BY unit COLLATE NOCASE ORDER BY count(*) DESC, min(created_at), unit COLLATE BINARY
           ) AS rank
      FROM people WHERE unit IS NOT NULL GROUP BY unit COLLATE BINARY
  ) WHERE rank = 1;

UPDATE people SET unit = (SELECT u.name FROM units u WHERE u.name = people.unit) WHERE unit IS NOT NULL;

UPDATE attendance SET unit = ${collapse('unit')} WHERE unit IS NOT NULL;
UPDATE attendance SET unit = NULL WHERE unit = '';
UPDATE attendance SET unit = coalesce((SELECT u.name FROM units u WHERE u.name = attendance.unit), unit)
  WHERE unit IS NOT NULL;
`;
