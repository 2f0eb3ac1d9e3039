/**
 * Joining an organisation hub from the screens, in Chromium against the stub server: the first-run
 * wizard's optional hub step (a refused code, the console's pairing link pasted into the address, the
 * join naming hub and site, then a schedule step that says the schedule comes from the hub), in Bahasa
 * Indonesia and in English, and the settings screen's hub section (standalone with the choice for the
 * people enrolled here; joined with hub, site and state). Screenshots: e2e/artifacts/hub-*.png.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, collectPageErrors, screenshot, testPhoto } from './support/artifacts';
import { launchChromium, type LaunchedBrowser } from './support/browser';
import { ensureBuilt, rendererOut } from './support/build';
import { buildFakeCameras, type FakeCameras } from './support/camera';
import { startStaticServer, type StaticServer } from './support/static-server';
import { STUB_WRONG_CODE, StubApi, stubHubLink } from './support/stub-api';
import { browserE2eSkipReason } from './support/tools';

const skipReason = browserE2eSkipReason();
if (skipReason) console.log(skipReason);

const HUB = 'https://hub.kantor.go.id:5020';
const FINGERPRINT = '3A:91:' + 'C4:'.repeat(29) + '7E';
const PAIRING_LINK = `hadir://join?${new URLSearchParams({ hub: HUB, code: 'ABCDE-FGHJK', fingerprint: FINGERPRINT })}`;

describe.skipIf(skipReason !== null)('joining a hub from the screens (Chromium, stub server)', () => {
  let cameras: FakeCameras;
  let server: StaticServer;
  let stub = new StubApi();
  let browser: LaunchedBrowser | null = null;

  beforeAll(async () => {
    await ensureBuilt();
    cameras = await buildFakeCameras({ genuine: testPhoto('f4455149f488.jpeg') });
    server = await startStaticServer(rendererOut, (req) => stub.handle(req));
    browser = await launchChromium({ fakeVideo: cameras.files.genuine, viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cameras?.cleanup();
  });

  /** A fresh first run, walked to the hub step (licence accepted, first admin created). */
  async function toHubStep(page: Page): Promise<void> {
    stub = new StubApi();
    stub.firstRun();
    stub.faceMode = 'none';
    await page.goto(`${server.url}/app/?setup=${stub.setupToken}`);
    await page.waitForSelector('[data-testid="setup-pack"]');
    await page.getByLabel('Saya telah membaca dan menerima lisensi paket model ini.').check();
    await page.getByRole('button', { name: 'Lanjut', exact: true }).click();
    await page.waitForSelector('[data-testid="setup-admin"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('Nama tampilan').fill('Admin Kantor');
    await page.getByLabel('PIN atau kata sandi', { exact: true }).fill('rahasia');
    await page.getByLabel('Ulangi PIN atau kata sandi').fill('rahasia');
    await page.getByRole('button', { name: 'Buat akun admin' }).click();
    await page.waitForSelector('[data-testid="setup-hub"]');
  }

  it('walks the wizard’s hub step in Bahasa Indonesia: a refused code, the pasted link, the join', async () => {
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await toHubStep(page);
    expect(await page.textContent('.steps .step-active')).toBe('Hub organisasi');
    expect(await page.textContent('[data-testid="setup-hub"]')).toContain('Jika kantor Anda memakai Hadir Hub');
    // A fresh kiosk has nobody enrolled: no question about uploading anyone.
    expect(await page.locator('[data-testid="hub-existing"]').count()).toBe(0);
    await screenshot(page, 'hub-1-step-id');

    await page.getByLabel('Alamat hub').fill(HUB);
    await page.getByLabel('Kode pasangan').fill(STUB_WRONG_CODE);
    await page.getByRole('button', { name: 'Gabung', exact: true }).click();
    const refusal = page.locator('[data-reason="hub_code_rejected"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      'Hub menolak kode ini: salah, sudah dipakai, atau kedaluwarsa. Minta kode baru di konsol hub.',
    );
    await screenshot(page, 'hub-2-wrong-code-id');

    // The console's pairing link, pasted into the address, fills the three fields.
    await page.getByLabel('Alamat hub').fill(PAIRING_LINK);
    await page.waitForSelector('[data-testid="hub-link-filled"]');
    expect(await page.inputValue('[data-testid="hub-address"]')).toBe(HUB);
    expect(await page.inputValue('[data-testid="hub-code"]')).toBe('ABCDE-FGHJK');
    expect(await page.inputValue('[data-testid="hub-fingerprint"]')).toBe(FINGERPRINT);
    await screenshot(page, 'hub-3-link-filled-id');

    await page.getByRole('button', { name: 'Gabung', exact: true }).click();
    await page.waitForSelector('[data-testid="hub-joined"]');
    expect(await page.textContent('[data-testid="hub-joined"]')).toBe(
      `Kios ini tergabung dengan hub ${HUB} untuk situs Kantor Pusat Jakarta (JKT).`,
    );
    await screenshot(page, 'hub-4-joined-id');

    // The schedule is the hub site's: the step says so instead of offering the editor.
    await page.click('[data-testid="hub-next"]');
    await page.waitForSelector('[data-testid="schedule-from-hub"]');
    expect(await page.locator('[data-testid="schedule-editor"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="schedule-from-hub"]')).toContain(
      'mengikuti situs Kantor Pusat Jakarta di hub',
    );
    await screenshot(page, 'hub-5-schedule-id');
    await page.getByRole('button', { name: 'Lanjut', exact: true }).click();
    await page.click('[data-testid="finish-setup"]');
    await page.waitForSelector('[data-testid="screen-enrollment"]');

    expect(stub.calls.filter((c) => c === 'joinHub')).toHaveLength(2);
    expect(stub.calls).toContain('completeSetup');
    expect(stub.invalid).toEqual([]);
    // The refused join's 400 is the one console error the browser reports by itself.
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
    await page.close();
  });

  it('walks the same step in English, and a standalone kiosk skips it', async () => {
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await toHubStep(page);
    await page.click('[data-testid="language-toggle"]');
    await page.getByRole('button', { name: 'Skip — standalone kiosk' }).waitFor();
    expect(await page.textContent('.steps .step-active')).toBe('Organisation hub');
    await screenshot(page, 'hub-1-step-en');

    await page.getByLabel('Hub address').fill(PAIRING_LINK);
    await page.waitForSelector('[data-testid="hub-link-filled"]');
    await screenshot(page, 'hub-3-link-filled-en');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.waitForSelector('[data-testid="hub-joined"]');
    expect(await page.textContent('[data-testid="hub-joined"]')).toBe(
      `This kiosk has joined the hub ${HUB} for the site Kantor Pusat Jakarta (JKT).`,
    );
    await screenshot(page, 'hub-4-joined-en');
    await page.click('[data-testid="hub-next"]');
    await page.waitForSelector('[data-testid="schedule-from-hub"]');
    await screenshot(page, 'hub-5-schedule-en');

    // Another first run (back in the site's language), skipped: the schedule editor as before, no join.
    await toHubStep(page);
    await page.getByRole('button', { name: 'Lewati — kios mandiri' }).click();
    await page.waitForSelector('[data-testid="schedule-editor"]');
    expect(await page.locator('[data-testid="schedule-from-hub"]').count()).toBe(0);
    expect(stub.calls).not.toContain('joinHub');
    expect(stub.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the settings’ hub section: the join with the choice for people enrolled here, then the link', async () => {
    stub = new StubApi();
    stub.localPeople = 3;
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.click('[data-testid="operator-button"]');
    await page.waitForSelector('[data-testid="sign-in"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN atau kata sandi').fill('rahasia');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.getByRole('button', { name: 'Pengaturan', exact: true }).click();
    const section = page.locator('[data-testid="settings-hub"]');
    await section.locator('[data-testid="hub-join-form"]').waitFor();
    await section.scrollIntoViewIfNeeded();
    expect(await section.textContent()).toContain('Kios ini bekerja mandiri.');
    await screenshot(page, 'hub-settings-standalone-id');

    await page.getByLabel('Alamat hub').fill(PAIRING_LINK);
    await page.getByLabel(/Unggah ke hub/).check();
    await page.getByRole('button', { name: 'Gabung', exact: true }).click();
    await section.locator('[data-testid="hub-link"]').waitFor();
    expect(await section.locator('[data-testid="hub-state"]').textContent()).toBe('Terhubung');
    expect(await section.locator('[data-testid="hub-local-people"]').textContent()).toBe(
      '3 pegawai yang didaftarkan di sini akan diunggah setelah pegawai situs diterima.',
    );
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'hub-settings-joined-id');

    // Offline since this morning, in English (the section asks again when the screen is opened).
    stub.hub = { ...stubHubLink(HUB), state: 'offline', offline_since: '2025-01-06T01:15:00Z' };
    await page.click('[data-testid="language-toggle"]');
    await page.getByRole('button', { name: 'People', exact: true }).click();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await section.locator('[data-testid="hub-link"]').waitFor();
    expect(await section.locator('[data-testid="hub-state"]').textContent()).toMatch(
      /^Offline since .*8:15.* — attendance is still recorded and sent later$/,
    );
    // The schedule comes from the hub's site: shown, not editable, no Save.
    const schedule = page.locator('[data-testid="settings-schedule"]');
    await schedule.locator('[data-testid="schedule-from-hub"]').waitFor();
    expect(await schedule.locator('[data-testid="schedule-from-hub"]').textContent()).toContain(
      'follow the site Kantor Pusat Jakarta (JKT)',
    );
    expect(await schedule.locator('[data-testid="save-schedule"]').count()).toBe(0);
    expect(await schedule.locator('input').first().isDisabled()).toBe(true);
    await schedule.screenshot({ path: path.join(artifactsDir, 'hub-settings-schedule-en.png') });
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'hub-settings-offline-en');

    expect(stub.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
