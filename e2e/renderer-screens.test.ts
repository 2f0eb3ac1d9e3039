/**
 * Every screen of the renderer, walked through in Chromium against the stub server: first-run wizard,
 * idle kiosk, kiosk with a face, sign-in (wrong PIN, lockout), attendance with export, people with the
 * delete confirmation, enrollment from the fake camera (a refused sample, then enough good ones), and
 * settings. Each step leaves a screenshot in e2e/artifacts/. The stub checks every JSON body against
 * the contract's validators, so the page is held to the contract too.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, collectPageErrors, screenshot, testPhoto } from './support/artifacts';
import { launchChromium, type LaunchedBrowser } from './support/browser';
import { videoPlaying } from './support/page';
import { ensureBuilt, rendererOut } from './support/build';
import { buildFakeCameras, type FakeCameras } from './support/camera';
import { startStaticServer, type StaticServer } from './support/static-server';
import { StubApi } from './support/stub-api';
import { browserE2eSkipReason } from './support/tools';

const skipReason = browserE2eSkipReason();
if (skipReason) console.log(skipReason);

describe.skipIf(skipReason !== null)('every screen in Chromium (web mode, stub server)', () => {
  let cameras: FakeCameras;
  let server: StaticServer;
  const stub = new StubApi();
  let browser: LaunchedBrowser | null = null;

  beforeAll(async () => {
    await ensureBuilt();
    cameras = await buildFakeCameras({ genuine: testPhoto('f4455149f488.jpeg') });
    server = await startStaticServer(rendererOut, (req) => stub.handle(req));
    browser = await launchChromium({ fakeVideo: cameras.files.genuine, viewport: { width: 1366, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cameras?.cleanup();
  });

  it('walks through setup, kiosk, sign-in, attendance, people, enrollment and settings', async () => {
    stub.firstRun();
    stub.faceMode = 'none';
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    // The setup link `hadir serve` prints at first start: the wizard takes its one-time token.
    await page.goto(`${server.url}/app/?setup=${stub.setupToken}`);

    // First run: model pack and licence.
    await page.waitForSelector('[data-testid="setup-pack"]');
    expect(page.url()).not.toContain('setup='); // the token left the address bar (and the history)
    await screenshot(page, 'setup-1-pack');
    const next = page.getByRole('button', { name: 'Lanjut', exact: true });
    expect(await next.isDisabled()).toBe(true); // not before the licence is accepted
    await page.getByLabel('Saya telah membaca dan menerima lisensi paket model ini.').check();
    await next.click();

    // The first admin.
    await page.waitForSelector('[data-testid="setup-admin"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('Nama tampilan').fill('Admin Kantor');
    await page.getByLabel('PIN atau kata sandi', { exact: true }).fill('rahasia');
    await page.getByLabel('Ulangi PIN atau kata sandi').fill('rahasia');
    await screenshot(page, 'setup-2-admin');
    await page.getByRole('button', { name: 'Buat akun admin' }).click();

    // The organisation hub is optional: a standalone kiosk skips it (e2e/renderer-hub-join.test.ts joins).
    await page.getByRole('button', { name: 'Lewati — kios mandiri' }).click();

    // Schedule and time zone, then the camera.
    await page.waitForSelector('[data-testid="schedule-editor"]');
    await screenshot(page, 'setup-3-schedule', true);
    await page.getByRole('button', { name: 'Lanjut', exact: true }).click();
    await page.waitForSelector('[data-testid="camera-picker"]');
    await videoPlaying(page);
    await screenshot(page, 'setup-4-camera');
    await page.click('[data-testid="finish-setup"]');

    // Nobody is enrolled yet: the admin is led to enroll the first person, not left at the kiosk.
    await page.waitForSelector('[data-testid="screen-enrollment"] [data-testid="enroll-first-person"]');
    expect(await page.textContent('[data-testid="enroll-first-person"]')).toContain('daftarkan orang pertama');
    await screenshot(page, 'setup-5-enroll-first');
    await page.click('[data-testid="back-to-kiosk"]');

    // The kiosk, idle: clock and date, nobody in front of it.
    await page.waitForSelector('[data-testid="idle-clock"]', { timeout: 30_000 });
    await videoPlaying(page);
    await screenshot(page, 'kiosk-idle');
    expect(await page.textContent('[data-testid="idle-clock"]')).toContain('Silakan menghadap kamera');

    // Someone steps up: box, landmarks and name drawn over the mirrored video.
    stub.checkInOnFrame = Number.MAX_SAFE_INTEGER;
    stub.faceMode = 'match';
    await page.waitForSelector('[data-testid="kiosk"][data-mode="detecting"] [data-testid="overlay"][data-faces="1"]', {
      timeout: 30_000,
    });
    await screenshot(page, 'kiosk-detecting');

    // Sign-in: a wrong PIN, a locked account, then the admin.
    await page.click('[data-testid="operator-button"]');
    await page.waitForSelector('[data-testid="sign-in"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN atau kata sandi').fill('salah');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.getByText('Sisa percobaan: 2').waitFor();
    await page.getByLabel('Nama pengguna').fill('locked');
    await page.getByLabel('PIN atau kata sandi').fill('apa saja');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.waitForSelector('[data-testid="locked-message"]');
    await screenshot(page, 'sign-in-locked');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN atau kata sandi').fill('rahasia');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();

    // Attendance: today, with the day's summary, flags, and an export.
    await page.waitForSelector('[data-testid="attendance-table"] tbody tr:nth-child(2)');
    await page.waitForSelector('[data-testid="attendance-summary"]');
    expect(await page.textContent('[data-testid="attendance-table"]')).toContain('Terlambat');
    expect(await page.textContent('[data-testid="attendance-table"]')).toContain('Belum pulang');
    // A day seen only at check-out is flagged, and not counted as plainly present.
    expect(await page.textContent('[data-testid="no-check-in"]')).toBe('Tanpa absen masuk');
    const summary = await page.textContent('[data-testid="attendance-summary"]');
    expect(summary).toMatch(/Hadir\s*2/);
    expect(summary).toMatch(/Tanpa absen masuk\s*1/);
    await screenshot(page, 'attendance');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Ekspor CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^hadir-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);

    // People, and the delete confirmation.
    await page.getByRole('button', { name: 'Pegawai', exact: true }).click();
    await page.waitForSelector('[data-testid="people-table"] tbody tr:nth-child(2)');
    await screenshot(page, 'people');
    await page.getByRole('button', { name: 'Hapus', exact: true }).first().click();
    await page.waitForSelector('[data-testid="delete-person"]');
    const confirm = page.getByRole('button', { name: 'Hapus permanen' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(/Ketik NIP/).fill('198503142010012001');
    expect(await confirm.isDisabled()).toBe(false);
    await screenshot(page, 'people-delete');
    await page.getByRole('button', { name: 'Batal' }).click();

    // Enrollment of a new person from the camera.
    await page.getByRole('button', { name: 'Pendaftaran', exact: true }).click();
    await page.getByLabel('NIP / nomor pegawai').fill('199512312020121001');
    await page.getByLabel('Nama lengkap').fill('Uji Coba');
    await page.getByLabel('Unit kerja').fill('Bagian Umum');
    await page.getByRole('button', { name: 'Lanjut ke pengambilan foto' }).click();
    await page.waitForSelector('[data-testid="enroll-capture"]');
    await videoPlaying(page);
    await page.click('[data-testid="capture"]');
    await page.getByText('Foto ditolak').waitFor();
    expect(await page.textContent('[data-testid="sample-checks"]')).toContain('Terlalu gelap');
    await screenshot(page, 'enroll-sample-refused');
    for (let i = 1; i <= 3; i++) {
      await page.click('[data-testid="capture"]');
      await page.getByText(`${i} foto diterima`).waitFor();
    }
    await page.getByLabel(/menyetujui pemrosesan data biometrik/).check();
    await screenshot(page, 'enroll-ready');
    await page.click('[data-testid="commit-enrollment"]');
    await page.waitForSelector('[data-testid="enroll-result"]');
    expect(await page.textContent('[data-testid="enroll-result"]')).toContain('Uji Coba berhasil didaftarkan');
    await screenshot(page, 'enroll-result');

    // Settings (admins): calibrated thresholds, schedule, models, API, keys, operators.
    await page.getByRole('button', { name: 'Pengaturan', exact: true }).click();
    await page.waitForSelector('[data-testid="settings-operators"] tbody tr');
    expect(await page.textContent('[data-testid="settings-recognition"]')).toContain('0.412');
    // The provider as a person reads it, not the engine's identifier.
    expect(await page.textContent('[data-testid="settings-models"]')).toContain('Penyedia komputasi: CPU —');
    await screenshot(page, 'settings', true);

    // A kiosk that serves one unit: tick it, save, and the server is told that unit's id.
    const scope = page.locator('[data-testid="recognition-units"]');
    expect(await scope.textContent()).toContain('semua orang yang terdaftar di kios ini dikenali');
    await scope.getByLabel('Keuangan').check();
    expect(await page.textContent('[data-testid="recognition-units-state"]')).toBe(
      'Hanya orang dari unit yang dicentang yang dikenali (1 unit).',
    );
    await page.locator('[data-testid="save-recognition"] button').click();
    await page.waitForSelector('[data-testid="saved-recognition"]');
    expect(stub.settings.recognition.units).toEqual([{ id: 2, name: 'Keuangan' }]);
    await scope.screenshot({ path: path.join(artifactsDir, 'settings-units-id.png') });

    // English everywhere, then sign out back to the kiosk.
    await page.click('[data-testid="language-toggle"]');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await page.textContent('[data-testid="recognition-units-state"]')).toBe(
      'Only people of the ticked units are recognised (1 ticked).',
    );
    await scope.screenshot({ path: path.join(artifactsDir, 'settings-units-en.png') });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('[data-testid="kiosk"]');

    expect(errors).toEqual([]);
    expect(stub.invalid).toEqual([]);
    for (const method of [
      'completeSetup',
      'signIn',
      'queryAttendance',
      'exportAttendance',
      'listPeople',
      'commitEnrollment',
      'getSettings',
      'signOut',
    ] as const) {
      expect(stub.calls).toContain(method);
    }
  });
});
