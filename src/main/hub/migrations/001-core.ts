/**
 * The hub's first schema: sites and their kiosks, people and their templates, the change log that
 * kiosks replicate from, attendance pushed by kiosks, and the operators, keys and audit log of the
 * organisation. Times are timestamptz (instants); `date` columns are calendar days in a site's zone.
 */
export const sql = /* sql */ `
-- One row: who this hub is (kiosks refuse to mix two hubs' data) and the key that signs cursors.
-- The secret is drawn here, at first migrate, from two gen_random_uuid() values (PostgreSQL's strong
-- random source; 244 random bits), so the migration needs no extension and no input from outside.
CREATE TABLE hub_meta (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  hub_id         uuid NOT NULL,
  cursor_secret  bytea NOT NULL CHECK (octet_length(cursor_secret) >= 32),
  created_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO hub_meta (hub_id, cursor_secret)
VALUES (gen_random_uuid(),
        decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

CREATE TABLE sites (
  id          bigserial PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code <> ''),
  name        text NOT NULL,
  time_zone   text NOT NULL,
  -- The kiosk's schedule format (ScheduleSettings); null: check-ins all day, no lateness.
  schedule    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE holidays (
  site_id  bigint NOT NULL REFERENCES sites ON DELETE CASCADE,
  date     date NOT NULL,
  name     text NOT NULL,
  PRIMARY KEY (site_id, date)
);

CREATE TABLE devices (
  id               uuid PRIMARY KEY,
  site_id          bigint NOT NULL REFERENCES sites,
  name             text NOT NULL,
  -- SHA-256 (hex) of the credential: it is 256 random bits, so a fast hash leaves nothing to guess.
  credential_hash  text NOT NULL UNIQUE,
  pack_id          text NOT NULL,
  app_version      text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz,
  revoked_at       timestamptz,
  -- Every event with seq <= acked_seq is stored (contiguous from 1).
  acked_seq        bigint NOT NULL DEFAULT 0,
  clock_offset_ms  bigint,
  last_status      jsonb
);
CREATE INDEX devices_site ON devices (site_id);

CREATE TABLE pairing_codes (
  code_hash   text PRIMARY KEY,
  site_id     bigint NOT NULL REFERENCES sites ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  device_id   uuid REFERENCES devices ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
  id               bigserial PRIMARY KEY,
  hub_id           uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  employee_number  text NOT NULL UNIQUE CHECK (employee_number <> ''),
  full_name        text NOT NULL,
  unit             text,
  home_site_id     bigint NOT NULL REFERENCES sites,
  active           boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- The snapshot pages a site's people by id.
CREATE INDEX people_home_site ON people (home_site_id, id);

-- Sites besides the home site where someone may check in.
CREATE TABLE person_sites (
  person_id  bigint NOT NULL REFERENCES people ON DELETE CASCADE,
  site_id    bigint NOT NULL REFERENCES sites ON DELETE CASCADE,
  PRIMARY KEY (person_id, site_id)
);
CREATE INDEX person_sites_site ON person_sites (site_id, person_id);

CREATE TABLE face_templates (
  id          bigserial PRIMARY KEY,
  hub_id      uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  person_id   bigint NOT NULL REFERENCES people ON DELETE CASCADE,
  pack_id     text NOT NULL,
  dim         integer NOT NULL CHECK (dim > 0),
  -- Float32 little-endian, L2-normalised.
  embedding   bytea NOT NULL CHECK (octet_length(embedding) = dim * 4),
  quality     jsonb,
  source      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX face_templates_person ON face_templates (person_id, pack_id);

CREATE TABLE consents (
  id            bigserial PRIMARY KEY,
  person_id     bigint NOT NULL REFERENCES people ON DELETE CASCADE,
  method        text NOT NULL,
  given_at      timestamptz NOT NULL DEFAULT now(),
  withdrawn_at  timestamptz,
  recorded_by   text
);
CREATE INDEX consents_person ON consents (person_id);

CREATE TABLE leave (
  id         bigserial PRIMARY KEY,
  person_id  bigint NOT NULL REFERENCES people ON DELETE CASCADE,
  from_date  date NOT NULL,
  to_date    date NOT NULL CHECK (to_date >= from_date),
  kind       text NOT NULL,
  note       text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leave_person ON leave (person_id, to_date);

-- What kiosks replicate, by cursor. A row names what may have changed (a person or a site) and the
-- sites whose kiosks must hear of it (for a person: the sites before and after the change); the
-- reader sends the state at read time, so a row holds no personal data beyond the person's uuid,
-- kept so that kiosks can still be told to delete someone who no longer exists.
CREATE TABLE changes (
  seq            bigserial PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('person', 'site')),
  key            bigint NOT NULL,
  person_hub_id  uuid,
  sites          bigint[] NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_sites ON changes USING gin (sites);

CREATE TABLE attendance_events (
  device_id        uuid NOT NULL REFERENCES devices,
  seq              bigint NOT NULL CHECK (seq > 0),
  -- null when the kiosk's person is unknown here (or deleted since): the event is kept all the same.
  person_id        bigint REFERENCES people ON DELETE SET NULL,
  person_hub_id    uuid,
  employee_number  text NOT NULL,
  -- The device's site when the event arrived: moving a kiosk later does not rewrite its history.
  site_id          bigint NOT NULL REFERENCES sites,
  type             text NOT NULL CHECK (type IN ('in', 'out')),
  occurred_at      timestamptz NOT NULL,
  local_date       date NOT NULL,
  clock_offset_ms  bigint,
  clock_suspect    boolean NOT NULL,
  decision         jsonb NOT NULL,
  received_at      timestamptz NOT NULL DEFAULT now(),
  -- Exactly once by construction: a retried or reordered batch cannot store an event twice.
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX attendance_events_day ON attendance_events (local_date, site_id);
CREATE INDEX attendance_events_person_day ON attendance_events (person_id, local_date);

CREATE TABLE operators (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'personnel', 'site-head')),
  -- scrypt, PHC string (services/secret-hash.ts).
  secret_hash   text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The sites a personnel officer or site head may act on (an admin acts on all).
CREATE TABLE operator_sites (
  operator_id  bigint NOT NULL REFERENCES operators ON DELETE CASCADE,
  site_id      bigint NOT NULL REFERENCES sites ON DELETE CASCADE,
  PRIMARY KEY (operator_id, site_id)
);

CREATE TABLE api_keys (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL,
  prefix        text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  scopes        text[] NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_type   text NOT NULL,
  actor_id     text,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  details      jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
`;
