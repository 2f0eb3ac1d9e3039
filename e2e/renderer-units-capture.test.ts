/**
 * On a laptop-sized window (1280×657: a 1366×768 screen less the browser's chrome), in Chromium
 * against the stub server, in both interface languages: the unit picker of the enrollment form (an
 * existing unit typed in another case becomes the list's spelling; a new one is added to the list),
 * the capture button inside the window without scrolling, and the attendance export's language
 * (the interface language, or English headers when asked). Screenshots: e2e/artifacts/units-*.png,
 * capture-*.png, export-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const VIEWPORT = { width: 1280, height: 657 };

/** The words of each language this test reads on screen. */
const WORDS = {
  id: {
    enrollTab: 'Pendaftaran',
    unit: 'Unit kerja',
    nip: 'NIP / nomor pegawai',
    name: 'Nama lengkap',
    toCapture: 'Lanjut ke pengambilan foto',
    existing: 'Memakai unit yang sudah ada: Keuangan',
    attendanceTab: 'Kehadiran',
    exportCsv: 'Ekspor CSV',
  },
  en: {
    enrollTab: 'Enrollment',
    unit: 'Unit',
    nip: 'Employee number (NIP)',
    name: 'Full name',
    toCapture: 'Continue to photos',
    existing: 'Uses the existing unit: Keuangan',
    attendanceTab: 'Attendance',
    exportCsv: 'Export CSV',
  },
} as const;

/** The capture button's box lies wholly inside the window, with the page not scrolled. */
async function captureInView(page: Page): Promise<void> {
  const capture = page.locator('[data-testid="capture"]');
  await capture.waitFor();
  expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
  const box = await capture.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(VIEWPORT.width);
  expect(box!.y + box!.height, `capture button bottom at ${box!.y + box!.height}px`).toBeLessThanOrEqual(
    VIEWPORT.height,
  );
}

describe.skipIf(skipReason !== null)('unit picker, capture button and export language at 1280×657', () => {
  let cameras: FakeCameras;
  let server: StaticServer;
  const stub = new StubApi();
  let browser: LaunchedBrowser | null = null;

  beforeAll(async () => {
    await ensureBuilt();
    cameras = await buildFakeCameras({ genuine: testPhoto('f4455149f488.jpeg') });
    server = await startStaticServer(rendererOut, (req) => stub.handle(req));
    browser = await launchChromium({ fakeVideo: cameras.files.genuine, viewport: VIEWPORT });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cameras?.cleanup();
  });

  it('chooses units from the list, keeps the capture button in view and exports in the reader’s language', async () => {
    stub.faceMode = 'none';
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.click('[data-testid="operator-button"]');
    await page.waitForSelector('[data-testid="sign-in"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN atau kata sandi').fill('rahasia');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.waitForSelector('[data-testid="attendance-table"]');

    for (const lang of ['id', 'en'] as const) {
      const w = WORDS[lang];
      if (lang === 'en') {
        await page.click('[data-testid="language-toggle"]');
        await page.getByRole('button', { name: w.attendanceTab, exact: true }).waitFor();
      }

      // Export: the interface language by default; English headers when asked for office software.
      await page.getByRole('button', { name: w.attendanceTab, exact: true }).click();
      await page.waitForSelector('[data-testid="attendance-table"]');
      const before = stub.exportQueries.length;
      await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: w.exportCsv }).click()]);
      expect(stub.exportQueries[before].get('lang')).toBe(lang);
      if (lang === 'id') {
        await page.getByTestId('export-english').check();
        await screenshot(page, 'export-english-choice-id');
        await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: w.exportCsv }).click()]);
        expect(stub.exportQueries[before + 1].get('lang')).toBe('en');
      } else {
        // The interface is English already: no separate choice.
        expect(await page.getByTestId('export-english').count()).toBe(0);
        await screenshot(page, 'export-en');
      }

      // Enrollment: the unit from the managed list.
      await page.getByRole('button', { name: w.enrollTab, exact: true }).click();
      await page.getByLabel(w.nip).fill(lang === 'id' ? '199512312020121001' : '199512312020121002');
      await page.getByLabel(w.name).fill('Uji Coba');
      const unit = page.getByLabel(w.unit);
      expect(await unit.getAttribute('list')).toBeTruthy(); // a combobox over the list
      await unit.fill('  keuangan ');
      expect(await page.getByTestId('unit-existing').textContent()).toBe(w.existing);
      await screenshot(page, `units-existing-${lang}`);
      await unit.blur();
      expect(await unit.inputValue()).toBe('Keuangan');

      const fresh = lang === 'id' ? 'Hubungan Masyarakat' : 'Public Relations';
      await unit.fill(fresh);
      await page.getByTestId('unit-new').waitFor();
      await screenshot(page, `units-new-${lang}`);
      await page.getByTestId('unit-new').getByRole('button').click();
      await page.getByTestId('unit-added').waitFor();
      expect(stub.units.map((u) => u.name)).toContain(fresh);
      // Typed again in other letters, it is that unit now.
      await unit.fill(fresh.toUpperCase());
      await page.getByTestId('unit-existing').waitFor();
      await unit.blur();
      expect(await unit.inputValue()).toBe(fresh);
      await screenshot(page, `units-added-${lang}`);

      // The capture step: the button is in the window without scrolling.
      await page.getByRole('button', { name: w.toCapture }).click();
      await page.waitForSelector('[data-testid="enroll-capture"]');
      await videoPlaying(page);
      await captureInView(page);
      await screenshot(page, `capture-1280x657-${lang}`);
      await page.locator('[data-testid="enroll-capture"] .button-ghost').last().click(); // cancel
      await page.getByLabel(w.nip).waitFor();
    }

    // The first-person note (an empty gallery) takes room above the camera: the button stays in view.
    stub.status = { ...stub.status, gallerySize: 0 };
    await page.reload();
    await page.click('[data-testid="operator-button"]');
    const signIn = page.locator('[data-testid="sign-in"] input');
    await signIn.nth(0).fill('admin');
    await signIn.nth(1).fill('rahasia');
    await signIn.nth(1).press('Enter');
    await page.getByRole('button', { name: /^(Enrollment|Pendaftaran)$/ }).click();
    await page.waitForSelector('[data-testid="enroll-first-person"]');
    await page.getByLabel(/^(NIP \/ nomor pegawai|Employee number \(NIP\))$/).fill('199512312020121003');
    const fullName = page.getByLabel(/^(Nama lengkap|Full name)$/);
    await fullName.fill('Uji Coba');
    await fullName.press('Enter');
    await page.waitForSelector('[data-testid="enroll-capture"]');
    await videoPlaying(page);
    await captureInView(page);
    await screenshot(page, 'capture-1280x657-first-person');

    expect(errors).toEqual([]);
    expect(stub.invalid).toEqual([]);
    expect(stub.calls).toContain('addUnit');
  }, 300_000);
});
