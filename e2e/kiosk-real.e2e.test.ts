/**
 * The kiosk for real, in Debian's Chromium: the headless server with the real engine (detector,
 * recogniser and the two liveness models), a real SQLite file in a temporary data folder, and the
 * built web renderer under /app/ — nothing stubbed. The camera is a `.y4m` file made from a real photo,
 * one file per phase (Chromium loops it), so each phase has its own browser launch.
 *
 * With liveness on (the default): an operator signs in, enrolls the genuine live sample from the camera
 * on the Enrollment screen, and goes to the kiosk, which draws the face and greets the person by name;
 * exactly one attendance record is in the database, and a second pass inside the cooldown adds none. A
 * picture of that same person held up to the camera is refused, audited with its scores and recorded
 * nowhere. With liveness off (a
 * site's choice), a stranger's photo is "not recognised" and recorded nowhere. Screenshots of each
 * screen go to e2e/artifacts/real-*.png.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleConfig } from '../src/shared/contract';
import { rendererMount } from '../src/main/api/renderer-static';
import { type RunningServer, startServer } from '../src/main/api/server';
import { resolvePack } from '../src/main/engine/model-files';
import { AttendanceService } from '../src/main/services/attendance-service';
import { OperatorService } from '../src/main/services/operators';
import { SiteSettingsService } from '../src/main/services/site-settings';
import { type Db, openDb } from '../src/main/store/db';
import { collectPageErrors, screenshot, testPhoto } from './support/artifacts';
import { launchChromium, type LaunchedBrowser } from './support/browser';
import { ensureBuilt, rendererOut } from './support/build';
import { buildFakeCameras, type FakeCameras } from './support/camera';
import { videoPlaying } from './support/page';
import type { PageCanvas, PageWindow } from './support/page-types';
import { browserE2eSkipReason } from './support/tools';
import { openAllDaySchedule } from '../src/main/testing/schedules';

const skipReason = browserE2eSkipReason();
if (skipReason) console.log(skipReason);

const ADMIN = { username: 'admin', displayName: 'Admin Kantor', secret: 'kata-sandi-uji' };
const PERSON = { employee_number: '199001012015031001', full_name: 'Rina Wulandari', unit: 'Bagian Umum' };
const SYSTEM = { type: 'cli' as const, id: 'e2e' };

/** Every day open, check-in all day long (so the test never depends on the hour), a long cooldown. */
const allDaySchedule = (): ScheduleConfig => openAllDaySchedule(600);

describe.skipIf(skipReason !== null)('the real kiosk in Chromium (real server, engine and database)', () => {
  let cameras: FakeCameras;
  let dataDir: string;
  let dbFile: string;
  let db: Db;
  let server: RunningServer;
  let operators: OperatorService;
  let settings: SiteSettingsService;
  let url: string;
  /** The person enrolled in the first scenario. */
  let enrolledId = 0;
  let browser: LaunchedBrowser | null = null;

  /** The SQLite file as another process would read it. */
  const fromFile = <T>(sql: string): T[] => {
    const reader = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return reader.prepare(sql).all() as T[];
    } finally {
      reader.close();
    }
  };
  const attendanceRows = () =>
    fromFile<{
      person_id: number | null;
      full_name: string;
      check_in_at: string | null;
      kiosk_id: string;
      liveness: number | null;
    }>('SELECT person_id, full_name, check_in_at, kiosk_id, liveness FROM attendance');

  beforeAll(async () => {
    const started = Date.now();
    const [built, cams] = await Promise.all([
      ensureBuilt(),
      buildFakeCameras(
        {
          // The genuine live capture of the liveness issue, stored sideways (EXIF orientation 6).
          genuine: testPhoto('f4455149f488.jpeg'),
          // A presentation attack (labels.json: printed photo) of the same woman, also stored sideways.
          spoof: testPhoto('fbbea73450ae.jpg'),
          // Somebody never enrolled here (a web photo of a public figure in the identity set).
          stranger: testPhoto('7d5c7ded953d.jpg'),
        },
        { seconds: 2 },
      ),
    ]);
    void built;
    cameras = cams;

    // A fresh data folder: the database, and anything the server would keep beside it.
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-e2e-kiosk-'));
    process.env.HADIR_DATA_DIR = dataDir;
    dbFile = path.join(dataDir, 'hadir.db');
    db = openDb({ file: dbFile });
    // First run done beforehand (the wizard has its own test): an admin, the schedule, the language.
    const pack = (await resolvePack(undefined, { verify: false })).pack;
    operators = new OperatorService({ db });
    settings = new SiteSettingsService({
      db,
      attendance: new AttendanceService({ db }),
      pack,
      api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
    });
    await operators.create(
      { username: ADMIN.username, displayName: ADMIN.displayName, role: 'admin', secret: ADMIN.secret },
      SYSTEM,
    );
    settings.completeSetup(allDaySchedule(), 'id', SYSTEM);

    // The headless server as `hadir serve` starts it: engine warm first, the store's services, /app/.
    server = await startServer({
      db,
      config: { host: '127.0.0.1', port: 0 },
      pool: { workers: 2, intraOpNumThreads: 1 },
      mount: rendererMount(rendererOut),
      log: () => undefined,
      out: () => undefined,
    });
    expect(server.pool.status().livenessAvailable).toBe(true);
    url = server.url;
    console.log(`[e2e] real server ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (db?.open) db.close();
    cameras?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function openKiosk(camera: string): Promise<{ page: Page; errors: string[] }> {
    await browser?.close();
    browser = await launchChromium({ fakeVideo: camera, viewport: { width: 1280, height: 800 } });
    const page = await browser.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${url}/app/`);
    await page.waitForSelector('[data-testid="kiosk"]', { timeout: 30_000 });
    await videoPlaying(page);
    return { page, errors };
  }

  /** Opaque pixels on the overlay canvas: the box, the five landmarks and the label are drawn there. */
  async function overlayPixels(page: Page): Promise<number> {
    return page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      const c = w.document.querySelector('[data-testid="overlay"]') as PageCanvas;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) opaque++;
      return opaque;
    });
  }

  const banner = (page: Page, text: string) =>
    page.waitForSelector(`[data-testid="kiosk-banner"]:has-text("${text}")`, { timeout: 30_000 });

  it('enrolls the genuine live sample from the camera, greets them once, and keeps the cooldown', async () => {
    const { page, errors } = await openKiosk(cameras.files.genuine);
    // Nobody is enrolled yet: the face is boxed but not named.
    await page.waitForSelector('[data-testid="overlay"][data-faces="1"]', { timeout: 30_000 });
    await screenshot(page, 'real-kiosk-before-enrollment');

    // The operator signs in.
    await page.click('[data-testid="operator-button"]');
    await page.waitForSelector('[data-testid="sign-in"]');
    await page.getByLabel('Nama pengguna').fill(ADMIN.username);
    await page.getByLabel('PIN atau kata sandi').fill(ADMIN.secret);
    await screenshot(page, 'real-sign-in');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.waitForSelector('[data-testid="attendance-table"]', { timeout: 30_000 });
    await screenshot(page, 'real-attendance-empty');

    // Enrollment of a new person from the camera: three samples, each judged as it is taken.
    await page.getByRole('button', { name: 'Pendaftaran', exact: true }).click();
    await page.getByLabel('NIP / nomor pegawai').fill(PERSON.employee_number);
    await page.getByLabel('Nama lengkap').fill(PERSON.full_name);
    await page.getByLabel('Unit kerja').fill(PERSON.unit);
    await screenshot(page, 'real-enroll-person');
    await page.getByRole('button', { name: 'Lanjut ke pengambilan foto' }).click();
    await page.waitForSelector('[data-testid="enroll-capture"]');
    await videoPlaying(page);
    for (let i = 1; i <= 3; i++) {
      await page.click('[data-testid="capture"]');
      await page.getByText(`${i} foto diterima`).waitFor({ timeout: 30_000 });
      if (i === 1) {
        const checks = await page.textContent('[data-testid="sample-checks"]');
        expect(checks).toContain('Foto diterima');
        expect(checks).toContain('Wajah asli'); // the liveness check was made, and passed
        await screenshot(page, 'real-enroll-sample');
      }
    }
    await page.getByLabel(/menyetujui pemrosesan data biometrik/).check();
    await page.click('[data-testid="commit-enrollment"]');
    await page.waitForSelector('[data-testid="enroll-result"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="enroll-result"]')).toContain(
      `${PERSON.full_name} berhasil didaftarkan`,
    );
    await screenshot(page, 'real-enroll-result');
    const enrolled = fromFile<{ id: number; n: number }>(
      'SELECT p.id, (SELECT COUNT(*) FROM face_templates t WHERE t.person_id = p.id) AS n FROM people p',
    );
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0].n).toBe(3);
    enrolledId = enrolled[0].id;
    expect(fromFile<{ n: number }>('SELECT COUNT(*) AS n FROM consents')[0].n).toBe(1);

    // The kiosk: boxed, named, greeted — and recorded exactly once.
    await page.getByRole('button', { name: 'Ke layar kios' }).click();
    const card = await page.waitForSelector('[data-testid="confirmation-card"]', { timeout: 60_000 });
    expect(await card.textContent()).toContain(PERSON.full_name);
    expect(await card.textContent()).toMatch(/Absen masuk tercatat pukul \d\d[.:]\d\d|Absen pulang/);
    await page.waitForSelector('[data-testid="overlay"][data-faces="1"]', { timeout: 30_000 });
    expect(await overlayPixels(page)).toBeGreaterThan(500);
    await screenshot(page, 'real-kiosk-greeting');
    const rows = attendanceRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ person_id: enrolled[0].id, full_name: PERSON.full_name });
    expect(rows[0].liveness).toBeGreaterThan(0.5);

    // A second pass inside the cooldown: the kiosk says so, and nothing is added.
    await page.reload();
    await page.waitForSelector('[data-testid="kiosk"]', { timeout: 30_000 });
    // In people's terms: when they checked in, and when the next real action opens — not a countdown.
    await banner(page, 'Sudah absen masuk pukul');
    expect(await page.textContent('[data-testid="kiosk-banner"]')).not.toMatch(/coba lagi|detik/i);
    await screenshot(page, 'real-kiosk-cooldown');
    expect(attendanceRows()).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('refuses a picture of the enrolled person held up to the camera: audited with its scores, recorded nowhere', async () => {
    const { page, errors } = await openKiosk(cameras.files.spoof);
    await banner(page, 'Mohon hadir langsung di depan kamera');
    await page.waitForSelector('[data-testid="overlay"][data-faces="1"]', { timeout: 30_000 });
    await screenshot(page, 'real-kiosk-spoof');
    expect(await page.$('[data-testid="confirmation-card"]')).toBeNull();
    expect(attendanceRows()).toHaveLength(1); // still only the genuine check-in
    const audits = fromFile<{ actor_type: string; details: string }>(
      "SELECT actor_type, details FROM audit_log WHERE action = 'kiosk.spoof'",
    );
    expect(audits.length).toBeGreaterThanOrEqual(1);
    const details = JSON.parse(audits[0].details) as {
      min_p_real: number;
      max_p_real: number;
      frames: number;
      resembles_person_id: number | null;
    };
    expect(audits[0].actor_type).toBe('kiosk');
    expect(details.frames).toBe(3);
    expect(details.max_p_real).toBeLessThan(0.5);
    // The attack shows the enrolled person herself: it matched her, and was still refused.
    expect(details.resembles_person_id).toBe(enrolledId);
    expect(errors).toEqual([]);
  });

  it('with liveness off, reports a stranger as not recognised and records nothing', async () => {
    await settings.update({ recognition: { requireLiveness: false } }, SYSTEM);
    const { page, errors } = await openKiosk(cameras.files.stranger);
    await banner(page, 'Maaf, wajah Anda belum dikenali');
    await page.waitForSelector('[data-testid="overlay"][data-faces="1"]', { timeout: 30_000 });
    await screenshot(page, 'real-kiosk-stranger');
    expect(await page.$('[data-testid="confirmation-card"]')).toBeNull();
    expect(attendanceRows()).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
