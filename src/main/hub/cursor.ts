import { createHmac, timingSafeEqual } from 'node:crypto';
import { HadirError } from '../../shared/errors';

/** Where a kiosk stands in its replication: inside the first snapshot, or following the log. */
export interface CursorPosition {
  device: string;
  phase: 'snapshot' | 'log';
  /** Snapshot: the last person id sent (people go in id order). */
  after_person_id: number;
  /** The log position the snapshot started at, or (log phase) the last one read. */
  log_seq: number;
}

const mac = (secret: Buffer, payload: string) => createHmac('sha256', secret).update(payload).digest();

/** `<payload>.<mac>`, both base64url: opaque to the kiosk, and any change to it is detected. */
export function signCursor(secret: Buffer, pos: CursorPosition): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...pos })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

const bad = (why: string) => new HadirError('BAD_REQUEST', `invalid cursor: ${why}; start again without one`);

/** The position a cursor holds, if this hub signed it for this device; else BAD_REQUEST. */
export function readCursor(secret: Buffer, cursor: string, deviceId: string): CursorPosition {
  const [payload, sig, ...rest] = cursor.split('.');
  if (!payload || !sig || rest.length) throw bad('not a cursor');
  const expected = mac(secret, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad('signature mismatch');
  let pos: Partial<CursorPosition> & { v?: unknown };
  try {
    pos = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor');
  }
  const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (
    pos.v !== 1 ||
    (pos.phase !== 'snapshot' && pos.phase !== 'log') ||
    !count(pos.after_person_id) ||
    !count(pos.log_seq) ||
    typeof pos.device !== 'string'
  ) {
    throw bad('not a cursor');
  }
  // Signed by us, but for another device: a kiosk never gets another site's position.
  if (pos.device !== deviceId) throw bad('it belongs to another device');
  return { device: pos.device, phase: pos.phase, after_person_id: pos.after_person_id!, log_seq: pos.log_seq! };
}
