/**
 * Words, formats and pictures in both interface languages, in Chromium against the stub server at
 * 1280×720: the kiosk's cooldown said in times of day (never a countdown), the attendance screen's
 * dates in the interface language (the table and the date fields, typed and picked from the
 * calendar), and its two charts with their text alternatives. Screenshots: e2e/artifacts/locale-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localParts, zonedToUtc } from '../src/shared/local-time';
import { collectPageErrors, screenshot, testPhoto } from './support/artifacts';
import { launchChromium, type LaunchedBrowser } from './support/browser';
import { ensureBuilt, rendererOut } from './support/build';
import { buildFakeCameras, type FakeCameras } from './support/camera';
import { videoPlaying } from './support/page';
import { startStaticServer, type StaticServer } from './support/static-server';
import { StubApi } from './support/stub-api';
import { browserE2eSkipReason } from './support/tools';

const skipReason = browserE2eSkipReason();
if (skipReason) console.log(skipReason);

const TZ = 'Asia/Jakarta';

describe.skipIf(skipReason !== null)('words and formats in both languages (Chromium, stub server)', () => {
  let cameras: FakeCameras;
  let server: StaticServer;
  const stub = new StubApi();
  let browser: LaunchedBrowser | null = null;
  const today = localParts(new Date(), TZ).date;

  beforeAll(async () => {
    await ensureBuilt();
    cameras = await buildFakeCameras({ genuine: testPhoto('f4455149f488.jpeg') });
    server = await startStaticServer(rendererOut, (req) => stub.handle(req));
    browser = await launchChromium({ fakeVideo: cameras.files.genuine, viewport: { width: 1280, height: 720 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cameras?.cleanup();
  });

  it('says the cooldown in times of day, in Bahasa Indonesia and in English', async () => {
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    // Every frame is answered with the cooldown of someone who checked in at 07:42 this morning.
    stub.checkInOnFrame = 0;
    stub.faceMode = 'match';
    stub.cooldownEvent = {
      kind: 'cooldown',
      retryAfterSeconds: 40,
      checkInAt: zonedToUtc(today, '07:42', TZ).toISOString(),
      nextAction: { kind: 'check_out', from: '15:30' },
    };
    await page.goto(`${server.url}/app/`);
    await videoPlaying(page);
    const banner = page.locator('[data-testid="kiosk-banner"]');
    await banner.filter({ hasText: 'Sudah absen masuk' }).waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toBe('Sudah absen masuk pukul 07.42 — absen pulang mulai pukul 15.30');
    await screenshot(page, 'locale-kiosk-cooldown-id');

    await page.locator('[data-testid="language-toggle"]').first().click();
    await banner.filter({ hasText: 'Already checked in' }).waitFor();
    expect(await banner.textContent()).toBe('Already checked in at 07:42 — check-out opens at 15:30');
    await screenshot(page, 'locale-kiosk-cooldown-en');

    // After the check-out: done for the day.
    stub.cooldownEvent = {
      kind: 'cooldown',
      retryAfterSeconds: 30,
      checkInAt: zonedToUtc(today, '07:42', TZ).toISOString(),
      checkOutAt: zonedToUtc(today, '16:05', TZ).toISOString(),
      nextAction: { kind: 'none' },
    };
    await banner.filter({ hasText: 'See you tomorrow' }).waitFor();
    expect(await banner.textContent()).toBe('Checked out at 16:05. See you tomorrow.');
    await page.locator('[data-testid="language-toggle"]').first().click();
    await banner.filter({ hasText: 'Sampai jumpa besok' }).waitFor();
    expect(await banner.textContent()).toBe('Sudah absen pulang pukul 16.05. Sampai jumpa besok.');
    expect(await banner.textContent()).not.toMatch(/coba lagi|detik/i);
    await screenshot(page, 'locale-kiosk-checked-out-id');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows dates in the interface language, takes typed and picked dates, and draws the charts', async () => {
    stub.faceMode = 'none';
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.click('[data-testid="operator-button"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN atau kata sandi').fill('rahasia');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.waitForSelector('[data-testid="attendance-table"] tbody tr:nth-child(2)');

    // The table's date, and the date fields, in Indonesian: Sen, 6 Jan 2025 and 06/01/2025.
    const [y, m, d] = today.split('-');
    const firstCell = page.locator('[data-testid="attendance-table"] tbody tr:first-child td:first-child');
    expect(await firstCell.textContent()).toMatch(
      new RegExp(`^(Min|Sen|Sel|Rab|Kam|Jum|Sab), ${Number(d)} \\p{L}{3} ${y}$`, 'u'),
    );
    const from = page.getByRole('textbox', { name: 'Dari tanggal' });
    expect(await from.inputValue()).toBe(`${d}/${m}/${y}`);
    expect(await page.locator('[data-testid="filter-from"]').textContent()).toContain('Contoh: 17/08/2025');

    // Charts: both drawn, each with a sentence saying what it shows.
    const arrivals = page.locator('[data-testid="chart-arrivals"]');
    const trend = page.locator('[data-testid="chart-trend"]');
    await arrivals.locator('canvas').waitFor();
    await trend.locator('canvas').waitFor();
    expect(await arrivals.getAttribute('role')).toBe('img');
    expect(await arrivals.getAttribute('aria-label')).toMatch(/^Kedatangan .*: 37 orang absen masuk\./);
    expect(await arrivals.getAttribute('aria-label')).toContain('Paling ramai pukul 07.15–07.30.');
    expect(await trend.getAttribute('aria-label')).toMatch(/^\d+ hari kerja: rata-rata [\d,]+ orang tepat waktu/);
    expect(await page.locator('[data-testid="attendance-charts"]').textContent()).toContain('Kedatangan per 15 menit');
    await screenshot(page, 'locale-attendance-id');

    // A tooltip in Indonesian (hover the tallest arrivals bar: 07:15–07:30, 9 people).
    const box = (await arrivals.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5);
    await page.waitForTimeout(300);
    await screenshot(page, 'locale-attendance-tooltip-id');

    // A typed date, in Indonesian order, becomes the filter (YYYY-MM-DD on the wire).
    const firstOfMonth = `${y}-${m}-01`;
    const queried = page.waitForRequest((r) => r.url().includes(`from=${firstOfMonth}`));
    await from.fill(`1/${Number(m)}/${y}`);
    await from.press('Enter');
    await queried;
    expect(await from.inputValue()).toBe(`01/${m}/${y}`);

    // A date that does not exist is named, and the filter keeps the last good one.
    await from.fill('31/02/2025');
    await from.press('Enter');
    expect(await page.getByRole('alert').textContent()).toBe('Tanggal tidak dikenali. Tulis seperti 17/08/2025.');
    await from.fill(`01/${m}/${y}`);
    await from.press('Enter');

    // The calendar, by keyboard only: open, one day back, pick.
    const to = page.getByRole('textbox', { name: 'Sampai tanggal' });
    await page.getByRole('button', { name: 'Sampai tanggal: buka kalender' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Sampai tanggal' }).waitFor();
    await screenshot(page, 'locale-calendar-id');
    const yesterday = addDays(today, -1);
    const picked = page.waitForRequest((r) => r.url().includes(`to=${yesterday}`));
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await picked;
    const [yy, ym, yd] = yesterday.split('-');
    expect(await to.inputValue()).toBe(`${yd}/${ym}/${yy}`);
    expect(await page.getByRole('dialog').count()).toBe(0);

    // English: month names in the fields, weekday names in the table, charts in English.
    await page.getByRole('button', { name: 'Hari ini' }).click();
    await page.click('[data-testid="language-toggle"]');
    await page.getByRole('heading', { name: 'Attendance' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'From', exact: true }).inputValue()).toMatch(
      new RegExp(`^${Number(d)} [A-Z][a-z]{2,3} ${y}$`),
    );
    expect(await firstCell.textContent()).toMatch(
      new RegExp(`^(Sun|Mon|Tue|Wed|Thu|Fri|Sat), ${Number(d)} \\w{3,4} ${y}$`),
    );
    await arrivals.locator('canvas').waitFor();
    expect(await arrivals.getAttribute('aria-label')).toMatch(/^Arrivals on .*: 37 people checked in\./);
    expect(await arrivals.getAttribute('aria-label')).toContain('Busiest from 07:15 to 07:30.');
    expect(await trend.getAttribute('aria-label')).toMatch(/^\d+ working days: on average [\d.]+ people on time/);
    await screenshot(page, 'locale-attendance-en');
    const trendBox = (await trend.boundingBox())!;
    await page.mouse.move(trendBox.x + trendBox.width * 0.8, trendBox.y + trendBox.height * 0.6);
    await page.waitForTimeout(300);
    await screenshot(page, 'locale-attendance-tooltip-en');

    expect(errors).toEqual([]);
    expect(stub.invalid).toEqual([]);
    expect(stub.calls).toContain('attendanceStats');
    await page.close();
  });
});
