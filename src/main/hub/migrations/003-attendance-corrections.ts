/**
 * Corrections of a person's day by an operator or an API key: the corrected day wins over the day
 * derived from kiosk events (which stay as they were received). One row per person and date, the
 * latest correction; every correction, with what it replaced, is in the audit log.
 */
export const sql = /* sql */ `
CREATE TABLE attendance_corrections (
  person_id     bigint NOT NULL REFERENCES people ON DELETE CASCADE,
  local_date    date NOT NULL,
  check_in_at   timestamptz,
  check_out_at  timestamptz,
  -- null: judged by the schedule of the person's home site, as a derived day is.
  late          boolean,
  reason        text NOT NULL CHECK (reason <> ''),
  actor_type    text NOT NULL,
  actor_id      text,
  corrected_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, local_date),
  CHECK (check_in_at IS NOT NULL OR check_out_at IS NOT NULL),
  CHECK (check_in_at IS NULL OR check_out_at IS NULL OR check_in_at <= check_out_at)
);
CREATE INDEX attendance_corrections_date ON attendance_corrections (local_date);
CREATE INDEX leave_dates ON leave (from_date, to_date);
`;
