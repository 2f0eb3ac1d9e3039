/**
 * The hub console's records screens (people, attendance, leave, recap, audit) in Debian's Chromium
 * against a real hub on a real PostgreSQL, seeded with 3,000 people over three offices and a working
 * week of kiosk events pushed through the sync route (testing/hub-seed.ts): a person found among
 * thousands with the database's totals, a correction with its reason that changes the row and shows in
 * the audit log, sick leave that the monthly recap counts as leave and not absence (numbers from the
 * seed), an export of the filtered rows, an office head who sees only their office, both languages.
 * Screenshots of each screen in both languages go to e2e/artifacts/console-records-*.png.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addOperator } from '../src/main/hub/access';
import { seedHub, type SeededHub } from '../src/main/testing/hub-seed';
import { startTestHub, TEST_ACTOR, type TestHub } from '../src/main/testing/postgres-hub';
import { collectPageErrors, screenshot } from './support/artifacts';
import { chromiumPath, launchChromium, type LaunchedBrowser } from './support/browser';
import { repoRoot } from './support/build';

const hasPostgres = inject('pgAdminUrl') !== '';
const hasChromium = chromiumPath() !== null;

// Monday 2 to Friday 6 November 2026: one working week of events; the recap is of November 2026.
const FIRST = '2026-11-02';
const LAST = '2026-11-06';
const MONTH = '2026-11';
const PEOPLE = 3000;
const SECRET = 'Rahasia-Konsol-2026';

/** Poll `probe` until it returns something other than undefined/false, or fail with `what`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').trim();

/** The first pager's "1–50 dari 3.000" once it says `expected`. */
async function pagerSays(page: Page, expected: string | RegExp): Promise<string> {
  return until(`the pager to say ${String(expected)}`, async () => {
    const s = await text(page, '[data-testid=pager-range]');
    return (typeof expected === 'string' ? s === expected : expected.test(s)) ? s : undefined;
  });
}

async function idle(page: Page, table: string): Promise<void> {
  await page.locator(`[data-testid=${table}][aria-busy=false]`).waitFor({ timeout: 20_000 });
}

/**
 * Types `text` into the date field labelled `label` as a person would and leaves it (Enter), so the
 * field reads it. Exact: the field's calendar button is "<label>: buka kalender".
 */
async function typeDate(page: Page, label: string, text: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(text);
  await field.press('Enter');
}

async function setLang(page: Page, lang: 'id' | 'en'): Promise<void> {
  await page.locator(`[data-testid=language-switch] button[lang=${lang}]`).click();
  await until(`the page in ${lang}`, async () => (await page.locator('html').getAttribute('lang')) === lang);
}

describe.skipIf(!hasPostgres || !hasChromium)('hub console: people, attendance, leave, recap, audit', () => {
  let t: TestHub;
  let seed: SeededHub;
  let browser: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  const bySite = (code: string) => seed.people.filter((p) => p.site === code);

  async function signInAs(username: string): Promise<void> {
    // The shell's sign-in form is the shell's test; here the session comes from the same route it uses.
    const r = await page.request.post(`${t.url}/api/v1/hub/session`, {
      data: { username, secret: SECRET },
      headers: { 'x-hadir-console': '1' },
    });
    expect(r.status(), await r.text()).toBe(200);
  }

  /** `fresh`: load the page anew (a new session); else only the hash route changes, as a click does. */
  async function open(route: string, fresh = false): Promise<void> {
    await page.goto(`${t.url}/admin/#/${route}`);
    if (fresh) await page.reload();
    await page.locator('[data-testid=topbar]').waitFor({ timeout: 20_000 });
    await page.locator(`#${route}-title`).waitFor({ timeout: 20_000 });
    // A hash route keeps the last screen's scroll: each screen is looked at from its top.
    await page.evaluate('window.scrollTo(0, 0)');
  }

  beforeAll(async () => {
    const built = spawnSync('npm', ['run', 'build:admin'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    if (built.status !== 0) throw new Error(`npm run build:admin failed:\n${built.stdout}\n${built.stderr}`);
    t = await startTestHub({ adminDir: path.join(repoRoot, 'out', 'admin') });
    seed = await seedHub(t, { sites: 3, people: PEOPLE, date: FIRST, days: 5 });
    const pool = t.hub.pool;
    // Consent records for some people, one withdrawn, so the people screen shows each kind.
    await pool.query(
      `INSERT INTO consents (person_id, method, given_at, withdrawn_at)
       SELECT id, (ARRAY['signed_form', 'on_screen', 'verbal'])[1 + id % 3], '2026-01-15T02:00:00Z',
              CASE WHEN id % 7 = 0 THEN '2026-10-01T02:00:00Z'::timestamptz END
         FROM people WHERE id % 2 = 0`,
    );
    await addOperator(
      pool,
      { username: 'admin', displayName: 'Admin Pusat', role: 'admin', sites: [], secret: SECRET },
      TEST_ACTOR,
    );
    await addOperator(
      pool,
      {
        username: 'kepala.mks',
        displayName: 'Kepala Kantor Makassar',
        role: 'site-head',
        sites: ['MKS'],
        secret: SECRET,
      },
      TEST_ACTOR,
    );
    browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
    page = await browser.context.newPage();
    await page.emulateMedia({ reducedMotion: 'reduce' });
    errors = collectPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('people: every person is counted, one is found among thousands by NIP or name, pages move', async () => {
    await signInAs('admin');
    await open('people');
    const { rows } = await t.hub.pool.query<{ n: string }>('SELECT count(*) AS n FROM people');
    expect(Number(rows[0].n)).toBe(PEOPLE);
    await pagerSays(page, '1–50 dari 3.000');
    await idle(page, 'people-table');
    expect(await page.locator('[data-testid=people-table] tbody tr').count()).toBe(50);
    await screenshot(page, 'console-records-people-id');

    await page.getByRole('button', { name: 'Berikutnya' }).first().click();
    await pagerSays(page, '51–100 dari 3.000');

    // By NIP: exactly that person.
    const someone = seed.people[1234];
    await page.getByLabel('Cari NIP atau nama').fill(someone.employee_number);
    await pagerSays(page, '1–1 dari 1');
    const row = page.locator(`[data-testid=people-table] tbody tr[data-nip="${someone.employee_number}"]`);
    expect(await row.locator('th').textContent()).toContain(someone.full_name);
    expect(await row.textContent()).toContain(someone.unit);
    expect(await row.locator('.rc-chip-home').textContent()).toContain(someone.site);

    // By part of a name, case-insensitively: the total is the database's.
    const fragment = someone.full_name.split(' ')[1].slice(0, 4).toLowerCase();
    const { rows: named } = await t.hub.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM people WHERE full_name ILIKE $1 OR employee_number ILIKE $1`,
      [`%${fragment}%`],
    );
    const total = Number(named[0].n);
    expect(total).toBeGreaterThan(1);
    await page.getByLabel('Cari NIP atau nama').fill(fragment);
    await pagerSays(page, new RegExp(`dari ${new Intl.NumberFormat('id-ID').format(total)}$`));

    // By office and unit.
    await page.getByLabel('Cari NIP atau nama').fill('');
    await page.getByLabel('Kantor', { exact: true }).selectOption('MKS');
    await page.getByLabel('Unit kerja').fill('Keuangan');
    const mksFinance = bySite('MKS').filter((p) => p.unit === 'Keuangan').length;
    await pagerSays(page, new RegExp(`dari ${mksFinance}$`));

    // The deletion asks first and says it deletes on every kiosk; cancelled here (the data stays).
    await page.getByLabel('Unit kerja').fill('');
    await page.getByLabel('Kantor', { exact: true }).selectOption('');
    await pagerSays(page, '1–50 dari 3.000');
    await page
      .locator('[data-testid=people-table] tbody tr')
      .first()
      .getByRole('button', { name: /^Hapus/ })
      .click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('setiap kios');
    await screenshot(page, 'console-records-people-delete-id');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await setLang(page, 'en');
    await pagerSays(page, '1–50 of 3,000');
    expect(await page.locator('#people-title').textContent()).toBe('People');
    await screenshot(page, 'console-records-people-en');
    await setLang(page, 'id');
  });

  it('attendance: a late day is corrected with a reason, the row shows it, the audit log has it', async () => {
    await open('attendance');
    // Dates typed day first, as Indonesian writes them, and shown so whatever the browser's locale.
    await typeDate(page, 'Dari tanggal', '2/11/2026');
    await typeDate(page, 'Sampai tanggal', '02-11-2026');
    expect(await page.getByLabel('Dari tanggal', { exact: true }).inputValue()).toBe('02/11/2026');
    expect(await page.getByLabel('Sampai tanggal', { exact: true }).inputValue()).toBe('02/11/2026');
    await page.getByLabel('Kantor', { exact: true }).selectOption('JKT');
    await page.getByLabel('Unit kerja').fill('Keuangan');
    const jktFinance = bySite('JKT').filter((p) => p.unit === 'Keuangan');
    await pagerSays(page, new RegExp(`dari ${jktFinance.length}$`));
    await idle(page, 'attendance-table');
    // The statuses on screen are the seed's, in words.
    const shown = await page
      .locator('[data-testid=attendance-table] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-nip'), tr.getAttribute('data-status')]));
    const planned = new Map(jktFinance.map((p) => [p.employee_number, p.days[FIRST].status]));
    for (const [nip, status] of shown) expect(status, nip!).toBe(planned.get(nip!));
    const lateRow = page.locator('[data-testid=attendance-table] tbody tr[data-status=late]').first();
    const nip = (await lateRow.getAttribute('data-nip'))!;
    const corrected = seed.people.find((p) => p.employee_number === nip)!;
    // The seed's check-in time, as the office's wall clock in Indonesian: "08.19 WIB".
    const seededIn = corrected.days[FIRST].in!.slice(11, 16).replace(':', '.');
    expect(await lateRow.textContent()).toContain(`${seededIn} WIB`);
    expect(await lateRow.locator('td').nth(3).textContent()).toBe('Terlambat');
    expect(await lateRow.textContent()).toMatch(/\d{2}\.\d{2} WIB/);
    await screenshot(page, 'console-records-attendance-id');
    // The field's calendar, in Indonesian, opened on the chosen day; Escape closes it.
    await page.getByRole('button', { name: 'Dari tanggal: buka kalender' }).click();
    const calendar = page.getByRole('dialog', { name: 'Dari tanggal' });
    expect(await calendar.locator('.calendar-title').textContent()).toBe('November 2026');
    expect(await calendar.locator('button[aria-pressed=true]').getAttribute('aria-label')).toBe(
      'Senin, 2 November 2026',
    );
    await screenshot(page, 'console-records-calendar-id');
    await page.keyboard.press('Escape');
    await calendar.waitFor({ state: 'detached' });

    await lateRow.getByRole('button', { name: /^Koreksi/ }).click();
    const dialog = page.locator('[data-testid=correction-dialog]');
    await dialog.waitFor();
    // A correction without a reason is refused on the page, in the interface language.
    // Times typed on the 24-hour clock, as Indonesian writes them (07.05) or with a colon.
    await dialog.getByLabel('Jam masuk').fill('07.05');
    await dialog.getByLabel('Jam pulang').fill('16:30');
    await dialog.getByRole('button', { name: 'Simpan koreksi' }).click();
    expect(await dialog.getByRole('alert').textContent()).toContain('alasan');
    await dialog.getByLabel('Alasan koreksi').fill('Kios mati listrik, hadir menurut daftar manual');
    await screenshot(page, 'console-records-attendance-correction-id');
    await dialog.getByRole('button', { name: 'Simpan koreksi' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.locator(`[data-testid=attendance-table] tbody tr[data-nip="${nip}"]`);
    await until('the corrected marker', async () => (await row.locator('[data-testid=corrected]').count()) === 1);
    expect(await row.getAttribute('data-status')).toBe('present');
    expect(await row.textContent()).toContain('07.05 WIB');
    expect(await row.textContent()).toContain('16.30 WIB');
    expect(await row.textContent()).toContain('Kios mati listrik');
    expect(await row.textContent()).toContain('Operator admin');
    // The hub has it as the correction of that day.
    const { rows } = await t.hub.pool.query(
      `SELECT reason FROM attendance_corrections c JOIN people p ON p.id = c.person_id
        WHERE p.employee_number = $1 AND c.local_date = $2`,
      [nip, FIRST],
    );
    expect(rows).toEqual([{ reason: 'Kios mati listrik, hadir menurut daftar manual' }]);
    await screenshot(page, 'console-records-attendance-corrected-id');

    await setLang(page, 'en');
    await until('English statuses', async () => (await row.locator('td').nth(3).textContent()) === 'Present');
    expect(await row.textContent()).toContain('07:05 WIB');
    // The period's fields in English: the month's name.
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe('2 Nov 2026');
    await screenshot(page, 'console-records-attendance-en');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'console-records-attendance-filters-en');
    await setLang(page, 'id');

    // The audit log: the correction, by whom, with the times before and after and the reason.
    await open('audit');
    await page.getByLabel('Tindakan').selectOption('attendance.correct');
    const entry = page.locator('[data-testid=audit-table] tbody tr[data-action="attendance.correct"]').first();
    await until('the correction in the audit log', async () => (await entry.count()) === 1);
    const words = (await entry.textContent())!;
    expect(words).toContain('Koreksi kehadiran');
    expect(words).toContain(`Pegawai ${nip}`);
    expect(words).toContain('Operator admin');
    expect(words).toContain('07.05');
    expect(words).toContain('Kios mati listrik');
    await page.getByLabel('Tindakan').selectOption('');
    await idle(page, 'audit-table');
    await screenshot(page, 'console-records-audit-id');
    await setLang(page, 'en');
    await until('English audit', async () => (await text(page, '#audit-title')) === 'Audit log');
    await screenshot(page, 'console-records-audit-en');
    await setLang(page, 'id');
  });

  it('export: the CSV download holds the filtered rows', async () => {
    await open('attendance');
    await typeDate(page, 'Dari tanggal', '02/11/2026');
    await typeDate(page, 'Sampai tanggal', '6 Nov 2026');
    await page.getByLabel('Kantor', { exact: true }).selectOption('JKT');
    await page.getByLabel('Unit kerja').fill('Keuangan');
    const people = bySite('JKT').filter((p) => p.unit === 'Keuangan');
    await pagerSays(page, new RegExp(`dari ${new Intl.NumberFormat('id-ID').format(people.length * 5)}$`));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toBe(`hadir-JKT-Keuangan-${FIRST}_${LAST}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
    // One line per person and day with a check-in or a check-out (the corrected day among them).
    const expected = people.reduce((n, p) => n + Object.values(p.days).filter((d) => d.in || d.out).length, 0);
    expect(lines.length - 1).toBe(expected);
    for (const p of people.slice(0, 5)) expect(csv).toContain(p.employee_number);
    expect(csv).not.toContain(bySite('MKS')[0].employee_number);
  });

  it('leave: sick days entered on the leave screen count as leave, not absence, in the recap', async () => {
    // Someone at JKT absent on the last seeded day, with no leave of their own.
    const person = bySite('JKT').find((p) => p.leave.length === 0 && p.days[LAST].status === 'absent')!;
    expect(person).toBeDefined();
    await open('leave');
    await page.getByLabel(/^NIP/).fill(person.employee_number);
    await until('the name under the NIP', async () =>
      (await text(page, '[data-testid=leave-person]')).includes(person.full_name),
    );
    await page.getByLabel('Jenis').selectOption('sakit');
    await typeDate(page, 'Tanggal mulai', '06/11/2026');
    // Friday the 6th to Tuesday the 10th: three workdays (6, 9, 10), the 6th seeded as absent.
    await typeDate(page, 'Tanggal selesai', '10/11/2026');
    // No reason: refused on the page, in Indonesian.
    await page.getByRole('button', { name: 'Simpan cuti' }).click();
    expect(await text(page, '.rc-screen [role=alert]')).toBe('Tuliskan alasannya: alasan dicatat di log audit.');
    await page.getByLabel(/^Alasan/).fill('Surat keterangan dokter no. 88/2026');
    await page.getByRole('button', { name: 'Simpan cuti' }).click();
    await page.getByTestId('leave-saved').waitFor();
    expect(await text(page, '[data-testid=leave-saved]')).toContain('Sakit');
    await screenshot(page, 'console-records-leave-id');

    // A refusal from the hub in the interface language: an unknown NIP.
    await page.getByLabel(/^NIP/).fill('000000000000000000');
    await page.getByLabel(/^Alasan/).fill('Uji');
    await page.getByRole('button', { name: 'Simpan cuti' }).click();
    const alert = page.locator('.rc-screen .error[role=alert]');
    await alert.waitFor();
    expect(await alert.locator('p').first().textContent()).toBe('Tidak ada pegawai dengan NIP ini. Periksa NIP-nya.');
    await setLang(page, 'en');
    await until(
      'English error',
      async () => (await alert.locator('p').first().textContent()) === 'No person has this employee number. Check it.',
    );
    await screenshot(page, 'console-records-leave-en');
    await setLang(page, 'id');

    // The recap of November: the seed's numbers, the sick days as leave.
    await open('recap');
    // The month by its name, in Indonesian, and the year.
    await page.getByLabel('Tahun', { exact: true }).fill(MONTH.slice(0, 4));
    await page.getByLabel('Bulan', { exact: true }).selectOption({ label: 'November' });
    expect(await text(page, '.rc-exports-label')).toBe('November 2026');
    await page.getByLabel('Kantor', { exact: true }).selectOption('JKT');
    await page.getByLabel('Unit kerja').fill(person.unit);
    const row = page.locator(`[data-testid=recap-table] tbody tr[data-nip="${person.employee_number}"]`);
    const unitPeople = bySite('JKT').filter((p) => p.unit === person.unit);
    await pagerSays(page, new RegExp(`dari ${unitPeople.length}$`));
    await idle(page, 'recap-table');
    // The person may be on a later page of 50: step to it.
    // (Exact: the month field's own button is "Bulan berikutnya".)
    for (let i = 0; i < 10 && (await row.count()) === 0; i++) {
      await page.getByRole('button', { name: 'Berikutnya', exact: true }).first().click();
    }
    expect(await row.count()).toBe(1);
    const cell = async (col: string) => ((await row.locator(`[data-col=${col}]`).textContent()) ?? '').trim();
    const workdays = Number(await cell('workdays'));
    expect(workdays).toBe(21);
    const r = person.recap;
    // Outside the seeded week nobody has events: those workdays are absences unless on leave.
    const unseeded = workdays - r.workdays;
    expect(Number(await cell('leave_sakit'))).toBe(r.leave_days.sakit + 3);
    expect(Number(await cell('absent_days'))).toBe(r.absent_days + unseeded - 3);
    expect(Number(await cell('days_present'))).toBe(r.days_present);
    expect(await cell('late')).toBe(
      r.days_late === 0 && r.late_minutes === 0 ? '0' : `${r.days_late} hari, ${r.late_minutes} menit`,
    );
    expect(Number(await cell('missing_checkouts'))).toBe(r.missing_checkouts);
    await screenshot(page, 'console-records-recap-id');

    // Someone late in the seed: "n hari, m menit".
    const late = unitPeople.find((p) => p.recap.days_late > 0)!;
    const lateRow = page.locator(`[data-testid=recap-table] tbody tr[data-nip="${late.employee_number}"]`);
    if ((await lateRow.count()) === 1) {
      expect(await lateRow.locator('[data-col=late]').textContent()).toBe(
        `${late.recap.days_late} hari, ${late.recap.late_minutes} menit`,
      );
    }
    // The totals row adds the whole filter, not just the page.
    const totals = (await text(page, '[data-testid=recap-totals]')).replace(/\s+/g, ' ');
    expect(totals).toContain(`Jumlah (${unitPeople.length} pegawai)`);

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recap-xlsx').click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await xlsx.path())!);
    const cells = book.worksheets.flatMap((ws) => {
      const out: string[] = [];
      ws.eachRow((r) => r.eachCell((c) => out.push(String(c.value))));
      return out;
    });
    expect(cells).toContain(person.employee_number);

    await setLang(page, 'en');
    await until('English recap', async () => (await text(page, '#recap-title')) === 'Monthly recap');
    await screenshot(page, 'console-records-recap-en');
    await setLang(page, 'id');
  });

  it('an office head sees only their office: people, attendance, no leave or audit', async () => {
    // Signing out reloads the page: nothing of the admin's stays in it.
    await page.getByTestId('sign-out').click();
    await until('the sign-in screen', async () => (await page.getByTestId('topbar').count()) === 0);
    await signInAs('kepala.mks');
    await open('people', true);
    await until('the office head', async () =>
      (await text(page, '[data-testid=operator]')).includes('Kepala Kantor Makassar'),
    );
    const mks = bySite('MKS');
    await pagerSays(page, `1–50 dari ${new Intl.NumberFormat('id-ID').format(mks.length)}`);
    // The office filter offers only their office.
    const options = await page.getByLabel('Kantor', { exact: true }).locator('option').allTextContents();
    expect(options).toEqual(['Kantor Wilayah Makassar (MKS)']);
    // A person of Jakarta is not found, even by their exact NIP.
    await page.getByLabel('Cari NIP atau nama').fill(bySite('JKT')[0].employee_number);
    await until('no result', async () => (await page.locator('.rc-empty[role=status]').count()) === 1);
    expect(await text(page, '.rc-empty[role=status]')).toBe('Tidak ada pegawai yang cocok dengan pencarian ini.');
    // No delete button for a site head.
    expect(await page.getByRole('button', { name: /^Hapus/ }).count()).toBe(0);
    await screenshot(page, 'console-records-people-site-head-id');

    await open('attendance');
    await typeDate(page, 'Dari tanggal', '02/11/2026');
    await typeDate(page, 'Sampai tanggal', '02/11/2026');
    await pagerSays(page, new RegExp(`dari ${new Intl.NumberFormat('id-ID').format(mks.length)}$`));
    const nips = new Set(mks.map((p) => p.employee_number));
    const shown = await page
      .locator('[data-testid=attendance-table] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-nip')!));
    expect(shown.length).toBe(50);
    for (const n of shown) expect(nips.has(n), n).toBe(true);
    // Asking the hub for another office directly is refused.
    const other = await page.evaluate(
      async (url) => (await fetch(url)).status,
      `${t.url}/api/v1/hub/attendance?from=${FIRST}&to=${FIRST}&site=JKT`,
    );
    expect(other).toBe(403);
    await screenshot(page, 'console-records-attendance-site-head-id');

    // The menu has neither leave nor the audit log for this role.
    const nav = await page
      .locator('[data-testid=nav] a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('data-route')));
    expect(nav).not.toContain('leave');
    expect(nav).not.toContain('audit');
    expect(errors.filter((e) => !/status of 40[0-9]/.test(e))).toEqual([]);
  });
});
