/**
 * Progress of `hadir hub import`: one row per imported item (a person's folder, or their files in a
 * folder), written in the same transaction as the person it enrolled, so a killed import leaves whole
 * people with their row or neither, and a re-run skips what is done. The kiosk's `import_items`, on
 * PostgreSQL. A deleted person's rows go with them (their source named that person's photos): a
 * later import of the same folder enrolls them afresh, as on the kiosk.
 */
export const sql = /* sql */ `
CREATE TABLE import_items (
  source      text PRIMARY KEY,
  run_id      text NOT NULL,
  status      text NOT NULL CHECK (status IN ('enrolled', 'rejected', 'skipped')),
  person_id   bigint REFERENCES people ON DELETE CASCADE,
  reason      text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_items_person ON import_items (person_id) WHERE person_id IS NOT NULL;
`;
