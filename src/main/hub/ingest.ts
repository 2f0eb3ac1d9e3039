import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { localParts } from '../../shared/local-time';
import type { AttendanceEvent, PushResponse } from '../../shared/sync-protocol';
import { inTransaction, requireDurableCommit } from './store/db';
import { lockDevice, updateAck } from './store/devices';
import { contiguousSeq, type EventRow, insertEvents, resolvePeople } from './store/events';

export const MAX_PUSH_EVENTS = 1000;
/** A kiosk whose measured offset from the hub is larger than this has a clock worth a human look. */
export const SUSPECT_OFFSET_MS = 120_000;
/** An event this far in the future of the hub's clock cannot be right. */
export const SUSPECT_FUTURE_MS = 5 * 60_000;

/** Whether an event's time needs a human look; it is stored either way. */
export function clockSuspect(occurredAt: Date, clockOffsetMs: number | null, hubNow: Date): boolean {
  if (clockOffsetMs !== null && Math.abs(clockOffsetMs) > SUSPECT_OFFSET_MS) return true;
  return occurredAt.getTime() - hubNow.getTime() > SUSPECT_FUTURE_MS;
}

/**
 * Store a batch of a device's outbox, each event once, and say up to which seq the hub now holds
 * everything. One transaction, committed durably before the answer (whatever synchronous_commit the
 * server runs with); the device row is locked first, so two pushes from one device (a retry racing its
 * original) take turns and the acknowledgement never runs ahead of what is stored.
 */
export async function pushEvents(
  pool: pg.Pool,
  deviceId: string,
  events: readonly AttendanceEvent[],
): Promise<Omit<PushResponse, 'server_time'>> {
  if (events.length > MAX_PUSH_EVENTS) {
    throw new HadirError('BAD_REQUEST', `at most ${MAX_PUSH_EVENTS} events per push (got ${events.length})`);
  }
  const parsed = events.map((e) => {
    const at = new Date(e.occurred_at);
    if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(e.occurred_at)) {
      throw new HadirError('BAD_REQUEST', `event ${e.seq}: occurred_at is not an ISO-8601 time ("${e.occurred_at}")`);
    }
    return { e, at };
  });
  return inTransaction(pool, async (tx) => {
    // The answer lets the kiosk delete these events: they must be on disk before it is sent.
    await requireDurableCommit(tx);
    const device = await lockDevice(tx, deviceId);
    if (!device) throw new HadirError('UNAUTHORIZED', 'unknown device');
    const known = await resolvePeople(
      tx,
      [...new Set(events.flatMap((e) => (e.person_hub_id ? [e.person_hub_id] : [])))],
      [...new Set(events.map((e) => e.employee_number))],
    );
    const byHubId = new Map(known.map((p) => [p.hub_id, p.id]));
    const byNumber = new Map(known.map((p) => [p.employee_number, p.id]));
    const now = new Date();
    const rows: EventRow[] = parsed.map(({ e, at }) => ({
      seq: e.seq,
      // A hub id the kiosk holds names that person, even if someone else has the number by now; a
      // person unknown here is kept unlinked, never dropped.
      personId: e.person_hub_id ? (byHubId.get(e.person_hub_id) ?? null) : (byNumber.get(e.employee_number) ?? null),
      personHubId: e.person_hub_id,
      employeeNumber: e.employee_number,
      type: e.type,
      occurredAt: at,
      localDate: localParts(at, device.time_zone).date,
      clockOffsetMs: e.clock_offset_ms,
      clockSuspect: clockSuspect(at, e.clock_offset_ms, now),
      decision: e.decision,
    }));
    const stored = await insertEvents(tx, deviceId, device.site_id, rows);
    const acked = await contiguousSeq(tx, deviceId, device.acked_seq);
    const latestOffset = [...events].sort((a, b) => b.seq - a.seq).find((e) => e.clock_offset_ms !== null);
    await updateAck(tx, deviceId, acked, latestOffset?.clock_offset_ms ?? null);
    return { acked_seq: acked, stored };
  });
}
