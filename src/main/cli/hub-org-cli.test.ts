import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHadir } from '../testing/run-cli';
import { type FreshDatabase, freshHubDatabase } from '../testing/postgres';
import { TEST_HUB_KEY_ENV } from '../testing/postgres-hub';

/** The organisation commands, run as the real `hadir hub …` processes against a database of their own. */
describe('hadir hub days / correct / leave / export', () => {
  let db: FreshDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const hub = (...args: string[]) => runHadir(['hub', ...args], env);

  beforeAll(async () => {
    db = await freshHubDatabase();
    env = { HADIR_HUB_DATABASE_URL: db.url, ...TEST_HUB_KEY_ENV };
    dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-hub-org-'));
    expect((await hub('migrate')).code).toBe(0);
    expect((await hub('site', 'add', 'JKT', '--name', 'Jakarta', '--tz', 'Asia/Jakarta')).code).toBe(0);
    for (const n of ['P1', 'P2']) {
      expect((await hub('people', 'add', n, '--name', `Pegawai ${n}`, '--site', 'JKT', '--unit', 'TU')).code).toBe(0);
    }
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('leave add, correct, the day and its late/absent lists, and an export file', async () => {
    // Monday 7 January 2030: the people, added today, exist by then. The site has no schedule: no lateness.
    const date = '2030-01-07';
    const bad = await hub('leave', 'add', 'P2', '--from', date, '--kind', 'libur', '--reason', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/kind must be one of cuti, sakit, izin, dinas/);
    const noReason = await hub('leave', 'add', 'P2', '--from', date, '--kind', 'sakit');
    expect(noReason.code).toBe(2);
    const leave = await hub(
      'leave',
      'add',
      'P2',
      '--from',
      date,
      '--to',
      '2030-01-08',
      '--kind',
      'sakit',
      '--reason',
      'flu',
    );
    expect(leave.code).toBe(0);
    expect(leave.stdout).toMatch(/leave \(sakit\) 2030-01-07 to 2030-01-08 for P2 recorded/);

    const absent = await hub('days', '--date', date, '--absent', '--json');
    expect(absent.code).toBe(0);
    expect(
      absent.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).employee_number),
    ).toEqual(['P1']);

    const corrected = await hub('correct', 'P1', '--date', date, '--in', '07:45', '--reason', 'badge reader down');
    expect(corrected.code).toBe(0);
    expect(corrected.stdout).toMatch(/P1 2030-01-07 corrected: in 2030-01-07T07:45:00\+07:00, out -/);
    const day = await hub('days', '--date', date, '--site', 'JKT');
    expect(day.stdout.split('\n')[0]).toBe('2030-01-07 JKT: 2 active, 1 present, 0 late, 0 absent, 1 on leave');
    expect(day.stdout).toMatch(
      /P1\tPegawai P1\tTU\tpresent\tin 2030-01-07T07:45:00\+07:00 JKT.*corrected: badge reader down/,
    );
    expect(day.stdout).toMatch(/P2\tPegawai P2\tTU\ton_leave\t.*leave sakit/);
    expect((await hub('correct', 'P1', '--date', date, '--in', '07:45')).code).toBe(2);

    const out = path.join(dir, 'jan.xlsx');
    const exp = await hub('export', '--from', date, '--to', '2030-01-08', '--out', out);
    expect(exp.code).toBe(0);
    expect(exp.stdout).toBe(`1 records written to ${out}\n`);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
  });
});
