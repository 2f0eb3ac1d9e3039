/**
 * Enrollments made at a joined kiosk, waiting to be uploaded to the hub (`POST /api/v1/sync/enrollments`).
 *
 * A row is written by the enrollment itself, in the transaction that stores the person and their
 * templates (store/hub-uploads-repo.ts, called from services/enrollment.ts), and only while the kiosk is
 * joined and not revoked. People enrolled before the join get rows only when the operator chooses to
 * upload them (`hadir join --upload-existing`, `hadir people upload-to-hub`: services/hub-uploads.ts).
 * What is sent is read when it is sent (the person's fields, the templates still there), so an edit
 * made meanwhile goes up as it is now; the consent given at this enrollment is kept here because a
 * person may have several.
 *
 * `upload_id` (a uuid) is the idempotency key at the hub, together with the device id: a retry after
 * a lost answer, a crash or a kill -9 gets the answer of the first delivery and changes nothing.
 * `state`: pending (waiting or retrying), done (the hub's ids are on the local person and templates),
 * refused (the hub will not take it, e.g. the employee number belongs to another site: the person stays
 * local and the status says why). A person deleted here takes their waiting uploads along.
 */
export const sql = /* sql */ `
CREATE TABLE hub_uploads (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,   -- upload order: oldest first
  upload_id     TEXT    NOT NULL UNIQUE,
  person_id     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  pack_id       TEXT    NOT NULL,
  template_ids  TEXT    NOT NULL CHECK (json_valid(template_ids)),   -- JSON array of face_templates ids
  consent       TEXT    CHECK (consent IS NULL OR json_valid(consent)), -- {method, given_at} or null
  created_at    TEXT    NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'refused')),
  finished_at   TEXT,
  hub_person_id TEXT                                  -- the hub's id of the person, once done
);
CREATE INDEX hub_uploads_state ON hub_uploads (state, id);
`;
