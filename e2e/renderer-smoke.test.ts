/**
 * The renderer as a web page in Debian's Chromium with a fake camera made from a real photo. The
 * server side is a stub here (the API is built separately): it answers the kiosk's status and frames
 * with a fixed face, so this checks the page's half — camera, frame loop, overlay, greeting card,
 * language, full-screen states — through the real HTTP client and the built bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from './support/browser';
import { videoPlaying } from './support/page';
import type { PageCanvas, PageVideo, PageWindow } from './support/page-types';
import { collectPageErrors, screenshot, testPhoto } from './support/artifacts';
import { ensureBuilt, rendererOut } from './support/build';
import { buildFakeCameras, type FakeCameras } from './support/camera';
import { startStaticServer, type StaticServer } from './support/static-server';
import { readyStatus, StubApi } from './support/stub-api';
import { browserE2eSkipReason } from './support/tools';

const skipReason = browserE2eSkipReason();
if (skipReason) console.log(skipReason);

/** The genuine live sample of the liveness issue: a real person in front of a phone camera. */
const genuinePhoto = testPhoto('f4455149f488.jpeg');

describe.skipIf(skipReason !== null)('renderer in Chromium (web mode, stub server)', () => {
  let cameras: FakeCameras;
  let server: StaticServer;
  let stub: StubApi;
  let browser: LaunchedBrowser | null = null;

  beforeAll(async () => {
    await ensureBuilt();
    cameras = await buildFakeCameras({ genuine: genuinePhoto });
    stub = new StubApi();
    server = await startStaticServer(rendererOut, (req) => stub.handle(req));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cameras?.cleanup();
  });

  it('shows the mirrored camera with the overlay, greets the person, and switches language', async () => {
    browser = await launchChromium({ fakeVideo: cameras.files.genuine });
    const page = await browser.context.newPage();
    const pageErrors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);

    await page.waitForSelector('[data-testid="kiosk"]', { timeout: 30_000 });
    // The camera plays: a real picture from the fake device.
    await videoPlaying(page);
    const video = await page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      const v = w.document.querySelector('[data-testid="camera-video"]') as PageVideo;
      const style = w.getComputedStyle(v);
      return { width: v.videoWidth, height: v.videoHeight, transform: style.transform, fit: style.objectFit };
    });
    expect(video.width).toBe(640);
    expect(video.height).toBe(480);
    expect(video.transform).toBe('matrix(-1, 0, 0, 1, 0, 0)'); // mirrored
    expect(video.fit).toBe('contain'); // what overlay-geometry assumes

    // Frames reach the server (one at a time, JPEG, camera size), and the reply is drawn.
    await page.waitForSelector('[data-testid="overlay"][data-faces="1"]', { timeout: 30_000 });
    expect(stub.frames.length).toBeGreaterThan(0);
    expect(stub.frames.every((f) => f.jpeg && f.width === 640 && f.height === 480 && f.bytes > 1000)).toBe(true);
    expect(new Set(stub.frames.map((f) => f.kioskId)).size).toBe(1);
    const drawn = await page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      const c = w.document.querySelector('[data-testid="overlay"]') as PageCanvas;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) opaque++;
      return { opaque, width: c.width, height: c.height };
    });
    expect(drawn.width).toBeGreaterThan(0);
    expect(drawn.opaque).toBeGreaterThan(500); // box, five points and the name label

    // The server's check-in (4th frame) shows the big card with the name.
    const card = await page.waitForSelector('[data-testid="confirmation-card"]', { timeout: 30_000 });
    expect(await card.textContent()).toContain('Uji Coba');
    expect(await card.textContent()).toMatch(/Absen masuk tercatat pukul \d\d[.:]\d\d/);
    await screenshot(page, 'kiosk-card-id');

    // Language: Bahasa Indonesia by default, English after the toggle.
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.lang)).toBe('id');
    expect(await page.title()).toBe('Hadir — absensi wajah');
    await page.click('[data-testid="language-toggle"]');
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.lang)).toBe('en');
    expect(await page.title()).toBe('Hadir — face attendance');
    expect(await page.textContent('[data-testid="language-toggle"]')).toBe('Bahasa Indonesia');
    expect(await page.textContent('[data-testid="confirmation-card"]')).toMatch(/Checked in at \d\d:\d\d/);
    await screenshot(page, 'kiosk-card-en');

    // The operator's way in.
    await page.click('[data-testid="operator-button"]');
    await page.waitForSelector('[data-testid="sign-in"]');
    expect(await page.textContent('[data-testid="sign-in"] h1')).toBe('Operator sign-in');
    await screenshot(page, 'sign-in-en');

    expect(pageErrors).toEqual([]);
    expect(stub.invalid).toEqual([]);
  });

  it('says so on a full screen when the engine is not ready', async () => {
    stub.status = {
      ...readyStatus(),
      engine: { ...readyStatus().engine, state: 'no_models', ready: false, message: 'no model pack installed' },
    };
    try {
      const page = await browser!.context.newPage();
      await page.goto(`${server.url}/app/`);
      await page.waitForSelector('[data-testid="state-engine"]', { timeout: 30_000 });
      expect(await page.textContent('[data-testid="state-engine"] h1')).toBe('Model pengenal wajah belum dipasang');
      await screenshot(page, 'state-engine-not-ready');
      await page.close();
    } finally {
      stub.status = readyStatus();
    }
  });

  it('says so on a full screen when there is no camera', async () => {
    const noCamera = await launchChromium();
    try {
      const page = await noCamera.context.newPage();
      await page.goto(`${server.url}/app/`);
      await page.waitForSelector('[data-testid="camera-problem"]', { timeout: 30_000 });
      expect(await page.textContent('[data-testid="camera-problem"] h1')).toBe('Kamera tidak ditemukan');
      await screenshot(page, 'state-no-camera');
    } finally {
      await noCamera.close();
    }
  });
});
