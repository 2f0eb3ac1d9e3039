import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceRowView } from '../../shared/hub-admin';
import { zonedToUtc } from '../../shared/local-time';
import { SEED_UNITS, seedHub, type SeededHub } from '../testing/hub-seed';
import { hubFetch, kioskEvent, startTestHub, TEST_ACTOR, type TestHub } from '../testing/postgres-hub';
import { attendancePage } from './console-views';
import { correctDay } from './corrections';
import { enterLeave } from './leave';
import { type DayStatus, organisationDay } from './org-days';

/*
 * The console's attendance page derives a whole range in one pass (org-range.ts); it must say, row for
 * row and in the same order, what the day view (organisationDay) says date by date. A week from Monday
 * 2 March 2026 for 300 people at three sites (WIB and WITA), a holiday at JKT on Wednesday, leave,
 * late and absent people from the seed, plus corrections, a visitor from another site, an employee
 * number the hub does not know, someone who left and someone registered mid-week.
 */
const FROM = '2026-03-02';
const TO = '2026-03-08';

describe('attendance range page (one pass) = organisationDay, date by date', () => {
  let t: TestHub;
  let seeded: SeededHub;

  beforeAll(async () => {
    t = await startTestHub();
    seeded = await seedHub(t, {
      sites: 3,
      people: 300,
      date: FROM,
      days: 7,
      holidays: [{ date: '2026-03-04', name: 'Libur JKT', sites: ['JKT'] }],
      seed: 11,
    });
    const pool = t.hub.pool;
    const jkt = seeded.people.filter((p) => p.site === 'JKT');
    const mks = seeded.people.filter((p) => p.site === 'MKS');
    const late = seeded.people.find((p) => p.days['2026-03-03'].status === 'late')!;
    const absent = seeded.people.find((p) => p.days['2026-03-05'].status === 'absent')!;
    const present = seeded.people.find((p) => p.days['2026-03-02'].status === 'present')!;
    // Corrections: a late day said on time, an absent day made present, a day's times moved (judged by
    // the schedule), a check-out only, a Saturday.
    await correctDay(pool, { employeeNumber: late.employee_number, date: '2026-03-03', late: false, reason: 'rapat' }, TEST_ACTOR); // prettier-ignore
    await correctDay(pool, { employeeNumber: absent.employee_number, date: '2026-03-05', checkIn: '07:05', checkOut: '16:10', reason: 'lupa' }, TEST_ACTOR); // prettier-ignore
    await correctDay(pool, { employeeNumber: present.employee_number, date: '2026-03-02', checkIn: '08:10', reason: 'salah' }, TEST_ACTOR); // prettier-ignore
    await correctDay(pool, { employeeNumber: jkt[3].employee_number, date: '2026-03-06', checkIn: null, checkOut: '16:30', reason: 'x' }, TEST_ACTOR); // prettier-ignore
    await correctDay(pool, { employeeNumber: mks[4].employee_number, date: '2026-03-07', checkIn: '09:00', late: true, reason: 'lembur' }, TEST_ACTOR); // prettier-ignore
    // Leave over the holiday and the weekend, and two spans covering one day (the earlier one counts).
    await enterLeave(pool, { employeeNumber: jkt[5].employee_number, from: '2026-03-04', to: '2026-03-08', kind: 'cuti', reason: 'r' }, TEST_ACTOR); // prettier-ignore
    await enterLeave(pool, { employeeNumber: mks[6].employee_number, from: '2026-03-05', to: '2026-03-06', kind: 'izin', reason: 'r' }, TEST_ACTOR); // prettier-ignore
    await enterLeave(pool, { employeeNumber: mks[6].employee_number, from: '2026-03-06', to: '2026-03-06', kind: 'sakit', reason: 'r' }, TEST_ACTOR); // prettier-ignore
    // A visitor: an MKS person checking in at JKT on Tuesday (and out at MKS); someone unknown at JKT.
    const kiosk = seeded.sites.find((s) => s.code === 'JKT')!.kiosks[0];
    const at = (date: string, time: string) => zonedToUtc(date, time, 'Asia/Jakarta').toISOString();
    const events = [
      kioskEvent(++kiosk.seq, { employee_number: mks[7].employee_number, type: 'in', occurred_at: at('2026-03-03', '06:50') }), // prettier-ignore
      kioskEvent(++kiosk.seq, { employee_number: mks[8].employee_number, type: 'out', occurred_at: at('2026-03-05', '18:00') }), // prettier-ignore
      kioskEvent(++kiosk.seq, { employee_number: 'ORANG-ASING', type: 'in', occurred_at: at('2026-03-03', '08:00') }),
      kioskEvent(++kiosk.seq, { employee_number: 'ORANG-ASING', type: 'out', occurred_at: at('2026-03-03', '15:00') }),
      kioskEvent(++kiosk.seq, { employee_number: 'TAMU', type: 'out', occurred_at: at('2026-03-07', '10:00') }),
    ];
    expect((await hubFetch(t.url, 'POST', '/api/v1/sync/events', { token: kiosk.credential, body: { events } })).status).toBe(200); // prettier-ignore
    // Someone who left (their earlier events stay) and someone registered on Wednesday afternoon.
    await pool.query('UPDATE people SET active = false WHERE employee_number = $1', [jkt[9].employee_number]);
    await pool.query("UPDATE people SET created_at = '2026-03-04T08:00:00Z' WHERE employee_number = $1", [
      mks[10].employee_number,
    ]);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const rowsOf = async (f: {
    site?: string;
    unit?: string;
    sites: string[] | null;
    status?: DayStatus[];
  }): Promise<AttendanceRowView[]> => {
    const out: AttendanceRowView[] = [];
    for (let d = new Date(`${FROM}T00:00:00Z`); d <= new Date(`${TO}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
      const date = d.toISOString().slice(0, 10);
      const day = await organisationDay(t.hub.pool, date, {
        site: f.site,
        unit: f.unit,
        sites: f.site ? undefined : f.sites,
        status: f.status,
      });
      for (const v of day.days) {
        out.push({
          date,
          employee_number: v.employee_number,
          full_name: v.full_name,
          unit: v.unit,
          home_site: v.home_site,
          status: v.status,
          first_in: v.first_in?.time ?? null,
          last_out: v.last_out?.time ?? null,
          late: v.late,
          leave: v.leave,
          corrected: v.corrected,
        });
      }
    }
    return out;
  };

  const filters: { site?: string; unit?: string; sites: string[] | null; status?: DayStatus[] }[] = [
    { sites: null },
    { site: 'JKT', sites: null },
    { site: 'MKS', unit: SEED_UNITS[1], sites: null },
    { unit: SEED_UNITS[0], sites: null },
    { sites: ['MKS'] },
    { sites: ['JKT', 'BDG'], status: ['present', 'late'] },
    { sites: null, status: ['late'] },
    { sites: null, status: ['present'] },
    { sites: null, status: ['absent', 'on_leave'] },
    { sites: null, status: ['off'] },
    { site: 'JKT', sites: null, status: ['late', 'off'] },
    { sites: ['JKT'], status: ['present', 'absent'] },
  ];

  it.each(filters.map((f) => [JSON.stringify(f), f] as const))('%s: every page, row for row', async (_, f) => {
    const expected = await rowsOf(f);
    const got: AttendanceRowView[] = [];
    let total = -1;
    for (let page = 1; page < 100; page++) {
      const r = await attendancePage(t.hub.pool, { from: FROM, to: TO, ...f, page, pageSize: 200 });
      total = r.total;
      got.push(...r.rows);
      if (r.rows.length < 200) break;
    }
    expect(total).toBe(expected.length);
    expect(got).toEqual(expected);
    // An odd page size: the same slices and the same total.
    const r = await attendancePage(t.hub.pool, { from: FROM, to: TO, ...f, page: 3, pageSize: 37 });
    expect(r.total).toBe(expected.length);
    expect(r.rows).toEqual(expected.slice(74, 111));
  });

  it('the data covers what the page must get right', async () => {
    const all = await rowsOf({ sites: null });
    const statuses = new Set(all.map((r) => r.status));
    for (const s of ['present', 'late', 'absent', 'on_leave', 'off'] as const) expect(statuses).toContain(s);
    expect(all.filter((r) => r.corrected).length).toBe(5);
    expect(all.some((r) => r.employee_number === 'ORANG-ASING' && r.full_name === null)).toBe(true);
    expect(all.some((r) => r.leave !== null && r.status === 'present')).toBe(true);
    const visit = (await rowsOf({ site: 'JKT', sites: null })).filter((r) => r.home_site === 'MKS');
    expect(visit.map((r) => r.date)).toEqual(['2026-03-03', '2026-03-05']);
    const one = await attendancePage(t.hub.pool, { from: '2026-03-03', to: '2026-03-03', sites: null, page: 1, pageSize: 50 }); // prettier-ignore
    expect(one.total).toBe(all.filter((r) => r.date === '2026-03-03').length);
  });
});
