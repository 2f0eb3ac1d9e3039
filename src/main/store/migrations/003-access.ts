/** Operator accounts and API keys. Secrets are stored only as hashes. */
export const sql = /* sql */ `
CREATE TABLE operators (
  id               INTEGER PRIMARY KEY,
  username         TEXT    NOT NULL UNIQUE,
  display_name     TEXT    NOT NULL,
  role             TEXT    NOT NULL CHECK (role IN ('admin', 'operator')),
  secret_hash      TEXT    NOT NULL,                 -- scrypt, with its salt and parameters
  failed_attempts  INTEGER NOT NULL DEFAULT 0,
  locked_until     TEXT,
  active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at       TEXT    NOT NULL
);

CREATE TABLE api_keys (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,
  prefix        TEXT    NOT NULL,                    -- first characters, to tell keys apart in lists
  key_hash      TEXT    NOT NULL UNIQUE,             -- SHA-256 of the whole key
  scopes        TEXT    NOT NULL,                    -- JSON array of 'read' | 'write' | 'admin'
  created_at    TEXT    NOT NULL,
  revoked_at    TEXT,
  last_used_at  TEXT
);
`;
