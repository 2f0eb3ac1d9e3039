/**
 * Check-ins from phones (`POST /api/v1/attendance/claimed`): a source of attendance events with no
 * device, made exactly once by the caller's Idempotency-Key (a unique constraint, not a lookup); the
 * head-turn challenges a phone asks for first (kept here so any hub process can check the answer, with
 * the expiry measured by the database's clock); and a site's optional geofence.
 */
export const sql = /* sql */ `
ALTER TABLE attendance_events DROP CONSTRAINT attendance_events_pkey;
ALTER TABLE attendance_events ALTER COLUMN device_id DROP NOT NULL, ALTER COLUMN seq DROP NOT NULL;
-- Still exactly once per kiosk event: ingest's ON CONFLICT (device_id, seq) infers this constraint.
ALTER TABLE attendance_events ADD CONSTRAINT attendance_events_device_seq UNIQUE (device_id, seq);
ALTER TABLE attendance_events ADD COLUMN source text NOT NULL DEFAULT 'kiosk' CHECK (source IN ('kiosk', 'phone'));
-- The caller's key, prefixed with who the caller is (an API key id), so two callers cannot collide.
ALTER TABLE attendance_events ADD COLUMN idempotency_key text UNIQUE;
ALTER TABLE attendance_events ADD CONSTRAINT attendance_events_source_shape CHECK (
  (source = 'kiosk' AND device_id IS NOT NULL AND seq IS NOT NULL AND idempotency_key IS NULL)
  OR (source = 'phone' AND device_id IS NULL AND seq IS NULL AND idempotency_key IS NOT NULL));

-- {"latitude", "longitude", "radius_m"}; null: no geofence.
ALTER TABLE sites ADD COLUMN geofence jsonb;

CREATE TABLE checkin_challenges (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  employee_number  text NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('left', 'right')),
  issued_at        timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz
);
CREATE INDEX checkin_challenges_expiry ON checkin_challenges (expires_at);
`;
