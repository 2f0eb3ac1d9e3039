import type { EnrollmentUploadResponse } from '../../../shared/sync-protocol';
import type { Sql } from './db';

/** The answer a device's upload got, or null when it was never stored. */
export async function storedUploadAnswer(
  sql: Sql,
  deviceId: string,
  uploadId: string,
): Promise<Omit<EnrollmentUploadResponse, 'server_time'> | null> {
  const { rows } = await sql.query<{ answer: Omit<EnrollmentUploadResponse, 'server_time'> }>(
    'SELECT answer FROM enrollment_uploads WHERE device_id = $1 AND upload_id = $2',
    [deviceId, uploadId],
  );
  return rows[0]?.answer ?? null;
}

/** Keep the answer, in the transaction that did what it says (a second insert is a unique violation). */
export async function recordUploadAnswer(
  sql: Sql,
  u: { deviceId: string; uploadId: string; personId: number; answer: Omit<EnrollmentUploadResponse, 'server_time'> },
): Promise<void> {
  await sql.query(
    'INSERT INTO enrollment_uploads (device_id, upload_id, person_id, created, answer) VALUES ($1, $2, $3, $4, $5)',
    [u.deviceId, u.uploadId, u.personId, u.answer.created, JSON.stringify(u.answer)],
  );
}
