/**
 * One-time codes that pair a door tablet: an admin makes one, the tablet trades it for a `kiosk` key.
 * Only the code's SHA-256 is stored; a code is spent by the one UPDATE that sets `used_at`.
 */
export const sql = /* sql */ `
CREATE TABLE kiosk_pairing_codes (
  id          INTEGER PRIMARY KEY,
  code_hash   TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,                    -- the name the tablet's key will get
  created_by  TEXT,                                -- the audit actor who made it ('operator:siti', 'cli')
  created_at  TEXT    NOT NULL,
  expires_at  TEXT    NOT NULL,
  used_at     TEXT,
  key_id      INTEGER REFERENCES api_keys (id)     -- the key it was traded for
);
`;
