/**
 * A realistic organisation on a test hub: sites in WIB and WITA with the default schedule, people
 * spread over sites and units (some on leave), one or more paired kiosks per site, and a day or a
 * month of check-ins and check-outs pushed through the real sync route (`POST /api/v1/sync/events`),
 * as the kiosks would push them. Everything is planned first from a seeded random source, so a test
 * knows who was late (and by how much), who left early, who is absent and who is on leave, and
 * receives the counts the hub's views must show.
 *
 * Fast enough for a few thousand people: people, their leave, the change log and the audit log are
 * written in a handful of batched statements (the change log the way people.ts writes it, one entry
 * per person, so every kiosk replicates them); events go in pushes of up to 1000.
 */
import { LEAVE_KINDS, type LeaveKindName } from '../../shared/hub-admin';
import {
  addDays,
  datesBetween,
  isValidDate,
  localParts,
  parseTimeOfDay,
  weekdayOf,
  zonedToUtc,
} from '../../shared/local-time';
import type { AttendanceEvent, JoinResponse } from '../../shared/sync-protocol';
import { isoInZone } from '../hub/attendance-day';
import { createPairingCode } from '../hub/pairing';
import { addHoliday, addSite, setSiteSchedule } from '../hub/sites';
import { recordChanges } from '../hub/store/changes';
import { inTransaction } from '../hub/store/db';
import { insertPeople } from '../hub/store/people';
import { isExpectedWorkday, parseScheduleSettings, Schedule } from '../services/schedule';
import { hubFetch, TEST_ACTOR, TEST_PACK, type TestHub } from './postgres-hub';

export interface SeedRates {
  /** Of the people not on leave, per workday: no event at all. */
  absent: number;
  /** Checked in after the on-time limit (1 to 120 minutes). */
  late: number;
  /** Checked out before the check-out window opens (1 to 150 minutes). */
  early: number;
  /** Checked in and never out. */
  noCheckout: number;
  /** Of all people: has one leave of 1 to 3 days within the seeded dates. */
  leave: number;
}

export const DEFAULT_SEED_RATES: SeedRates = { absent: 0.05, late: 0.12, early: 0.05, noCheckout: 0.04, leave: 0.03 };

export interface SeedOptions {
  /** How many sites (default 3): JKT (WIB), MKS (WITA), BDG (WIB), DPS (WITA), … then S09, S10, … */
  sites?: number;
  /** How many people (default 60), spread evenly over the sites, round robin. */
  people?: number;
  /** The first day of events (YYYY-MM-DD). */
  date: string;
  /** How many days from `date` get events (default 1; 31 for a month). Weekends and holidays get none. */
  days?: number;
  kiosksPerSite?: number;
  units?: readonly string[];
  /** Holidays (of every site, or of the sites named): no workday, no events. */
  holidays?: readonly { date: string; name: string; sites?: readonly string[] }[];
  rates?: Partial<SeedRates>;
  /** The random source's seed (default 1): the same options give the same organisation. */
  seed?: number;
  /** When the people were registered (default 2020-01-01): before `date`, so they are expected. */
  createdAt?: string;
  /** Employee numbers are 18-digit NIPs; a prefix, when given, makes them `${prefix}${n}` instead. */
  numberPrefix?: string;
  /** Each kiosk reports its status (app version, outbox, camera) after pushing (default true). */
  kioskStatus?: boolean;
}

export interface SeededKiosk {
  device_id: string;
  name: string;
  credential: string;
  /** The last seq pushed (a test pushing more continues from here). */
  seq: number;
}

export interface SeededSite {
  code: string;
  name: string;
  time_zone: string;
  kiosks: SeededKiosk[];
}

export type SeededStatus = 'present' | 'late' | 'absent' | 'on_leave' | 'off';

export interface SeededDay {
  /** As the hub's day view says it (org-days.ts). */
  status: SeededStatus;
  /** ISO 8601 with the home site's offset, as pushed; null: none. */
  in: string | null;
  out: string | null;
  late_minutes: number;
  early_minutes: number;
  leave: LeaveKindName | null;
}

/** What the monthly recap must say of the seeded dates (RecapRow's numbers, over those dates only). */
export interface SeededRecap {
  workdays: number;
  days_present: number;
  days_late: number;
  late_minutes: number;
  early_departures: number;
  early_minutes: number;
  missing_checkouts: number;
  absent_days: number;
  leave_days: Record<LeaveKindName, number>;
}

export interface SeededPerson {
  id: number;
  hub_id: string;
  employee_number: string;
  full_name: string;
  unit: string;
  site: string;
  leave: { from: string; to: string; kind: LeaveKindName }[];
  /** Per seeded date. */
  days: Record<string, SeededDay>;
  recap: SeededRecap;
}

/** A date's counts, as the hub's day summary counts them (`GET /api/v1/hub/days`, org-days.ts). */
export interface SeedCounts {
  /** Active people registered by then (everyone seeded). */
  active: number;
  /** With any event (on time or late). */
  present: number;
  late: number;
  /** A workday with no event and no leave. */
  absent: number;
  on_leave: number;
  /** Checked out before the check-out window opened. */
  early: number;
  /** Checked in, not (yet) out. */
  not_checked_out: number;
}

export interface SeededHub {
  sites: SeededSite[];
  people: SeededPerson[];
  /** Every seeded date, workday or not. */
  dates: string[];
  /** Per date: the organisation's counts and each site's (by home site; nobody visits another site). */
  counts: Record<string, { total: SeedCounts; sites: Record<string, SeedCounts> }>;
  /** How many events were pushed. */
  events: number;
}

const SITES: [code: string, name: string, zone: string][] = [
  ['JKT', 'Kantor Pusat Jakarta', 'Asia/Jakarta'],
  ['MKS', 'Kantor Wilayah Makassar', 'Asia/Makassar'],
  ['BDG', 'Kantor Wilayah Bandung', 'Asia/Jakarta'],
  ['DPS', 'Kantor Wilayah Denpasar', 'Asia/Makassar'],
  ['SBY', 'Kantor Wilayah Surabaya', 'Asia/Jakarta'],
  ['BPN', 'Kantor Wilayah Balikpapan', 'Asia/Makassar'],
  ['MDN', 'Kantor Wilayah Medan', 'Asia/Jakarta'],
  ['MDO', 'Kantor Wilayah Manado', 'Asia/Makassar'],
];

export const SEED_UNITS = ['Sekretariat', 'Keuangan', 'Kepegawaian', 'Perencanaan', 'Hukum', 'Teknologi Informasi'];

const FIRST = [
  'Budi', 'Siti', 'Agus', 'Dewi', 'Rina', 'Ahmad', 'Sri', 'Eko', 'Putri', 'Wahyu', 'Nur', 'Andi', 'Fitri',
  'Hendra', 'Yuni', 'Rizky', 'Ayu', 'Bambang', 'Lestari', 'Dian', 'Made', 'Ketut', 'Wayan', 'Nyoman',
  'Teguh', 'Indah', 'Joko', 'Ratna', 'Arief', 'Maya',
]; // prettier-ignore
const LAST = [
  'Santoso', 'Wijaya', 'Saputra', 'Hidayat', 'Kusuma', 'Pratama', 'Nugroho', 'Setiawan', 'Rahayu', 'Siregar',
  'Nasution', 'Simanjuntak', 'Harahap', 'Lubis', 'Sari', 'Wibowo', 'Purnomo', 'Susanto', 'Gunawan', 'Halim',
  'Tanjung', 'Putra', 'Utami', 'Anggraini', 'Permana', 'Firmansyah', 'Syahputra', 'Mahendra', 'Pangaribuan',
  'Sitompul',
]; // prettier-ignore

/** mulberry32: a small, seeded, good-enough random source. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const emptyCounts = (active: number): SeedCounts => ({
  active,
  present: 0,
  late: 0,
  absent: 0,
  on_leave: 0,
  early: 0,
  not_checked_out: 0,
});

type Arrival = 'on_time' | 'late';
type Departure = 'normal' | 'early' | 'none';

/** Seed `t` (a fresh test hub) with an organisation and its days; see the module comment. */
export async function seedHub(t: TestHub, opts: SeedOptions): Promise<SeededHub> {
  if (!isValidDate(opts.date)) throw new Error(`seedHub: date must be YYYY-MM-DD (got "${opts.date}")`);
  const pool = t.hub.pool;
  const rnd = random(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const rates = { ...DEFAULT_SEED_RATES, ...opts.rates };
  const siteCount = opts.sites ?? 3;
  const peopleCount = opts.people ?? 60;
  const kiosksPerSite = Math.max(1, opts.kiosksPerSite ?? 1);
  const units = opts.units?.length ? opts.units : SEED_UNITS;
  const dates = datesBetween(opts.date, addDays(opts.date, Math.max(1, opts.days ?? 1) - 1));

  // Sites, each with the default schedule in its own zone, its holidays and its kiosks.
  const sites: SeededSite[] = [];
  const schedules = new Map<string, Schedule>();
  for (let i = 0; i < siteCount; i++) {
    const [code, name, zone] = SITES[i] ?? [
      `S${String(i + 1).padStart(2, '0')}`,
      `Kantor ${i + 1}`,
      i % 2 ? 'Asia/Makassar' : 'Asia/Jakarta',
    ];
    await addSite(pool, { code, name, timeZone: zone }, TEST_ACTOR);
    await setSiteSchedule(pool, code, {}, TEST_ACTOR);
    schedules.set(code, new Schedule(parseScheduleSettings({ timeZone: zone })));
    sites.push({ code, name, time_zone: zone, kiosks: [] });
  }
  const holidayOf = new Map<string, string>();
  for (const h of opts.holidays ?? []) {
    for (const s of sites) {
      if (h.sites && !h.sites.includes(s.code)) continue;
      await addHoliday(pool, s.code, h.date, h.name, TEST_ACTOR);
      holidayOf.set(`${s.code}|${h.date}`, h.name);
    }
  }
  for (const s of sites) {
    for (let k = 0; k < kiosksPerSite; k++) {
      const { code } = await createPairingCode(pool, s.code, TEST_ACTOR);
      const name = `Loket ${k + 1}`;
      const r = await hubFetch<JoinResponse>(t.url, 'POST', '/api/v1/sync/join', {
        body: { code, name, app_version: '0.1.0', pack_id: TEST_PACK, protocol: 1 },
      });
      if (r.status !== 200) throw new Error(`seedHub: join failed: ${r.status} ${JSON.stringify(r.body)}`);
      s.kiosks.push({ device_id: r.body.device_id, name, credential: r.body.credential, seq: 0 });
    }
  }

  // People: NIPs (birth date, appointment month, sex, number), names, units; round robin over sites.
  const numbers = new Set<string>();
  const planned = Array.from({ length: peopleCount }, (_, i) => {
    let nip: string;
    do {
      nip = opts.numberPrefix
        ? `${opts.numberPrefix}${i + 1}`
        : `19${between(65, 99)}${String(between(1, 12)).padStart(2, '0')}${String(between(1, 28)).padStart(2, '0')}` +
          `20${String(between(5, 24)).padStart(2, '0')}${String(between(1, 12)).padStart(2, '0')}` +
          `${between(1, 2)}${String(between(1, 999)).padStart(3, '0')}`;
    } while (numbers.has(nip));
    numbers.add(nip);
    return {
      employeeNumber: nip,
      fullName: `${pick(FIRST)} ${pick(LAST)}`,
      unit: units[Math.floor(rnd() * units.length)],
      site: sites[i % sites.length],
    };
  });
  const siteIds = new Map(
    (await pool.query<{ id: number; code: string }>('SELECT id, code FROM sites')).rows.map((r) => [r.code, r.id]),
  );
  const rows = await inTransaction(pool, async (tx) => {
    const rows = await insertPeople(
      tx,
      planned.map((p) => ({
        employeeNumber: p.employeeNumber,
        fullName: p.fullName,
        unit: p.unit,
        homeSiteId: siteIds.get(p.site.code)!,
      })),
    );
    await tx.query('UPDATE people SET created_at = $2 WHERE id = ANY($1::bigint[])', [
      rows.map((r) => r.id),
      opts.createdAt ?? '2020-01-01T00:00:00Z',
    ]);
    await tx.query(
      `INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, details)
       SELECT $1, $2, 'person.create', 'person', n, jsonb_build_object('site', s)
         FROM unnest($3::text[], $4::text[]) AS x(n, s)`,
      [TEST_ACTOR.type, TEST_ACTOR.id, rows.map((r) => r.employee_number), planned.map((p) => p.site.code)],
    );
    return rows;
  });
  const people: SeededPerson[] = rows.map((r, i) => ({
    id: r.id,
    hub_id: r.hub_id,
    employee_number: r.employee_number,
    full_name: r.full_name,
    unit: planned[i].unit,
    site: planned[i].site.code,
    leave: [],
    days: {},
    recap: {
      workdays: 0,
      days_present: 0,
      days_late: 0,
      late_minutes: 0,
      early_departures: 0,
      early_minutes: 0,
      missing_checkouts: 0,
      absent_days: 0,
      leave_days: Object.fromEntries(LEAVE_KINDS.map((k) => [k, 0])) as Record<LeaveKindName, number>,
    },
  }));
  const bySite = new Map(sites.map((s) => [s.code, people.filter((p) => p.site === s.code)]));

  // Leave: at least one person per site of five or more covering the first date, the rest anywhere.
  let leaveN = 0;
  const addLeave = (p: SeededPerson, from: string) => {
    const kind = LEAVE_KINDS[leaveN++ % LEAVE_KINDS.length];
    p.leave.push({ from, to: addDays(from, between(0, 2)), kind });
  };
  for (const s of sites) {
    const own = bySite.get(s.code)!;
    const wanted = Math.max(own.length >= 5 ? 1 : 0, Math.round(own.length * rates.leave));
    for (let j = 0; j < wanted && j < own.length; j++) addLeave(own[j], j === 0 ? dates[0] : pick(dates));
  }
  const withLeave = people.filter((p) => p.leave.length);
  if (withLeave.length) {
    await inTransaction(pool, async (tx) => {
      const all = withLeave.flatMap((p) => p.leave.map((l) => ({ p, l })));
      await tx.query(
        `INSERT INTO leave (person_id, from_date, to_date, kind, note)
         SELECT * FROM unnest($1::bigint[], $2::date[], $3::date[], $4::text[], $5::text[])`,
        [
          all.map((x) => x.p.id),
          all.map((x) => x.l.from),
          all.map((x) => x.l.to),
          all.map((x) => x.l.kind),
          all.map(() => 'seeded'),
        ],
      );
      await recordChanges(
        tx,
        withLeave.map((p) => ({ kind: 'person', key: p.id, personHubId: p.hub_id, sites: [siteIds.get(p.site)!] })),
      );
    });
  }
  // The people's change entries (one each, as addPerson writes them), after their leave is stored.
  await inTransaction(pool, (tx) =>
    recordChanges(
      tx,
      people.map((p) => ({ kind: 'person', key: p.id, personHubId: p.hub_id, sites: [siteIds.get(p.site)!] })),
    ),
  );

  // The days: who came when, per site and date; the guaranteed roles rotate through each site's people.
  const counts: SeededHub['counts'] = {};
  const outbox = new Map<SeededKiosk, AttendanceEvent[]>(sites.flatMap((s) => s.kiosks.map((k) => [k, []])));
  const leaveOn = (p: SeededPerson, date: string) => p.leave.find((l) => l.from <= date && date <= l.to) ?? null;
  for (const [di, date] of dates.entries()) {
    const total = emptyCounts(people.length);
    counts[date] = { total, sites: {} };
    for (const s of sites) {
      const own = bySite.get(s.code)!;
      const c = emptyCounts(own.length);
      counts[date].sites[s.code] = c;
      const schedule = schedules.get(s.code)!;
      const workday = isExpectedWorkday(schedule, date, holidayOf.get(`${s.code}|${date}`) ?? null);
      const windows = schedule.windowsFor(weekdayOf(date));
      const today = localParts(new Date(), s.time_zone).date;
      const here = own.filter((p) => !leaveOn(p, date));
      const roles = new Map<SeededPerson, [Arrival | 'absent', Departure]>();
      if (here.length >= 4) {
        const at = (j: number) => here[(di + j) % here.length];
        roles.set(at(0), ['absent', 'none']);
        roles.set(at(1), ['late', 'normal']);
        roles.set(at(2), ['on_time', 'early']);
        roles.set(at(3), ['on_time', 'none']);
      }
      for (const [pi, p] of own.entries()) {
        const leave = leaveOn(p, date);
        const day: SeededDay = { status: 'off', in: null, out: null, late_minutes: 0, early_minutes: 0, leave: null };
        p.days[date] = day;
        if (leave) {
          day.status = 'on_leave';
          day.leave = leave.kind;
          c.on_leave++;
          if (workday) p.recap.leave_days[leave.kind]++;
        }
        if (workday) p.recap.workdays++;
        if (!workday || !windows || leave) continue;
        let role = roles.get(p);
        if (!role) {
          const arrival: Arrival | 'absent' = rnd() < rates.absent ? 'absent' : rnd() < rates.late ? 'late' : 'on_time';
          const r = rnd();
          role = [arrival, r < rates.early ? 'early' : r < rates.early + rates.noCheckout ? 'none' : 'normal'];
        }
        const [arrival, departure] = role;
        if (arrival === 'absent') {
          day.status = 'absent';
          c.absent++;
          p.recap.absent_days++;
          continue;
        }
        const onTime = parseTimeOfDay(windows.onTimeUntil);
        const inAt = arrival === 'late' ? onTime + between(1, 120) : Math.max(onTime - between(0, 60), 0);
        day.late_minutes = Math.max(0, inAt - onTime);
        day.in = isoInZone(zonedToUtc(date, hhmm(inAt), s.time_zone), s.time_zone);
        day.status = day.late_minutes > 0 ? 'late' : 'present';
        const kiosk = s.kiosks[pi % s.kiosks.length];
        const push = (type: 'in' | 'out', iso: string, late: boolean) =>
          outbox.get(kiosk)!.push({
            seq: 0,
            person_hub_id: p.hub_id,
            employee_number: p.employee_number,
            type,
            occurred_at: new Date(iso).toISOString(),
            clock_offset_ms: 0,
            decision: {
              decided_by: 'face',
              late,
              similarity: Math.round((0.65 + rnd() * 0.3) * 1000) / 1000,
              liveness: Math.round((0.9 + rnd() * 0.1) * 1000) / 1000,
              clock_flag: null,
            },
          });
        push('in', day.in, day.late_minutes > 0);
        c.present++;
        p.recap.days_present++;
        if (day.late_minutes > 0) {
          c.late++;
          p.recap.days_late++;
          p.recap.late_minutes += day.late_minutes;
        }
        if (departure === 'none') {
          c.not_checked_out++;
          if (date !== today) p.recap.missing_checkouts++;
          continue;
        }
        const outStart = parseTimeOfDay(windows.checkOut[0]);
        const outAt = departure === 'early' ? outStart - between(1, 150) : outStart + between(0, 120);
        day.early_minutes = Math.max(0, outStart - outAt);
        day.out = isoInZone(zonedToUtc(date, hhmm(outAt), s.time_zone), s.time_zone);
        push('out', day.out, false);
        if (day.early_minutes > 0) {
          c.early++;
          p.recap.early_departures++;
          p.recap.early_minutes += day.early_minutes;
        }
      }
      for (const k of Object.keys(total) as (keyof SeedCounts)[]) if (k !== 'active') total[k] += c[k];
    }
  }

  // Push each kiosk's outbox in time order, 1000 events a request, a few kiosks at a time.
  let events = 0;
  const queue = [...outbox.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [kiosk, list] = next;
      list.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
      for (const e of list) e.seq = ++kiosk.seq;
      for (let i = 0; i < list.length; i += 1000) {
        const batch = list.slice(i, i + 1000);
        const r = await hubFetch<{ acked_seq: number }>(t.url, 'POST', '/api/v1/sync/events', {
          token: kiosk.credential,
          body: { events: batch },
        });
        if (r.status !== 200 || r.body.acked_seq !== batch[batch.length - 1].seq) {
          throw new Error(`seedHub: push failed: ${r.status} ${JSON.stringify(r.body)}`);
        }
        events += batch.length;
      }
      if (opts.kioskStatus !== false) {
        const r = await hubFetch(t.url, 'POST', '/api/v1/sync/status', {
          token: kiosk.credential,
          body: { app_version: '0.1.0', pack_id: TEST_PACK, liveness: true, outbox_depth: 0, camera: 'ok' },
        });
        if (r.status !== 200) throw new Error(`seedHub: status failed: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { sites, people, dates, counts, events };
}
