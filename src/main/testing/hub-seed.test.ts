import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisationDay } from '../hub/org-days';
import { seedHub, type SeededHub } from './hub-seed';
import { drain, startTestHub, type TestHub } from './postgres-hub';

// Monday 2 March 2026 and the next two days; Tuesday a holiday at MKS.
const DATE = '2026-03-02';

describe('seedHub: an organisation with a few days of kiosk events', () => {
  let t: TestHub;
  let seeded: SeededHub;

  beforeAll(async () => {
    t = await startTestHub();
    seeded = await seedHub(t, {
      sites: 3,
      people: 300,
      date: DATE,
      days: 3,
      kiosksPerSite: 2,
      holidays: [{ date: '2026-03-03', name: 'Libur daerah', sites: ['MKS'] }],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the hub’s day views count what the seed says, per site and in total', async () => {
    for (const date of seeded.dates) {
      const all = await organisationDay(t.hub.pool, date);
      const c = seeded.counts[date].total;
      expect(all.summary).toMatchObject({
        active: c.active,
        present: c.present,
        late: c.late,
        absent: c.absent,
        on_leave: c.on_leave,
        not_checked_out: c.not_checked_out,
      });
      for (const s of seeded.sites) {
        const v = await organisationDay(t.hub.pool, date, { site: s.code });
        const sc = seeded.counts[date].sites[s.code];
        expect(v.summary).toMatchObject({
          active: sc.active,
          present: sc.present,
          late: sc.late,
          absent: sc.absent,
          on_leave: sc.on_leave,
        });
        // The guaranteed roles: someone late, early, absent and on leave at every site on a workday.
        if (v.workday) {
          expect(sc.late).toBeGreaterThan(0);
          expect(sc.absent).toBeGreaterThan(0);
          expect(sc.early).toBeGreaterThan(0);
        }
      }
    }
    expect(seeded.counts[DATE].sites.JKT.on_leave).toBeGreaterThan(0);
    expect(seeded.counts['2026-03-03'].sites.MKS).toMatchObject({ present: 0, absent: 0 });
    // Each person's day as planned: the view's times and statuses.
    const v = await organisationDay(t.hub.pool, DATE);
    const byNumber = new Map(v.days.map((d) => [d.employee_number, d]));
    for (const p of seeded.people) {
      const d = byNumber.get(p.employee_number)!;
      expect(d.status).toBe(p.days[DATE].status);
      expect(d.first_in?.time ?? null).toBe(p.days[DATE].in);
      expect(d.last_out?.time ?? null).toBe(p.days[DATE].out);
    }
  });

  it('kiosks replicate the seeded people (the change log has them) and report their status', async () => {
    const jkt = seeded.sites.find((s) => s.code === 'JKT')!;
    const feed = await drain(t.url, jkt.kiosks[0].credential);
    const got = feed.items.filter((i) => i.type === 'person').length;
    expect(got).toBe(seeded.people.filter((p) => p.site === 'JKT').length);
    const { rows } = await t.hub.pool.query('SELECT count(*)::int AS n FROM devices WHERE last_status IS NOT NULL');
    expect(rows[0].n).toBe(6);
    const events = await t.hub.pool.query('SELECT count(*)::int AS n FROM attendance_events');
    expect(events.rows[0].n).toBe(seeded.events);
  });
});
