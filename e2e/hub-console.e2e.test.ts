/**
 * The hub's web console in Chromium against a real `hadir hub` (in process, real HTTP) on a real
 * PostgreSQL, seeded with a few thousand people over four offices and a working week of check-ins and
 * check-outs pushed by simulated kiosks (src/main/testing/hub-seed.ts):
 *
 * - sign-in: a wrong secret, then the right one; the back-off's 429 said in minutes;
 * - the dashboard's numbers against the seed's counts (in total and per office), charts drawn (canvas
 *   pixels, not just elements), both languages with their number formats;
 * - pairing a kiosk: the code on screen is accepted by a real `POST /api/v1/sync/join`, the dialog sees
 *   the kiosk join; revoking it behind a confirmation, after which the hub refuses its credential;
 * - a session the hub ended sends the page back to sign-in;
 * - role scoping: the head of one office sees only that office (filter, counts, menu, API).
 *
 * Each screen is saved in both languages to e2e/artifacts/console-*.png.
 */
import type { Page } from 'playwright-core';
import qrcode from 'qrcode-generator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DashboardCounts } from '../src/shared/hub-admin';
import { formatDateInput } from '../src/renderer/src/lib/dates';
import { addOperator } from '../src/main/hub/access';
import { seedHub, type SeedCounts, type SeededHub } from '../src/main/testing/hub-seed';
import { getChanges, joinWithCode, startTestHub, TEST_ACTOR, type TestHub } from '../src/main/testing/postgres-hub';
import { collectPageErrors, screenshot } from './support/artifacts';
import { chromiumPath, launchChromium, type LaunchedBrowser } from './support/browser';
import { adminOut, ensureAdminBuilt } from './support/build';
import type { PageCanvas, PageWindow } from './support/page-types';

const skipReason = !chromiumPath()
  ? 'hub console e2e skipped: chromium is not installed (apt-get install chromium)'
  : inject('pgAdminUrl') === ''
    ? 'hub console e2e skipped: no PostgreSQL for the test hub'
    : null;
if (skipReason) console.log(skipReason);

/** Monday 30 November to Friday 4 December 2026; the dashboard looks at the Friday. */
const FIRST = '2026-11-30';
const DATE = '2026-12-04';
const PEOPLE = 3000;
/** How long to wait for the page to show what the hub answered (a sign-in hashes with scrypt). */
const SLOW = { timeout: 60_000 };
const ADMIN = { username: 'admin.pusat', secret: 'rahasia-pusat-2026', displayName: 'Ratna Admin' };
const HEAD = { username: 'kepala.bdg', secret: 'rahasia-bandung-2026', displayName: 'Joko Kepala Bandung' };

/** The dashboard's counters as the seed predicts them (expected: everyone active on a workday). */
function expectedCounters(c: SeedCounts): DashboardCounts {
  return { expected: c.active, present: c.present, late: c.late, not_yet_in: c.absent, on_leave: c.on_leave };
}

async function counters(page: Page): Promise<DashboardCounts> {
  const read = async (k: keyof DashboardCounts) =>
    Number(await page.getAttribute(`[data-testid="count-${k}"] .counter-value`, 'data-value'));
  return {
    expected: await read('expected'),
    present: await read('present'),
    late: await read('late'),
    not_yet_in: await read('not_yet_in'),
    on_leave: await read('on_leave'),
  };
}

/** A screenshot of the whole page, from its top (a sticky header would otherwise sit mid-page). */
async function fullShot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await screenshot(page, name, true);
}

/** Pixels of a chart's canvas that are drawn in colour (bars, marks), not background or grey text. */
async function colouredPixels(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => {
    const w = globalThis as unknown as PageWindow;
    const canvas = w.document.querySelector(`[data-testid="${id}"] canvas`) as PageCanvas | null;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 40) n++;
    }
    return n;
  }, testId);
}

/** The dark modules an SVG path of QrCode.tsx draws ("M{x} {y}h{run}v1h-{run}z", 4 modules of margin). */
function darkModules(d: string): string[] {
  const out: string[] = [];
  for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let i = 0; i < Number(m[3]); i++) out.push(`${Number(m[2]) - 4},${Number(m[1]) - 4 + i}`);
  }
  return out.sort();
}

/** The dark modules of `text` as qrcode-generator makes them (error correction M, as the page asks). */
function expectedModules(text: string): string[] {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const out: string[] = [];
  for (let r = 0; r < qr.getModuleCount(); r++)
    for (let c = 0; c < qr.getModuleCount(); c++) if (qr.isDark(r, c)) out.push(`${r},${c}`);
  return out.sort();
}

/** The dashboard's date field (the kiosk's typed date field, in the console's language). */
const DASH_DATE = '[data-testid="dash-date"] input';

/** Types a date into the dashboard's field as a person would, and lets the field read it (Enter). */
async function typeDashDate(page: Page, text: string): Promise<void> {
  // As a person would: once the screen shows its day (the hub's answer), not while it is still coming —
  // that answer filling the field between select-all and typing would leave both dates in it.
  await expect.poll(() => page.inputValue(DASH_DATE), SLOW).not.toBe('');
  await page.fill(DASH_DATE, text);
  expect(await page.inputValue(DASH_DATE)).toBe(text);
  await page.press(DASH_DATE, 'Enter');
}

/** Waits for the dashboard of `date` (its field writing it in either language) to have drawn it. */
async function dashboardShown(page: Page, date: string): Promise<void> {
  const drawn = '[data-testid="dash-body"][data-rendered="true"][aria-busy="false"]';
  const written = [formatDateInput(date, 'id'), formatDateInput(date, 'en')];
  await expect
    .poll(async () => written.includes(await page.inputValue(DASH_DATE)) && (await page.$(drawn)) !== null, SLOW)
    .toBe(true);
}

async function signIn(page: Page, who: { username: string; secret: string }, labels = ID): Promise<void> {
  await page.getByLabel(labels.username).fill(who.username);
  await page.getByLabel(labels.secret).fill(who.secret);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
}

const ID = { username: 'Nama pengguna', secret: 'Kata sandi', submit: 'Masuk' };

describe.skipIf(skipReason !== null)('the hub console in Chromium against a real hub', () => {
  let t: TestHub;
  let seeded: SeededHub;
  let browser: LaunchedBrowser | null = null;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const started = Date.now();
    await ensureAdminBuilt();
    t = await startTestHub({ adminDir: adminOut });
    seeded = await seedHub(t, { sites: 4, people: PEOPLE, date: FIRST, days: 5, kiosksPerSite: 2 });
    await addOperator(t.hub.pool, { ...ADMIN, role: 'admin', sites: [] }, TEST_ACTOR);
    await addOperator(t.hub.pool, { ...HEAD, role: 'site-head', sites: ['BDG'] }, TEST_ACTOR);
    console.log(
      `[console e2e] ${PEOPLE} people, ${seeded.events} events from ${seeded.sites.length * 2} kiosks in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    browser = await launchChromium({ viewport: { width: 1280, height: 720 } });
    page = await browser.context.newPage();
    // Charts drawn without animation (as for anyone who asks for less motion): a loaded machine then
    // has no frames to catch up on before the dashboard counts as drawn.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    errors = collectPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in: a wrong secret is refused in words, the right one opens the console', async () => {
    await page.goto(`${t.url}/admin/`);
    await page.waitForSelector('[data-testid="signin"]');
    expect(await page.getAttribute('html', 'lang')).toBe('id');
    await screenshot(page, 'console-signin-id');

    await signIn(page, { username: ADMIN.username, secret: 'bukan-rahasianya' });
    const refusal = page.getByTestId('signin-error');
    await expect.poll(() => refusal.textContent(), SLOW).toContain('Nama pengguna atau kata sandi salah');
    expect(await refusal.textContent()).not.toMatch(/401|UNAUTHORIZED/);
    // The secret field is emptied and holds the focus for the next try.
    expect(await page.getByLabel('Kata sandi').inputValue()).toBe('');
    expect(await page.locator(':focus').getAttribute('name')).toBe('secret');
    await screenshot(page, 'console-signin-wrong-id');

    await signIn(page, ADMIN);
    await page.waitForSelector('[data-testid="screen-dashboard"]');
    expect(await page.textContent('[data-testid="operator"]')).toContain('Ratna Admin');
    expect(await page.textContent('[data-testid="operator"]')).toContain('Admin');
    expect(await page.textContent('[data-testid="hub-name"]')).toBe(new URL(t.url).host);
    // An admin's menu: every screen, the current one marked for assistive technology.
    const nav = await page.$$eval('[data-testid="nav"] a', (as) =>
      as.map((a) => [a.getAttribute('data-route'), a.getAttribute('aria-current')]),
    );
    expect(nav.map(([r]) => r)).toEqual(['dashboard', 'devices', 'people', 'attendance', 'leave', 'recap', 'audit']);
    expect(nav.find(([r]) => r === 'dashboard')?.[1]).toBe('page');
  });

  it('shows the day’s numbers the seed predicts, in total and per office, with the charts drawn', async () => {
    // Typed day first, as Indonesian writes dates; the field shows it so, not in the browser's locale.
    await typeDashDate(page, '4/12/2026');
    await dashboardShown(page, DATE);
    expect(await page.inputValue(DASH_DATE)).toBe('04/12/2026');
    expect(await page.textContent('[data-testid="dash-date"] .field-hint')).toBe('Contoh: 17/08/2025');
    const day = seeded.counts[DATE];
    expect(await counters(page)).toEqual(expectedCounters(day.total));
    // Indonesian numbers: 3.000, not 3,000.
    expect(await page.textContent('[data-testid="count-expected"] .counter-value')).toBe('3.000');
    expect(await page.textContent('[data-testid="dash-date-long"]')).toBe('Jumat, 4 Desember 2026');

    // The table: one row per office with the seed's numbers (expected, present, late, not yet in, on leave).
    for (const s of seeded.sites) {
      const cells = await page.$$eval(`[data-testid="dash-sites-table"] tr[data-site="${s.code}"] td`, (tds) =>
        tds.map((td) => td.textContent),
      );
      const c = expectedCounters(day.sites[s.code]);
      const n = (v: number) => new Intl.NumberFormat('id-ID').format(v);
      expect(cells[0], s.code).toBe(n(c.expected));
      expect(cells[1], s.code).toBe(n(c.present));
      expect(cells[3], s.code).toBe(n(c.late));
      expect(cells[4], s.code).toBe(n(c.not_yet_in));
      expect(cells[5], s.code).toBe(n(c.on_leave));
    }

    // Drawn, not just present: each canvas has coloured pixels (bars, the schedule's mark line).
    for (const chart of ['chart-arrivals', 'chart-trend', 'chart-sites']) {
      expect(await colouredPixels(page, chart), chart).toBeGreaterThan(500);
    }
    // Each chart says in words what it shows.
    expect(await page.getAttribute('[data-testid="chart-arrivals"]', 'aria-label')).toMatch(
      /kedatangan pada Jumat, 4 Desember 2026\. Paling ramai pukul/,
    );
    await fullShot(page, 'console-dashboard-id');

    // One office through the filter: that office's numbers.
    await page.selectOption('[data-testid="dash-site"]', 'MKS');
    await expect.poll(() => page.locator('[data-testid="dash-sites-table"] tbody tr').count(), SLOW).toBe(1);
    await dashboardShown(page, DATE);
    expect(await counters(page)).toEqual(expectedCounters(day.sites.MKS));
    await page.selectOption('[data-testid="dash-site"]', '');
    await expect.poll(() => page.locator('[data-testid="dash-sites-table"] tbody tr').count(), SLOW).toBe(4);
  });

  it('speaks English when asked: words, numbers and chart locale', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await dashboardShown(page, DATE);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Today at a glance');
    expect(await page.textContent('[data-testid="count-expected"] .counter-value')).toBe('3,000');
    expect(await page.textContent('[data-testid="dash-date-long"]')).toBe('Friday, 4 December 2026');
    // The date field in English: the month's name, whatever the browser's own locale.
    expect(await page.inputValue(DASH_DATE)).toBe('4 Dec 2026');
    expect(await page.textContent('[data-testid="dash-date"] .field-hint')).toBe('For example: 17 Aug 2025');
    expect(await counters(page)).toEqual(expectedCounters(seeded.counts[DATE].total));
    for (const chart of ['chart-arrivals', 'chart-trend', 'chart-sites']) {
      expect(await colouredPixels(page, chart), chart).toBeGreaterThan(500);
    }
    expect(await page.getAttribute('[data-testid="chart-arrivals"]', 'aria-label')).toMatch(
      /arrivals on Friday, 4 December 2026\. Busiest from/,
    );
    await fullShot(page, 'console-dashboard-en');
    // A tablet in landscape: the menu above the content, nothing cut off sideways.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.evaluate('window.scrollTo(0, 0)');
    await dashboardShown(page, DATE);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await screenshot(page, 'console-dashboard-tablet-en');
    await page.setViewportSize({ width: 1280, height: 720 });
    // The keyboard, on a fresh page: the first Tab reaches "skip to content", which moves focus to the
    // screen itself; the language chosen is still English.
    await page.reload();
    await page.waitForSelector('[data-testid="dash-body"][data-rendered="true"]', SLOW);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to the page’s content');
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').getAttribute('id')).toBe('main');
  });

  it('pairs a kiosk with the code on screen, sees it join, and revokes it behind a confirmation', async () => {
    await page.getByRole('link', { name: 'Offices & kiosks' }).click();
    await page.waitForSelector('[data-testid="screen-devices"] [data-device]');
    expect(await page.getAttribute('[data-route="devices"]', 'aria-current')).toBe('page');
    // Every seeded kiosk, with what it reported.
    const rows = await page.$$eval('[data-device]', (trs) => trs.map((tr) => tr.getAttribute('data-device')));
    expect(rows.sort()).toEqual(seeded.sites.flatMap((s) => s.kiosks.map((k) => k.device_id)).sort());
    const firstRow = await page.textContent(`[data-device="${seeded.sites[0].kiosks[0].device_id}"]`);
    expect(firstRow).toContain('0.1.0');
    expect(firstRow).toContain('Working');
    await fullShot(page, 'console-devices-en');

    await page.click('[data-testid="pair-JKT"]');
    await page.waitForSelector('[data-testid="pairing-code"]');
    const code = (await page.textContent('[data-testid="pairing-code"]'))!;
    expect(code).toMatch(/^[A-Z2-9]{4,6}-[A-Z2-9]{4,6}$/);
    expect(await page.textContent('[data-testid="pairing-expiry"]')).toMatch(
      /Valid for 10 more minutes, until \d\d:\d\d\./,
    );
    expect(await page.textContent('[data-testid="pairing-command"]')).toBe(`hadir join ${t.url} ${code}`);
    // The QR code carries the hub's address and the code, and its modules are those of that text.
    const qrText = (await page.getAttribute('[data-testid="pairing-qr"]', 'data-qr-text'))!;
    expect(new URL(qrText).searchParams.get('code')).toBe(code);
    expect(new URL(qrText).searchParams.get('hub')).toBe(t.url);
    expect(darkModules((await page.getAttribute('[data-testid="pairing-qr"] path', 'd'))!)).toEqual(
      expectedModules(qrText),
    );
    await screenshot(page, 'console-pairing-en');

    // A real kiosk joins with the code shown.
    const joined = await joinWithCode(t.url, code);
    expect(joined.status).toBe(200);
    await page.waitForSelector('[data-testid="pairing-joined"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="pairing-joined"]')).toContain('Loket Lt.1');
    // A code works once.
    expect((await joinWithCode(t.url, code)).status).not.toBe(200);
    await page.getByRole('button', { name: 'Close' }).click();
    const row = `[data-device="${joined.body.device_id}"]`;
    await page.waitForSelector(row);

    // Revoke: asked first; cancelling changes nothing.
    await page.click(`[data-testid="revoke-${joined.body.device_id}"]`);
    await page.waitForSelector('[data-testid="revoke-dialog"]');
    expect(await page.textContent('[data-testid="revoke-dialog"]')).toContain('Revoke kiosk Loket Lt.1?');
    await screenshot(page, 'console-revoke-en');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await getChanges(t.url, joined.body.credential)).status).toBe(200);
    await page.click(`[data-testid="revoke-${joined.body.device_id}"]`);
    await page.getByRole('button', { name: 'Yes, revoke the kiosk' }).click();
    await expect.poll(() => page.textContent('[data-testid="dev-notice"]'), SLOW).toContain('has been revoked');
    await page.waitForSelector(row, { state: 'detached' });
    expect((await getChanges(t.url, joined.body.credential)).status).toBe(401);

    // The same screens in Indonesian.
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await page.waitForSelector('text=Pasangkan kios baru');
    await fullShot(page, 'console-devices-id');
    await page.click('[data-testid="pair-BDG"]');
    await page.waitForSelector('[data-testid="pairing-code"]');
    expect(await page.textContent('[data-testid="pairing-expiry"]')).toMatch(/Berlaku 10 menit lagi, sampai pukul/);
    await screenshot(page, 'console-pairing-id');
    await page.getByRole('button', { name: 'Tutup' }).click();
    const another = seeded.sites[1].kiosks[0];
    await page.click(`[data-testid="revoke-${another.device_id}"]`);
    await page.waitForSelector('[data-testid="revoke-dialog"]');
    expect(await page.textContent('[data-testid="revoke-dialog"]')).toContain('Cabut kios Loket 1?');
    await screenshot(page, 'console-revoke-id');
    await page.getByRole('button', { name: 'Batal' }).click();
    await page.waitForSelector('[data-testid="revoke-dialog"]', { state: 'detached' });
  });

  it('goes back to sign-in when the hub ends the session', async () => {
    await t.hub.pool.query('DELETE FROM operator_sessions');
    await page.getByRole('link', { name: 'Ringkasan' }).click();
    await page.waitForSelector('[data-testid="signin"]');
    expect(await page.textContent('[data-testid="signin"]')).toContain('Sesi Anda sudah berakhir');
    await signIn(page, ADMIN);
    await page.waitForSelector('[data-testid="screen-dashboard"]');
  });

  it('says how long to wait, in minutes, after too many wrong secrets', async () => {
    await page.getByTestId('sign-out').click();
    await page.waitForSelector('[data-testid="signin"]');
    const refusal = page.getByTestId('signin-error');
    // Three free tries, a fourth that starts the back-off, then the wait.
    for (let i = 0; i < 4; i++) {
      await signIn(page, { username: 'tamu', secret: `salah-${i}-rahasia` });
      await expect.poll(() => refusal.textContent(), SLOW).toContain('salah');
      await expect.poll(() => page.textContent('button[type="submit"]'), SLOW).toBe('Masuk');
    }
    await signIn(page, { username: 'tamu', secret: 'salah-lagi-rahasia' });
    await expect
      .poll(() => refusal.textContent(), SLOW)
      .toMatch(/Terlalu banyak percobaan yang salah\. Tunggu 1 menit/);
    expect(await refusal.textContent()).not.toMatch(/429|RATE_LIMITED/);
    await screenshot(page, 'console-signin-throttled-id');
  });

  it('shows the head of one office only that office: filter, counts, menu and API', async () => {
    await signIn(page, HEAD);
    await page.waitForSelector('[data-testid="screen-dashboard"]');
    expect(await page.textContent('[data-testid="operator"]')).toContain('Kepala kantor · BDG');
    const options = await page.$$eval('[data-testid="dash-site"] option', (os) =>
      os.map((o) => o.getAttribute('value')),
    );
    expect(options).toEqual(['BDG']);
    const nav = await page.$$eval('[data-testid="nav"] a', (as) => as.map((a) => a.getAttribute('data-route')));
    expect(nav).toEqual(['dashboard', 'people', 'attendance', 'recap']);

    await typeDashDate(page, '04/12/2026');
    await dashboardShown(page, DATE);
    expect(await counters(page)).toEqual(expectedCounters(seeded.counts[DATE].sites.BDG));
    expect(
      await page.$$eval('[data-testid="dash-sites-table"] tbody tr', (trs) =>
        trs.map((tr) => tr.getAttribute('data-site')),
      ),
    ).toEqual(['BDG']);
    await fullShot(page, 'console-dashboard-sitehead-id');

    // Another office is not there to be asked for, by hand either.
    const status = await page.evaluate(async (date) => {
      const r = await fetch(`/api/v1/hub/dashboard?date=${date}&site=JKT`, { headers: { 'x-hadir-console': '1' } });
      return r.status;
    }, DATE);
    expect(status).toBe(403);
    await page.evaluate("location.hash = '#/devices'");
    await page.waitForSelector('[data-testid="screen-forbidden"]');
    await page.getByRole('button', { name: 'English' }).click();
    await page.evaluate("location.hash = '#/dashboard'");
    await typeDashDate(page, '4 Dec 2026');
    await dashboardShown(page, DATE);
    expect(await page.textContent('[data-testid="operator"]')).toContain('Office head · BDG');
    await fullShot(page, 'console-dashboard-sitehead-en');
    expect(errors.filter((e) => !/status of (401|403|429)/.test(e))).toEqual([]);
  });
});
