import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecapView } from '../../shared/hub-admin';
import { seedHub, type SeededHub } from '../testing/hub-seed';
import { startTestHub, TEST_HUB_KEY_ENV, type TestHub } from '../testing/postgres-hub';
import { runHadir } from '../testing/run-cli';

/** `hadir hub recap`, run as the real command against a hub seeded with a month of kiosk events. */
describe('hadir hub recap', () => {
  let t: TestHub;
  let seeded: SeededHub;
  let dir: string;
  const hub = (...args: string[]) =>
    runHadir(['hub', ...args], { HADIR_HUB_DATABASE_URL: t.db.url, ...TEST_HUB_KEY_ENV });

  beforeAll(async () => {
    t = await startTestHub();
    seeded = await seedHub(t, { sites: 2, people: 12, date: '2026-03-01', days: 31, numberPrefix: 'P' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-hub-recap-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--json: the RecapView, each person as the seeded month says', async () => {
    const r = await hub('recap', '--month', '2026-03', '--site', 'MKS', '--json');
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout) as RecapView;
    const mks = seeded.people.filter((p) => p.site === 'MKS');
    expect(view).toMatchObject({ month: '2026-03', site: 'MKS', unit: null });
    expect(view.people.map((p) => p.employee_number).sort()).toEqual(mks.map((p) => p.employee_number).sort());
    for (const p of mks) {
      expect(view.people.find((x) => x.employee_number === p.employee_number)).toEqual({
        employee_number: p.employee_number,
        name: p.full_name,
        unit: p.unit,
        site: 'MKS',
        ...p.recap,
      });
    }
  });

  it('a table by default; --xlsx writes the workbook (audited) in the language asked', async () => {
    const table = await hub('recap', '--month', '2026-03');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^2026-03 all sites: 12 people/);
    expect(lines[1]).toMatch(/^NIP\s+Name\s+Unit\s+Site\s+Work\s+Present\s+Late\s+Late min\s+Early\s+Early min/);
    expect(lines).toHaveLength(2 + 12);
    const someone = seeded.people[0];
    const row = lines.find((l) => l.startsWith(someone.employee_number + ' '))!;
    expect(
      row
        .split(/\s{2,}/)
        .slice(-12)
        .map(Number),
    ).toEqual([
      someone.recap.workdays,
      someone.recap.days_present,
      someone.recap.days_late,
      someone.recap.late_minutes,
      someone.recap.early_departures,
      someone.recap.early_minutes,
      someone.recap.missing_checkouts,
      someone.recap.absent_days,
      someone.recap.leave_days.cuti,
      someone.recap.leave_days.sakit,
      someone.recap.leave_days.izin,
      someone.recap.leave_days.dinas,
    ]);

    const file = path.join(dir, 'recap.xlsx');
    const x = await hub('recap', '--month', '2026-03', '--site', 'JKT', '--xlsx', file, '--lang', 'en');
    expect(x.code).toBe(0);
    expect(x.stdout).toBe(`6 people written to ${file}\n`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Recap')!;
    expect(ws.getRow(1).getCell(1).value).toBe('Monthly attendance recap — March 2026 — Site: JKT — Unit: all units');
    expect(ws.getRow(2).getCell(12).value).toBe('Absent without leave');
    expect(ws.rowCount).toBe(2 + 6);
    const audit = await t.hub.pool.query("SELECT details FROM audit_log WHERE action = 'attendance.recap'");
    expect(audit.rows).toEqual([{ details: { month: '2026-03', site: 'JKT', unit: null, format: 'xlsx', people: 6 } }]);
  });

  it('usage errors exit 2 with a clear line; an unknown site exits 1', async () => {
    for (const [args, message] of [
      [['--month', '2026-13'], /--month takes a month as YYYY-MM, e\.g\. 2026-03 \(got "2026-13"\)/],
      [['--month', 'maret'], /--month takes a month as YYYY-MM/],
      [[], /recap needs --month YYYY-MM/],
      [['--month', '2026-03', '--lang', 'fr'], /--lang is id or en/],
    ] as const) {
      const r = await hub('recap', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const nope = await hub('recap', '--month', '2026-03', '--site', 'NOPE');
    expect(nope.code).toBe(1);
    expect(nope.stderr).toMatch(/no site "NOPE"/);
  });
});
