/** Daily attendance records, holidays and leave. */
export const sql = /* sql */ `
CREATE TABLE attendance (
  id               INTEGER PRIMARY KEY,
  -- History outlives a deleted person unless the operator erases it too: the link is cut, and the
  -- employee number and name stay as the record of who it was.
  person_id        INTEGER REFERENCES people (id) ON DELETE SET NULL,
  employee_number  TEXT    NOT NULL,
  full_name        TEXT    NOT NULL,
  unit             TEXT,
  local_date       TEXT    NOT NULL,                 -- YYYY-MM-DD in the site's time zone
  check_in_at      TEXT,                             -- ISO-8601 UTC
  check_out_at     TEXT,
  late             INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
  kiosk_id         TEXT,
  similarity       REAL,                             -- of the accepted recognition
  liveness         REAL,                             -- p_real of the accepted recognition
  decided_by       TEXT    NOT NULL CHECK (decided_by IN ('face', 'operator', 'api')),
  clock_flag       TEXT,                             -- set when the clock jumped around this record
  note             TEXT,                             -- operator's reason for a manual record or correction
  created_at       TEXT    NOT NULL,
  updated_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX attendance_person_day ON attendance (person_id, local_date) WHERE person_id IS NOT NULL;
CREATE INDEX attendance_day ON attendance (local_date);

CREATE TABLE holidays (
  date  TEXT PRIMARY KEY,                            -- YYYY-MM-DD
  name  TEXT NOT NULL
);

CREATE TABLE leave (
  id         INTEGER PRIMARY KEY,
  person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  from_date  TEXT    NOT NULL,
  to_date    TEXT    NOT NULL,
  kind       TEXT    NOT NULL,                       -- e.g. 'cuti', 'sakit', 'dinas'
  note       TEXT,
  CHECK (from_date <= to_date)
);
CREATE INDEX leave_person ON leave (person_id, from_date);
`;
