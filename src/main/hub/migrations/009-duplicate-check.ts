/**
 * What the organisation-wide duplicate check said when a person's faces were last enrolled at the hub
 * (`hadir hub import`, the console's import, a kiosk's upload): `passed`, or `overridden` when an
 * operator enrolled a face that already identified as someone else (twins, `--allow-duplicates`). Null:
 * not checked at the hub (people added without faces, or enrolled before this was kept). The console's
 * people list shows it.
 */
export const sql = /* sql */ `
ALTER TABLE people ADD COLUMN duplicate_check text CHECK (duplicate_check IN ('passed', 'overridden'));
`;
