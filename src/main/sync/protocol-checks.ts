import type {
  ChangesPage,
  EnrollmentUploadResponse,
  HubDay,
  HubDayMoment,
  HubDaysResponse,
  JoinResponse,
  PushResponse,
  SyncItem,
  SyncPerson,
  SyncSite,
} from '../../shared/sync-protocol';

/**
 * Checks of the hub's answers against src/shared/sync-protocol.ts: the kiosk reads every body through
 * one of these before it touches the store, and a body that does not fit is refused whole (with the
 * path of the first wrong field), never applied in part.
 */
export type Check<T> = (v: unknown) => { ok: true; value: T } | { ok: false; error: string };

class Invalid extends Error {}

const fail = (path: string, want: string): never => {
  throw new Invalid(`${path}: expected ${want}`);
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown, path: string): Record<string, unknown> => (isObj(v) ? v : fail(path, 'an object'));
const str = (v: unknown, path: string): string => (typeof v === 'string' ? v : fail(path, 'a string'));
const strOrNull = (v: unknown, path: string): string | null => (v === null ? null : str(v, path));
const int = (v: unknown, path: string): number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fail(path, 'a whole number ≥ 0');
const bool = (v: unknown, path: string): boolean => (typeof v === 'boolean' ? v : fail(path, 'true or false'));
const arr = (v: unknown, path: string): unknown[] => (Array.isArray(v) ? v : fail(path, 'an array'));
const date = (v: unknown, path: string): string =>
  /^\d{4}-\d{2}-\d{2}$/.test(str(v, path)) ? (v as string) : fail(path, 'a date YYYY-MM-DD');
const instant = (v: unknown, path: string): string =>
  Number.isNaN(Date.parse(str(v, path))) ? fail(path, 'an ISO-8601 time') : (v as string);

function site(v: unknown, path: string): SyncSite {
  const o = obj(v, path);
  if (!('schedule' in o)) fail(`${path}.schedule`, 'a schedule or null');
  return {
    code: str(o.code, `${path}.code`),
    name: str(o.name, `${path}.name`),
    time_zone: str(o.time_zone, `${path}.time_zone`),
    schedule: o.schedule ?? null,
    holidays: arr(o.holidays, `${path}.holidays`).map((h, i) => {
      const ho = obj(h, `${path}.holidays[${i}]`);
      return { date: date(ho.date, `${path}.holidays[${i}].date`), name: str(ho.name, `${path}.holidays[${i}].name`) };
    }),
  };
}

function person(v: unknown, path: string): SyncPerson {
  const o = obj(v, path);
  return {
    hub_id: str(o.hub_id, `${path}.hub_id`),
    employee_number: str(o.employee_number, `${path}.employee_number`),
    full_name: str(o.full_name, `${path}.full_name`),
    unit: strOrNull(o.unit ?? null, `${path}.unit`),
    active: bool(o.active, `${path}.active`),
    templates: arr(o.templates, `${path}.templates`).map((t, i) => {
      const p = `${path}.templates[${i}]`;
      const to = obj(t, p);
      return {
        hub_id: str(to.hub_id, `${p}.hub_id`),
        pack_id: str(to.pack_id, `${p}.pack_id`),
        dim: int(to.dim, `${p}.dim`),
        embedding: str(to.embedding, `${p}.embedding`),
        created_at: instant(to.created_at, `${p}.created_at`),
      };
    }),
    leave: arr(o.leave, `${path}.leave`).map((l, i) => {
      const p = `${path}.leave[${i}]`;
      const lo = obj(l, p);
      const from = date(lo.from_date, `${p}.from_date`);
      const to = date(lo.to_date, `${p}.to_date`);
      if (from > to) fail(p, 'from_date ≤ to_date');
      return { from_date: from, to_date: to, kind: str(lo.kind, `${p}.kind`) };
    }),
    updated_at: instant(o.updated_at, `${path}.updated_at`),
  };
}

function item(v: unknown, path: string): SyncItem {
  const o = obj(v, path);
  switch (o.type) {
    case 'person':
      return { type: 'person', person: person(o.person, `${path}.person`) };
    case 'person_delete':
      return { type: 'person_delete', hub_id: str(o.hub_id, `${path}.hub_id`) };
    case 'site':
      return { type: 'site', site: site(o.site, `${path}.site`) };
    default:
      return fail(`${path}.type`, "'person', 'person_delete' or 'site'");
  }
}

function checked<T>(read: (v: unknown) => T): Check<T> {
  return (v) => {
    try {
      return { ok: true, value: read(v) };
    } catch (e) {
      if (e instanceof Invalid) return { ok: false, error: e.message };
      throw e;
    }
  };
}

export const checkJoinResponse: Check<JoinResponse> = checked((v) => {
  const o = obj(v, 'body');
  return {
    device_id: str(o.device_id, 'device_id'),
    credential: str(o.credential, 'credential'),
    site: site(o.site, 'site'),
    hub_id: str(o.hub_id, 'hub_id'),
    server_time: instant(o.server_time, 'server_time'),
  };
});

export const checkChangesPage: Check<ChangesPage> = checked((v) => {
  const o = obj(v, 'body');
  const phase = o.phase === 'snapshot' || o.phase === 'log' ? o.phase : fail('phase', "'snapshot' or 'log'");
  let progress: ChangesPage['progress'];
  if (o.progress !== undefined && o.progress !== null) {
    const p = obj(o.progress, 'progress');
    progress = { done: int(p.done, 'progress.done'), total: int(p.total, 'progress.total') };
  }
  return {
    phase,
    items: arr(o.items, 'items').map((it, i) => item(it, `items[${i}]`)),
    cursor: str(o.cursor, 'cursor'),
    more: bool(o.more, 'more'),
    ...(progress ? { progress } : {}),
    server_time: instant(o.server_time, 'server_time'),
  };
});

export const checkPushResponse: Check<PushResponse> = checked((v) => {
  const o = obj(v, 'body');
  return {
    acked_seq: int(o.acked_seq, 'acked_seq'),
    stored: int(o.stored, 'stored'),
    server_time: instant(o.server_time, 'server_time'),
  };
});

export const checkEnrollmentUploadResponse: Check<EnrollmentUploadResponse> = checked((v) => {
  const o = obj(v, 'body');
  return {
    hub_id: str(o.hub_id, 'hub_id'),
    created: bool(o.created, 'created'),
    templates: arr(o.templates, 'templates').map((t, i) => {
      const to = obj(t, `templates[${i}]`);
      return {
        local_id: int(to.local_id, `templates[${i}].local_id`),
        hub_id: str(to.hub_id, `templates[${i}].hub_id`),
      };
    }),
    server_time: instant(o.server_time, 'server_time'),
  };
});

const DAY_STATUSES = ['present', 'late', 'absent', 'on_leave', 'off'] as const;

function moment(v: unknown, path: string): HubDayMoment | null {
  if (v === null) return null;
  const o = obj(v, path);
  return { time: instant(o.time, `${path}.time`), site: str(o.site, `${path}.site`) };
}

function hubDay(v: unknown, path: string): HubDay {
  const o = obj(v, path);
  const status = DAY_STATUSES.find((s) => s === o.status) ?? fail(`${path}.status`, DAY_STATUSES.join(', '));
  return {
    employee_number: str(o.employee_number, `${path}.employee_number`),
    hub_id: str(o.hub_id, `${path}.hub_id`),
    date: date(o.date, `${path}.date`),
    first_in: moment(o.first_in ?? null, `${path}.first_in`),
    last_out: moment(o.last_out ?? null, `${path}.last_out`),
    late: o.late === null || o.late === undefined ? null : bool(o.late, `${path}.late`),
    late_seconds: int(o.late_seconds, `${path}.late_seconds`),
    early: bool(o.early, `${path}.early`),
    early_seconds: int(o.early_seconds, `${path}.early_seconds`),
    corrected: bool(o.corrected, `${path}.corrected`),
    correction_reason: strOrNull(o.correction_reason ?? null, `${path}.correction_reason`),
    status,
  };
}

export const checkHubDaysResponse: Check<HubDaysResponse> = checked((v) => {
  const o = obj(v, 'body');
  const from = date(o.from, 'from');
  const to = date(o.to, 'to');
  const days = arr(o.days, 'days').map((d, i) => hubDay(d, `days[${i}]`));
  // Rows outside the range asked for would survive the next replacement of that range: refused whole.
  for (const [i, d] of days.entries()) {
    if (d.date < from || d.date > to) fail(`days[${i}].date`, `a date in ${from}..${to}`);
  }
  return { from, to, site: str(o.site, 'site'), days, server_time: instant(o.server_time, 'server_time') };
});

/** Any body: the heartbeat's answer carries nothing the kiosk needs. */
export const anyBody: Check<unknown> = (v) => ({ ok: true, value: v });
