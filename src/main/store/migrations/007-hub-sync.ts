/**
 * A kiosk joined to a hub (`hadir join`): the link to the hub, the hub's ids on replicated people and
 * templates, and the outbox of attendance events waiting to be pushed.
 *
 * The outbox is filled by triggers on the attendance table, not by the code that records attendance:
 * the record and its event are then one transaction whatever path wrote it (the kiosk, an operator,
 * the API, a CLI in another process). The triggers fire only while a hub link exists, so a standalone
 * kiosk's file never grows an outbox. `seq` is AUTOINCREMENT: in SQLite's single-writer world the
 * numbers are handed out in commit order and a rolled-back insert gives its number back, so the
 * sequence has no gaps, and numbers are never reused after acknowledged rows are deleted. (device id,
 * seq) is the event's idempotency key at the hub.
 *
 * The event JSON holds everything of AttendanceEvent (src/shared/sync-protocol.ts) except `seq` (the
 * row's) and `clock_offset_ms` (stamped at push time, with the latest measurement).
 *
 * The device credential is never stored here: it lives in `<data dir>/hub-credential.json` (0600), so
 * a copied or backed-up database does not carry it.
 */
export const sql = /* sql */ `
CREATE TABLE hub_link (
  id               INTEGER PRIMARY KEY CHECK (id = 1),   -- at most one hub per kiosk
  hub_url          TEXT    NOT NULL,
  hub_id           TEXT    NOT NULL,
  device_id        TEXT    NOT NULL,
  site_code        TEXT    NOT NULL,
  site             TEXT    NOT NULL CHECK (json_valid(site)),  -- the SyncSite last received
  cursor           TEXT,                                -- of the last applied page; null: start a snapshot
  pack_id          TEXT    NOT NULL,                    -- the pack whose templates the kiosk receives
  joined_at        TEXT    NOT NULL,
  last_contact_at  TEXT,                                -- the hub's last answer (any route)
  offline_since    TEXT,                                -- the first failure since the last answer
  last_error       TEXT,
  revoked_at       TEXT,                                -- the hub answered DEVICE_REVOKED: sync stops
  clock_offset_ms  INTEGER,                             -- hub − kiosk, from the latest exchange
  snapshot_active  INTEGER NOT NULL DEFAULT 1 CHECK (snapshot_active IN (0, 1)),
  snapshot_done    INTEGER,
  snapshot_total   INTEGER
);

-- People the snapshot in progress has sent; those not among them when it ends are gone from the site.
CREATE TABLE hub_snapshot_seen (
  hub_id  TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Null for people and templates enrolled at this kiosk (they stay local).
ALTER TABLE people ADD COLUMN hub_id TEXT;
CREATE UNIQUE INDEX people_hub_id ON people (hub_id);
ALTER TABLE face_templates ADD COLUMN hub_id TEXT;
CREATE UNIQUE INDEX face_templates_hub_id ON face_templates (hub_id);

CREATE TABLE hub_outbox (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  event       TEXT    NOT NULL CHECK (json_valid(event)),
  created_at  TEXT    NOT NULL
);

-- One trigger per statement kind, with the check-in's event before the check-out's: SQLite does not
-- promise an order between separate triggers, and a record written with both times (an operator's)
-- must give \`in\` then \`out\`.
CREATE TRIGGER attendance_outbox_insert AFTER INSERT ON attendance
  WHEN EXISTS (SELECT 1 FROM hub_link)
BEGIN
  INSERT INTO hub_outbox (event, created_at) SELECT
    json_object(
      'person_hub_id', (SELECT hub_id FROM people WHERE id = new.person_id),
      'employee_number', new.employee_number,
      'type', 'in',
      'occurred_at', new.check_in_at,
      'decision', json_object(
        'decided_by', new.decided_by,
        'late', json(CASE WHEN new.late THEN 'true' ELSE 'false' END),
        'similarity', new.similarity,
        'liveness', new.liveness,
        'clock_flag', new.clock_flag)),
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE new.check_in_at IS NOT NULL;
  INSERT INTO hub_outbox (event, created_at) SELECT
    json_object(
      'person_hub_id', (SELECT hub_id FROM people WHERE id = new.person_id),
      'employee_number', new.employee_number,
      'type', 'out',
      'occurred_at', new.check_out_at,
      'decision', json_object(
        'decided_by', new.decided_by,
        'late', json(CASE WHEN new.late THEN 'true' ELSE 'false' END),
        'similarity', new.check_out_similarity,
        'liveness', new.check_out_liveness,
        'clock_flag', new.clock_flag)),
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE new.check_out_at IS NOT NULL;
END;

-- A time set or moved to a non-null value is an event; cleared (an operator's correction) is none.
CREATE TRIGGER attendance_outbox_update AFTER UPDATE OF check_in_at, check_out_at ON attendance
  WHEN EXISTS (SELECT 1 FROM hub_link)
BEGIN
  INSERT INTO hub_outbox (event, created_at) SELECT
    json_object(
      'person_hub_id', (SELECT hub_id FROM people WHERE id = new.person_id),
      'employee_number', new.employee_number,
      'type', 'in',
      'occurred_at', new.check_in_at,
      'decision', json_object(
        'decided_by', new.decided_by,
        'late', json(CASE WHEN new.late THEN 'true' ELSE 'false' END),
        'similarity', new.similarity,
        'liveness', new.liveness,
        'clock_flag', new.clock_flag)),
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE new.check_in_at IS NOT NULL AND new.check_in_at IS NOT old.check_in_at;
  INSERT INTO hub_outbox (event, created_at) SELECT
    json_object(
      'person_hub_id', (SELECT hub_id FROM people WHERE id = new.person_id),
      'employee_number', new.employee_number,
      'type', 'out',
      'occurred_at', new.check_out_at,
      'decision', json_object(
        'decided_by', new.decided_by,
        'late', json(CASE WHEN new.late THEN 'true' ELSE 'false' END),
        'similarity', new.check_out_similarity,
        'liveness', new.check_out_liveness,
        'clock_flag', new.clock_flag)),
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE new.check_out_at IS NOT NULL AND new.check_out_at IS NOT old.check_out_at;
END;
`;
