import type pg from 'pg';
import { localParts } from '../../shared/local-time';
import type { ChangesPage, SyncItem, SyncPerson } from '../../shared/sync-protocol';
import { type CursorPosition, readCursor, signCursor } from './cursor';
import type { ChangeNotifier } from './notifier';
import { syncSite } from './sites';
import { type ChangeRow, changesForSite, headSeq } from './store/changes';
import { inTransaction, type Sql } from './store/db';
import * as people from './store/people';
import { siteById } from './store/sites';

export const MAX_PAGE = 500;
export const MAX_WAIT_S = 30;

/** The device asking, as authentication found it. */
export interface ReplicaDevice {
  id: string;
  site_id: number;
  pack_id: string;
}

/**
 * The whole state of each person in `ids` as the device's site sees it now: an upsert when the site
 * may see them, a delete (by the uuid the log kept) when they are gone or no longer the site's. One
 * entry per ref, null for someone gone whose uuid nobody kept.
 */
async function personItems(
  sql: Sql,
  device: ReplicaDevice,
  refs: readonly { key: number; hubId: string | null }[],
  today: string,
): Promise<(SyncItem | null)[]> {
  const ids = refs.map((r) => r.key);
  const states = new Map((await people.personStates(sql, device.site_id, ids)).map((p) => [p.id, p]));
  const visible = ids.filter((id) => states.get(id)?.visible);
  const templates = await people.templatesOf(sql, visible, device.pack_id);
  const leave = await people.leaveFrom(sql, visible, today);
  const items: (SyncItem | null)[] = [];
  for (const ref of refs) {
    const p = states.get(ref.key);
    if (p?.visible) {
      const person: SyncPerson = {
        hub_id: p.hub_id,
        employee_number: p.employee_number,
        full_name: p.full_name,
        unit: p.unit,
        active: p.active,
        templates: templates
          .filter((t) => t.person_id === p.id)
          .map((t) => ({
            hub_id: t.hub_id,
            pack_id: t.pack_id,
            dim: t.dim,
            embedding: t.embedding.toString('base64'),
            created_at: t.created_at.toISOString(),
          })),
        leave: leave
          .filter((l) => l.person_id === p.id)
          .map((l) => ({ from_date: l.from_date, to_date: l.to_date, kind: l.kind })),
        updated_at: p.updated_at.toISOString(),
      };
      items.push({ type: 'person', person });
    } else {
      const hubId = p?.hub_id ?? ref.hubId;
      items.push(hubId ? { type: 'person_delete', hub_id: hubId } : null);
    }
  }
  return items;
}

type Page = Omit<ChangesPage, 'server_time'>;

/**
 * One page for the device from `pos` (null: start the first sync). Everything is read in one
 * repeatable-read snapshot, so a page's items, its progress and the log position it stops at agree.
 */
export async function readChangesPage(
  pool: pg.Pool,
  secret: Buffer,
  device: ReplicaDevice,
  pos: CursorPosition | null,
  limit: number,
): Promise<Page> {
  return inTransaction(
    pool,
    async (tx) => {
      const site = await siteById(tx, device.site_id);
      if (!site) throw new Error(`device ${device.id} names a missing site`);
      const today = localParts(new Date(), site.time_zone).date;
      const head = await headSeq(tx);
      const at: CursorPosition = pos ?? { device: device.id, phase: 'snapshot', after_person_id: 0, log_seq: head };

      if (at.phase === 'snapshot') {
        const ids = await people.visiblePeopleIds(tx, device.site_id, at.after_person_id, limit + 1);
        const page = ids.slice(0, limit);
        const items: SyncItem[] = [];
        // The first page carries the site too, so a snapshot alone is a complete replica.
        if (at.after_person_id === 0) items.push({ type: 'site', site: await syncSite(tx, site) });
        const states = await personItems(
          tx,
          device,
          page.map((key) => ({ key, hubId: null })),
          today,
        );
        items.push(...states.filter((i): i is SyncItem => i !== null));
        const last = page.at(-1) ?? at.after_person_id;
        const total = await people.countVisiblePeople(tx, device.site_id);
        const done = await people.countVisiblePeople(tx, device.site_id, last);
        const continues = ids.length > limit;
        const next: CursorPosition = continues
          ? { ...at, after_person_id: last }
          : { device: device.id, phase: 'log', after_person_id: 0, log_seq: at.log_seq };
        return {
          phase: 'snapshot',
          items,
          cursor: signCursor(secret, next),
          // After the last snapshot page: more only if the log grew while the snapshot was read.
          more: continues || head > at.log_seq,
          progress: { done, total },
        };
      }

      const rows = await changesForSite(tx, device.site_id, at.log_seq, head, limit + 1);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      // With nothing more for this site, the cursor moves to the head: later reads skip the other
      // sites' entries in between instead of scanning them again.
      const logSeq = more ? page.at(-1)!.seq : head;
      return {
        phase: 'log',
        items: await logItems(tx, device, site, page, today),
        cursor: signCursor(secret, { device: device.id, phase: 'log', after_person_id: 0, log_seq: logSeq }),
        more,
      };
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}

/** A page of log entries as items: one per thing changed (states, not diffs), in first-mention order. */
async function logItems(
  sql: Sql,
  device: ReplicaDevice,
  site: NonNullable<Awaited<ReturnType<typeof siteById>>>,
  rows: readonly ChangeRow[],
  today: string,
): Promise<SyncItem[]> {
  const seen = new Set<string>();
  const unique = rows.filter((r) => {
    const k = `${r.kind}:${r.key}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const persons = unique.filter((r) => r.kind === 'person');
  const states = await personItems(
    sql,
    device,
    persons.map((r) => ({ key: r.key, hubId: r.person_hub_id })),
    today,
  );
  const byRow = new Map(persons.map((r, i) => [r, states[i]]));
  const items: SyncItem[] = [];
  for (const r of unique) {
    if (r.kind === 'site') {
      if (r.key === site.id) items.push({ type: 'site', site: await syncSite(sql, site) });
      continue;
    }
    const item = byRow.get(r);
    if (item) items.push(item);
  }
  return items;
}

/**
 * A page, holding the request (long-poll) while the log has nothing new for the device: it re-reads
 * on every wake-up of the notifier until something arrives, `waitS` passes or the hub shuts down.
 */
export async function longPollChanges(
  pool: pg.Pool,
  notifier: ChangeNotifier,
  secret: Buffer,
  device: ReplicaDevice,
  cursor: string | null,
  opts: { limit: number; waitS: number; signal?: AbortSignal },
): Promise<Page> {
  let pos = cursor === null ? null : readCursor(secret, cursor, device.id);
  const deadline = Date.now() + Math.min(MAX_WAIT_S, Math.max(0, opts.waitS)) * 1000;
  for (;;) {
    // Taken before the read: a wake-up that comes while reading makes the wait below return at once.
    const since = notifier.position;
    const page = await readChangesPage(pool, secret, device, pos, opts.limit);
    const left = deadline - Date.now();
    if (page.phase === 'snapshot' || page.items.length > 0 || page.more || left <= 0) return page;
    if (notifier.isClosed || opts.signal?.aborted) return page;
    await notifier.wait(since, left, opts.signal);
    pos = readCursor(secret, page.cursor, device.id);
  }
}
