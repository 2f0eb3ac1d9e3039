/** Progress of bulk imports, so an interrupted `hadir import` resumes instead of starting over. */
export const sql = /* sql */ `
CREATE TABLE import_items (
  source      TEXT PRIMARY KEY,                      -- absolute path of the file or folder imported
  run_id      TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('enrolled', 'rejected', 'skipped')),
  person_id   INTEGER REFERENCES people (id) ON DELETE SET NULL,
  reason      TEXT,
  updated_at  TEXT NOT NULL
);
`;
