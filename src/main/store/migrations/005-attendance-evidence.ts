/**
 * The check-out's own evidence (until now only the check-in's similarity and liveness were kept, and a
 * check-out overwrote nothing but its time), and an index for "everything the audit log says about X"
 * (a data-subject export, an attendance record's history).
 */
export const sql = /* sql */ `
ALTER TABLE attendance ADD COLUMN check_out_kiosk_id TEXT;
ALTER TABLE attendance ADD COLUMN check_out_similarity REAL;
ALTER TABLE attendance ADD COLUMN check_out_liveness REAL;

CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
CREATE INDEX leave_dates ON leave (from_date, to_date);
`;
