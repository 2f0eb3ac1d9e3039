/**
 * Sign-in sessions of hub operators for the admin console (`/admin/`). The browser holds a 256-bit
 * random token in an HttpOnly cookie; the hub keeps only its SHA-256 (a fast hash leaves nothing to
 * guess from a token that long), so a copy of the database signs nobody in. A session ends 8 hours
 * after its last use (sliding) and 12 hours after sign-in whatever the use (absolute); both are
 * judged by the database's clock, so hub processes on machines with different clocks agree.
 */
export const sql = /* sql */ `
CREATE TABLE operator_sessions (
  token_hash      text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  operator_id     bigint NOT NULL REFERENCES operators ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- The absolute end (created_at + 12 h); the sliding end is last_seen_at + 8 h.
  expires_at      timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  -- Where the sign-in came from, for the audit of a session (not used to decide anything).
  client_address  text
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);
-- The audit log's console view pages newest first by id and filters by action.
CREATE INDEX audit_log_action ON audit_log (action, id);
`;
