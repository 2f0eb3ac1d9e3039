/**
 * A change log of face templates, filled by triggers, so every process that holds an in-memory
 * gallery (the kiosk app, the headless server) can apply another process's writes (a CLI import,
 * a deletion from the API) row by row instead of reloading every template.
 *
 * A row says only "template T of person P may have changed": the reader re-reads T and adds it,
 * replaces it or drops it. Deleting a person cascades to their templates, and SQLite fires the
 * delete trigger for cascaded rows too. Holds ids only, never biometric data.
 */
export const sql = /* sql */ `
CREATE TABLE template_changes (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  template_id  INTEGER NOT NULL,
  person_id    INTEGER NOT NULL
);

CREATE TRIGGER face_templates_log_insert AFTER INSERT ON face_templates BEGIN
  INSERT INTO template_changes (template_id, person_id) VALUES (new.id, new.person_id);
END;

CREATE TRIGGER face_templates_log_delete AFTER DELETE ON face_templates BEGIN
  INSERT INTO template_changes (template_id, person_id) VALUES (old.id, old.person_id);
END;

CREATE TRIGGER face_templates_log_update AFTER UPDATE OF person_id, pack_id, dim, embedding, usable ON face_templates BEGIN
  INSERT INTO template_changes (template_id, person_id) VALUES (new.id, new.person_id);
END;

-- Deactivating or reactivating someone takes all their templates out of the gallery or back in.
CREATE TRIGGER people_log_active AFTER UPDATE OF active ON people WHEN old.active IS NOT new.active BEGIN
  INSERT INTO template_changes (template_id, person_id)
    SELECT id, person_id FROM face_templates WHERE person_id = new.id;
END;
`;
