/**
 * Enrollments uploaded by kiosks (`POST /api/v1/sync/enrollments`): one row per (device, upload id),
 * written in the transaction that created the person or added the templates, with the answer the
 * device got. A repeated upload (the answer was lost, the kiosk crashed or was killed before its
 * bookkeeping) finds the row and gets the same answer; the primary key, not a lookup, is what makes
 * the write happen once. Refusals write nothing and are decided afresh (the hub may have granted the
 * site since). The person is not a foreign key: the answer stays what it was if they are deleted later.
 */
export const sql = /* sql */ `
CREATE TABLE enrollment_uploads (
  device_id   uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
  upload_id   uuid NOT NULL,
  person_id   bigint NOT NULL,
  created     boolean NOT NULL,
  answer      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, upload_id)
);
`;
