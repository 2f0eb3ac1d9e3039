/** People, their face templates and consent records, settings, and the audit log. */
export const sql = /* sql */ `
CREATE TABLE people (
  id               INTEGER PRIMARY KEY,
  employee_number  TEXT    NOT NULL UNIQUE,          -- e.g. the 18-digit NIP
  full_name        TEXT    NOT NULL,                 -- with titles, as written by the organisation
  unit             TEXT,                             -- unit / department
  active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at       TEXT    NOT NULL,                 -- ISO-8601 UTC
  updated_at       TEXT    NOT NULL
);
CREATE INDEX people_unit ON people (unit);

CREATE TABLE face_templates (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  pack_id     TEXT    NOT NULL,                      -- embeddings of different packs are not comparable
  dim         INTEGER NOT NULL CHECK (dim > 0),
  embedding   BLOB    NOT NULL CHECK (length(embedding) = 4 * dim),  -- Float32, little-endian, L2-normalised
  quality     TEXT,                                  -- JSON: inter-ocular px, blur, yaw, roll, exposure, det score
  source      TEXT    NOT NULL CHECK (source IN ('camera', 'upload', 'import')),
  thumbnail   BLOB,                                  -- small JPEG face crop, only when the setting keeps them
  usable      INTEGER NOT NULL DEFAULT 1 CHECK (usable IN (0, 1)),  -- 0 once another pack is active
  created_at  TEXT    NOT NULL
);
CREATE INDEX face_templates_person ON face_templates (person_id);
CREATE INDEX face_templates_pack ON face_templates (pack_id, usable);

-- Consent to biometric processing (UU PDP 2022): who recorded it, when, how.
CREATE TABLE consents (
  id           INTEGER PRIMARY KEY,
  person_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  given_at     TEXT    NOT NULL,
  recorded_by  TEXT    NOT NULL,                     -- operator username or API key name
  method       TEXT    NOT NULL,                     -- e.g. 'signed form', 'on-screen'
  note         TEXT
);
CREATE INDEX consents_person ON consents (person_id);

CREATE TABLE settings (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL,                         -- JSON
  updated_at  TEXT NOT NULL
);

-- Every change made by an operator, an API key, the CLI or the system.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor_type   TEXT NOT NULL CHECK (actor_type IN ('operator', 'api_key', 'cli', 'system', 'kiosk')),
  actor_id     TEXT,
  action       TEXT NOT NULL,                        -- e.g. 'person.create', 'attendance.correct'
  target_type  TEXT,
  target_id    TEXT,
  details      TEXT                                  -- JSON
);
CREATE INDEX audit_log_at ON audit_log (at);
`;
