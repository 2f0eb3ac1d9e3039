/**
 * The kiosk left alone at the door, in Chromium against the stub server: the camera unplugged and
 * plugged back (a message meanwhile, then frames again), kiosk mode's PIN-guarded way out (no operator
 * button; Ctrl+Shift+E or a long press opens the dialog; a wrong PIN is refused by the server, the right
 * one leads to the operator screens and going back locks it again), and a settings section whose
 * "Simpan" answers beside it, with leaving unsaved edits asking first. Screenshots in both languages.
 */
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

/** Ends the camera's tracks as an unplugged camera does, and makes the next opening fail once (still unplugged). */
const UNPLUG = `(() => {
  const media = navigator.mediaDevices;
  const original = media.getUserMedia.bind(media);
  let failures = 1;
  media.getUserMedia = (c) => failures-- > 0
    ? Promise.reject(new DOMException('Requested device not found', 'NotFoundError'))
    : original(c);
  const video = document.querySelector('[data-testid="camera-video"]');
  for (const track of video.srcObject.getVideoTracks()) {
    track.stop();
    track.dispatchEvent(new Event('ended'));
  }
})()`;

describe.skipIf(skipReason !== null)('the kiosk left alone (web mode, stub server)', () => {
  let cameras: FakeCameras;
  let server: StaticServer;
  const stub = new StubApi();
  let browser: LaunchedBrowser | null = null;

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

  it('gets its camera back after it is unplugged, saying so meanwhile', async () => {
    stub.faceMode = 'none';
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.waitForSelector('[data-testid="kiosk"]');
    await videoPlaying(page);
    await page.waitForFunction(() => true);
    const before = stub.frames.length;
    await page.evaluate(UNPLUG);
    await page.waitForSelector('[data-testid="camera-lost"]');
    expect(await page.textContent('[data-testid="camera-lost"]')).toContain('Kamera terputus');
    await screenshot(page, 'kiosk-camera-lost');
    const during = stub.frames.length;
    // Plugged back in: the browser reports a device change and the kiosk tries at once.
    await page.evaluate(`navigator.mediaDevices.dispatchEvent(new Event('devicechange'))`);
    await page.waitForSelector('[data-testid="camera-lost"]', { state: 'detached', timeout: 20_000 });
    await videoPlaying(page);
    await expect.poll(() => stub.frames.length, { timeout: 15_000 }).toBeGreaterThan(during + 3);
    expect(during).toBeGreaterThanOrEqual(before);
    expect(await page.$('[data-testid="camera-problem"]')).toBeNull();

    // The same in English.
    await page.click('[data-testid="language-toggle"]');
    await page.evaluate(UNPLUG);
    await page.waitForSelector('[data-testid="camera-lost"]');
    expect(await page.textContent('[data-testid="camera-lost"]')).toContain('The camera was disconnected');
    await screenshot(page, 'kiosk-camera-lost-en');
    await page.waitForSelector('[data-testid="camera-lost"]', { state: 'detached', timeout: 20_000 });
    await videoPlaying(page);
    expect(errors.filter((e) => !e.includes('NotFoundError'))).toEqual([]);
    await page.close();
  });

  it('leaves kiosk mode only with an operator’s PIN, checked by the server', async () => {
    stub.faceMode = 'none';
    stub.settings = { ...stub.settings, kiosk: { ...stub.settings.kiosk, fullScreen: true } };
    stub.status = { ...stub.status, kiosk: stub.settings.kiosk };
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.waitForSelector('[data-testid="kiosk"]');
    await videoPlaying(page);
    // No way in on the screen itself.
    expect(await page.$('[data-testid="operator-button"]')).toBeNull();

    // The keyboard shortcut opens the dialog; a wrong PIN is refused.
    await page.keyboard.press('Control+Shift+E');
    await page.waitForSelector('[data-testid="kiosk-exit"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Keluar dari mode kios' }).click();
    await page.waitForSelector('[data-testid="kiosk-exit-refused"]');
    expect(await page.textContent('[data-testid="kiosk-exit-refused"]')).toContain('PIN salah');
    await screenshot(page, 'kiosk-exit-refused');
    expect(await page.$('[data-testid="kiosk"]')).not.toBeNull();

    // Cancel, then the long press on "Hadir" opens it again; the right PIN leads to the operator screens.
    await page.getByRole('button', { name: 'Batal' }).click();
    await page.waitForSelector('[data-testid="kiosk-exit"]', { state: 'detached' });
    const brand = await page.$('[data-testid="kiosk-brand"]');
    const box = (await brand!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.waitForSelector('[data-testid="kiosk-exit"]', { timeout: 5000 });
    await page.mouse.up();
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN', { exact: true }).fill('rahasia');
    await page.getByRole('button', { name: 'Keluar dari mode kios' }).click();
    await page.waitForSelector('[data-testid="screen-attendance"]');
    expect(stub.calls.filter((c) => c === 'signIn')).toHaveLength(2);

    // Back to the kiosk: signed out, and kiosk mode again.
    await page.click('[data-testid="back-to-kiosk"]');
    await page.waitForSelector('[data-testid="kiosk"]');
    expect(stub.calls.at(-1) === 'signOut' || stub.calls.includes('signOut')).toBe(true);
    expect(await page.$('[data-testid="operator-button"]')).toBeNull();

    // English.
    await page.click('[data-testid="language-toggle"]');
    await page.keyboard.press('Control+Shift+E');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('PIN', { exact: true }).fill('1234');
    await page.getByRole('button', { name: 'Leave kiosk mode' }).click();
    await page.waitForSelector('[data-testid="kiosk-exit-refused"]');
    await screenshot(page, 'kiosk-exit-refused-en');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="kiosk-exit"]', { state: 'detached' });
    expect(errors).toEqual([]);
    expect(stub.invalid).toEqual([]);
    await page.close();
  });

  it('says "saved" beside the section saved, and asks before unsaved edits are left', async () => {
    stub.settings = { ...stub.settings, kiosk: { ...stub.settings.kiosk, fullScreen: false } };
    stub.status = { ...stub.status, kiosk: stub.settings.kiosk };
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.click('[data-testid="operator-button"]');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('PIN atau kata sandi').fill('rahasia');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.waitForSelector('[data-testid="screen-attendance"]');
    await page.getByRole('button', { name: 'Pengaturan', exact: true }).click();
    const kiosk = page.locator('[data-testid="settings-kiosk"]');
    await kiosk.waitFor();

    // An edit, then a tab: the page asks, and "stay" keeps the edit.
    await kiosk.getByLabel(/Ucapkan nama depan/).check();
    await kiosk.getByText('Ada perubahan yang belum disimpan.').waitFor();
    page.once('dialog', (d) => {
      expect(d.message()).toContain('belum disimpan');
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Pegawai', exact: true }).click();
    expect(await page.$('[data-testid="screen-settings"]')).not.toBeNull();

    // Saved: the answer is beside this section's button, in Indonesian.
    await kiosk.getByRole('button', { name: 'Simpan' }).click();
    await kiosk.locator('[data-testid="saved-kiosk"]').waitFor();
    expect(await kiosk.locator('[data-testid="saved-kiosk"]').textContent()).toContain('Tersimpan');
    expect(stub.settings.kiosk.spokenGreeting).toBe(true);
    await kiosk.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-kiosk-saved');
    const box = (await kiosk.locator('[data-testid="saved-kiosk"]').boundingBox())!;
    const button = (await kiosk.getByRole('button', { name: 'Simpan' }).boundingBox())!;
    expect(Math.abs(box.y - button.y)).toBeLessThan(40); // on the button's line, not at the top of the page

    // A refusal a person can fix comes in their language, not the server's English.
    const operators = page.locator('[data-testid="settings-operators"]');
    await operators.getByLabel('Nama pengguna').fill('petugas2');
    await operators.getByLabel('Nama tampilan').fill('Petugas Dua');
    await operators.getByLabel('PIN atau kata sandi').fill('1234');
    expect(await operators.textContent()).toContain('PIN minimal 6 angka');
    await operators.getByRole('button', { name: 'Buat akun' }).click();
    await operators.getByText('PIN terlalu pendek: minimal 6 angka.').waitFor();
    expect(await operators.textContent()).not.toContain('at least 6 digits');
    await operators.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-operator-pin-refused');

    // Nothing unsaved now: the tab switches without asking.
    let asked = false;
    page.once('dialog', (d) => {
      asked = true;
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Pegawai', exact: true }).click();
    await page.waitForSelector('[data-testid="screen-people"]');
    expect(asked).toBe(false);

    // English.
    await page.click('[data-testid="language-toggle"]');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const kioskEn = page.locator('[data-testid="settings-kiosk"]');
    await kioskEn.getByLabel(/volume/i).fill('40');
    await kioskEn.getByRole('button', { name: 'Save' }).click();
    await kioskEn.locator('[data-testid="saved-kiosk"]').waitFor();
    expect(await kioskEn.locator('[data-testid="saved-kiosk"]').textContent()).toContain('Saved');
    await kioskEn.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-kiosk-saved-en');
    expect(stub.settings.kiosk.volume).toBe(40);
    // The refused PIN's 400 is logged by the browser itself; nothing else may be.
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    expect(stub.invalid).toEqual([]);
    await page.close();
  });
});
