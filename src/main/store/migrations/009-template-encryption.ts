/**
 * Face templates and thumbnails sealed at rest (AES-256-GCM, see store/data-cipher.ts).
 *
 * `key_id` names the data key a row's embedding and thumbnail are sealed with (both, always together);
 * null while a row is still plaintext. The first open with a key seals the plaintext rows in batches
 * (store/data-encryption.ts), and `hadir keys rotate-data-key` re-seals rows under a new key: both find
 * their work by `key_id`, so a killed run resumes where it stopped.
 *
 * SQLite cannot drop a CHECK, and 001's `length(embedding) = 4 * dim` does not hold for a sealed value
 * (33 bytes longer), so the table is rebuilt. Its triggers (006) and the trigger on people that reads
 * it go first and come back after the rename: a trigger naming a missing table would fail the rename.
 *
 * The update trigger no longer logs a re-seal (only `key_id` and the sealed bytes change, nothing a
 * gallery holds), so a rotation of 300,000 templates does not make every running gallery re-read them.
 */
export const sql = /* sql */ `
DROP TRIGGER face_templates_log_insert;
DROP TRIGGER face_templates_log_delete;
DROP TRIGGER face_templates_log_update;
DROP TRIGGER people_log_active;

CREATE TABLE face_templates_sealed (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  pack_id     TEXT    NOT NULL,
  dim         INTEGER NOT NULL CHECK (dim > 0),
  key_id      INTEGER CHECK (key_id BETWEEN 0 AND 4294967295),   -- null: not sealed yet
  -- Float32 little-endian, L2-normalised; sealed: version, key id, nonce, tag, ciphertext (33 bytes more).
  embedding   BLOB    NOT NULL CHECK (length(embedding) = 4 * dim + CASE WHEN key_id IS NULL THEN 0 ELSE 33 END),
  quality     TEXT,
  source      TEXT    NOT NULL CHECK (source IN ('camera', 'upload', 'import')),
  thumbnail   BLOB,                                  -- JPEG face crop, sealed like the embedding
  usable      INTEGER NOT NULL DEFAULT 1 CHECK (usable IN (0, 1)),
  created_at  TEXT    NOT NULL,
  hub_id      TEXT
);
INSERT INTO face_templates_sealed
  (id, person_id, pack_id, dim, key_id, embedding, quality, source, thumbnail, usable, created_at, hub_id)
  SELECT id, person_id, pack_id, dim, NULL, embedding, quality, source, thumbnail, usable, created_at, hub_id
  FROM face_templates;
DROP TABLE face_templates;
ALTER TABLE face_templates_sealed RENAME TO face_templates;
CREATE INDEX face_templates_person ON face_templates (person_id);
CREATE INDEX face_templates_pack ON face_templates (pack_id, usable);
CREATE UNIQUE INDEX face_templates_hub_id ON face_templates (hub_id);

CREATE TRIGGER face_templates_log_insert AFTER INSERT ON face_templates BEGIN
  INSERT INTO template_changes (template_id, person_id) VALUES (new.id, new.person_id);
END;

CREATE TRIGGER face_templates_log_delete AFTER DELETE ON face_templates BEGIN
  INSERT INTO template_changes (template_id, person_id) VALUES (old.id, old.person_id);
END;

CREATE TRIGGER face_templates_log_update AFTER UPDATE OF person_id, pack_id, dim, embedding, usable ON face_templates
  WHEN NOT (old.key_id IS NOT new.key_id AND old.person_id = new.person_id AND old.pack_id = new.pack_id
            AND old.dim = new.dim AND old.usable = new.usable)
BEGIN
  INSERT INTO template_changes (template_id, person_id) VALUES (new.id, new.person_id);
END;

CREATE TRIGGER people_log_active AFTER UPDATE OF active ON people WHEN old.active IS NOT new.active BEGIN
  INSERT INTO template_changes (template_id, person_id)
    SELECT id, person_id FROM face_templates WHERE person_id = new.id;
END;
`;
