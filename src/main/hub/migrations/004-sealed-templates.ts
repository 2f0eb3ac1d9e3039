/**
 * Face templates sealed at rest (AES-256-GCM, store/data-cipher.ts) under the hub's data key, which
 * PostgreSQL never holds: `HADIR_HUB_DATA_KEY` or `HADIR_HUB_DATA_KEY_FILE`.
 *
 * `face_templates.key_id` names the key that sealed a row (null: plaintext, from before this
 * migration; the hub seals those at start, in batches). A sealed embedding is the envelope: dim * 4
 * bytes of Float32 plus 33 bytes of header. `hub_data_keys` holds a check value per key rows may be
 * sealed with (no key material), so a hub started with another key is refused instead of reading
 * garbage or sealing new rows under a second key.
 */
export const sql = /* sql */ `
CREATE TABLE hub_data_keys (
  key_id       bigint PRIMARY KEY CHECK (key_id BETWEEN 0 AND 4294967295),
  check_value  text NOT NULL CHECK (check_value ~ '^[0-9a-f]{32}$'),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE face_templates ADD COLUMN key_id bigint;
ALTER TABLE face_templates DROP CONSTRAINT face_templates_check;
ALTER TABLE face_templates ADD CONSTRAINT face_templates_embedding_length
  CHECK (octet_length(embedding) = dim * 4 + CASE WHEN key_id IS NULL THEN 0 ELSE 33 END);
-- What is left to seal, found without a scan of every row.
CREATE INDEX face_templates_plaintext ON face_templates (id) WHERE key_id IS NULL;
`;
