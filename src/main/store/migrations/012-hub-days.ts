/**
 * The hub's record of people's days (`GET /api/v1/sync/days`), kept by a joined kiosk: where the hub
 * disagrees with the kiosk's own record of a day (the person checked in earlier at another site, an
 * operator corrected the day at the hub), the hub's is the record, and the kiosk's attendance views
 * show it (store/attendance-repo.ts reads a day through this table when it has a row).
 *
 * The sync service replaces a range of dates whole, in one transaction, with what the hub answered
 * (store/hub-days-repo.ts): a day the hub no longer has leaves with it. A person deleted by
 * replication takes their rows along. A standalone kiosk never writes here.
 *
 * Times are ISO-8601 UTC (as the kiosk's records hold them); the site codes say where each happened.
 */
export const sql = /* sql */ `
CREATE TABLE hub_days (
  employee_number    TEXT    NOT NULL,
  date               TEXT    NOT NULL,                 -- YYYY-MM-DD, the site's local day
  person_hub_id      TEXT    NOT NULL,
  first_in_at        TEXT,
  first_in_site      TEXT,
  last_out_at        TEXT,
  last_out_site      TEXT,
  late               INTEGER CHECK (late IN (0, 1)),   -- null: no check-in, or no schedule where it was
  late_seconds       INTEGER NOT NULL DEFAULT 0,
  early              INTEGER NOT NULL DEFAULT 0 CHECK (early IN (0, 1)),
  early_seconds      INTEGER NOT NULL DEFAULT 0,
  corrected          INTEGER NOT NULL DEFAULT 0 CHECK (corrected IN (0, 1)),
  correction_reason  TEXT,
  status             TEXT    NOT NULL,
  fetched_at         TEXT    NOT NULL,
  PRIMARY KEY (employee_number, date)
) WITHOUT ROWID;
CREATE INDEX hub_days_date ON hub_days (date);
CREATE INDEX hub_days_person ON hub_days (person_hub_id);
`;
