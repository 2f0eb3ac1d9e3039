import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { isValidDate } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import { addLeave } from './people';

import { LEAVE_KINDS, type LeaveKindName } from '../../shared/hub-admin';

export { LEAVE_KINDS };
export type LeaveKind = LeaveKindName;

export interface LeaveEntry {
  employeeNumber: string;
  from: string;
  to: string;
  kind: string;
  reason: string;
}

/**
 * Register leave at the hub (`hadir hub leave add`, POST /api/v1/hub/leave). The person's change goes
 * into the log, so every kiosk of their sites receives it with the person and answers `on_leave` by
 * its schedule; the views count the day as leave, not absence. Audited with the reason.
 */
export async function enterLeave(pool: pg.Pool, l: LeaveEntry, actor: Actor): Promise<void> {
  for (const [field, v] of [
    ['from', l.from],
    ['to', l.to],
  ] as const) {
    if (!isValidDate(v)) throw new HadirError('BAD_REQUEST', `${field}: not a date (YYYY-MM-DD): "${v}"`);
  }
  if (l.from > l.to) throw new HadirError('BAD_REQUEST', 'leave must end on or after its first day');
  if (!(LEAVE_KINDS as readonly string[]).includes(l.kind)) {
    throw new HadirError('BAD_REQUEST', `kind must be one of ${LEAVE_KINDS.join(', ')} (got "${l.kind}")`);
  }
  const reason = l.reason?.trim();
  if (!reason) throw new HadirError('BAD_REQUEST', 'leave needs a reason');
  await addLeave(pool, l.employeeNumber, { fromDate: l.from, toDate: l.to, kind: l.kind, note: reason }, actor);
}
