/**
 * A refused duplicate enrollment, for real, in Debian's Chromium: the headless server with the real
 * engine, a real SQLite file and the built web renderer under /app/ — nothing stubbed. The camera is a
 * `.y4m` made from a real photo (the genuine live capture). The operator enrolls a person from the
 * camera, then tries to enroll the same face under another number: the enrollment is refused as a
 * duplicate and the screen shows both faces side by side — the face just captured and the enrolled
 * person's kept face picture — with the similarity in words, in Bahasa Indonesia and in English. The
 * read of the kept picture is audited. When no picture is kept (retention cleared them), the enrolled
 * side is a placeholder that says so, with the name and NIP. Screenshots: e2e/artifacts/duplicate-*.png.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererMount } from '../src/main/api/renderer-static';
import { type RunningServer, startServer } from '../src/main/api/server';
import { resolvePack } from '../src/main/engine/model-files';
import { AttendanceService } from '../src/main/services/attendance-service';
import { KEEP_THUMBNAILS_KEY } from '../src/main/services/face-service';
import { OperatorService } from '../src/main/services/operators';
import { SiteSettingsService } from '../src/main/services/site-settings';
import { type Db, openDb } from '../src/main/store/db';
import { SettingsRepo } from '../src/main/store/settings-repo';
import { TemplatesRepo } from '../src/main/store/templates-repo';
import { openAllDaySchedule } from '../src/main/testing/schedules';
import { collectPageErrors, screenshot, testPhoto } from './support/artifacts';
import { launchChromium, type LaunchedBrowser } from './support/browser';
import { ensureBuilt, rendererOut } from './support/build';
import { buildFakeCameras, type FakeCameras } from './support/camera';
import { videoPlaying } from './support/page';
import type { PageWindow } from './support/page-types';
import { browserE2eSkipReason } from './support/tools';

const skipReason = browserE2eSkipReason();
if (skipReason) console.log(skipReason);

const ADMIN = { username: 'admin', displayName: 'Admin Kantor', secret: 'kata-sandi-uji' };
const FIRST = { employee_number: '199001012015031001', full_name: 'Rina Wulandari', unit: 'Bagian Umum' };
const AGAIN = { employee_number: '199505052020122005', full_name: 'Rina W.', unit: 'Keuangan' };
const SYSTEM = { type: 'cli' as const, id: 'e2e' };

/** The DOM shape of an <img> read inside `page.evaluate` (see support/page-types.ts). */
interface PageImage {
  complete: boolean;
  naturalWidth: number;
}

describe.skipIf(skipReason !== null)('a refused duplicate enrollment shows both faces (real server)', () => {
  let cameras: FakeCameras;
  let dataDir: string;
  let dbFile: string;
  let db: Db;
  let server: RunningServer;
  let browser: LaunchedBrowser | null = null;

  const fromFile = <T>(sql: string): T[] => {
    const reader = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return reader.prepare(sql).all() as T[];
    } finally {
      reader.close();
    }
  };

  beforeAll(async () => {
    const [, cams] = await Promise.all([
      ensureBuilt(),
      buildFakeCameras({ genuine: testPhoto('f4455149f488.jpeg') }, { seconds: 2 }),
    ]);
    cameras = cams;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-e2e-duplicate-'));
    process.env.HADIR_DATA_DIR = dataDir;
    dbFile = path.join(dataDir, 'hadir.db');
    db = openDb({ file: dbFile });
    const pack = (await resolvePack(undefined, { verify: false })).pack;
    const operators = new OperatorService({ db });
    const settings = new SiteSettingsService({
      db,
      attendance: new AttendanceService({ db }),
      pack,
      api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
    });
    await operators.create(
      { username: ADMIN.username, displayName: ADMIN.displayName, role: 'admin', secret: ADMIN.secret },
      SYSTEM,
    );
    settings.completeSetup(openAllDaySchedule(600), 'id', SYSTEM);
    // This site keeps a face thumbnail with each template (off by default).
    new SettingsRepo(db).set(KEEP_THUMBNAILS_KEY, true);
    server = await startServer({
      db,
      config: { host: '127.0.0.1', port: 0 },
      pool: { workers: 2, intraOpNumThreads: 1 },
      mount: rendererMount(rendererOut),
      log: () => undefined,
      out: () => undefined,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (db?.open) db.close();
    cameras?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The enrollment screen's person step → three camera samples → consent → commit. */
  async function enrollFromCamera(page: Page, person: typeof FIRST): Promise<void> {
    await page.getByLabel('NIP / nomor pegawai').fill(person.employee_number);
    await page.getByLabel('Nama lengkap').fill(person.full_name);
    await page.getByLabel('Unit kerja').fill(person.unit);
    await page.getByRole('button', { name: 'Lanjut ke pengambilan foto' }).click();
    await page.waitForSelector('[data-testid="enroll-capture"]');
    await videoPlaying(page);
    for (let i = 1; i <= 3; i++) {
      await page.click('[data-testid="capture"]');
      await page.getByText(`${i} foto diterima`).waitFor({ timeout: 60_000 });
    }
    await page.getByLabel(/menyetujui pemrosesan data biometrik/).check();
    await page.click('[data-testid="commit-enrollment"]');
    await page.waitForSelector('[data-testid="enroll-result"]', { timeout: 60_000 });
  }

  /** Whether an <img> has loaded real pixels (not a broken picture). */
  const loaded = (page: Page, selector: string) =>
    page.evaluate((sel) => {
      const img = (globalThis as unknown as PageWindow).document.querySelector(sel) as PageImage | null;
      return img !== null && img.complete && img.naturalWidth > 0;
    }, selector);

  it('enrolls a face, refuses it under another number, and shows the operator both faces', async () => {
    browser = await launchChromium({ fakeVideo: cameras.files.genuine, viewport: { width: 1280, height: 900 } });
    const page = await browser.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.waitForSelector('[data-testid="kiosk"]', { timeout: 30_000 });
    await page.click('[data-testid="operator-button"]');
    await page.getByLabel('Nama pengguna').fill(ADMIN.username);
    await page.getByLabel('PIN atau kata sandi').fill(ADMIN.secret);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.getByRole('button', { name: 'Pendaftaran', exact: true }).click();

    await enrollFromCamera(page, FIRST);
    expect(await page.textContent('[data-testid="enroll-result"]')).toContain(
      `${FIRST.full_name} berhasil didaftarkan`,
    );
    expect(fromFile<{ n: number }>('SELECT COUNT(*) AS n FROM face_templates WHERE thumbnail IS NOT NULL')[0].n).toBe(
      3,
    );

    // The same face again, as somebody new: refused, with both faces on screen.
    await page.getByRole('button', { name: 'Daftarkan pegawai lain' }).click();
    await enrollFromCamera(page, AGAIN);
    const result = page.locator('[data-testid="enroll-result"]');
    await page.waitForSelector('[data-testid="duplicate-enrolled-face"][data-state="shown"]', { timeout: 30_000 });
    expect(await result.textContent()).toContain('Pendaftaran ditolak');
    const newFace = page.getByRole('img', { name: 'Wajah baru yang baru saja diambil kamera' });
    const enrolledFace = page.getByRole('img', {
      name: `Wajah ${FIRST.full_name} (${FIRST.employee_number}) yang sudah terdaftar`,
    });
    await newFace.waitFor();
    await enrolledFace.waitFor();
    expect(await loaded(page, '[data-testid="duplicate-new-face"] img')).toBe(true);
    expect(await loaded(page, '[data-testid="duplicate-enrolled-face"] img')).toBe(true);
    expect(await page.textContent('[data-testid="duplicate-new-face"] figcaption')).toBe('Wajah baru');
    expect(await page.textContent('[data-testid="duplicate-enrolled-face"] figcaption')).toBe(
      `Terdaftar sebagai ${FIRST.full_name} (${FIRST.employee_number})`,
    );
    // The similarity in words, with the Indonesian decimal comma.
    expect(await page.textContent('[data-testid="duplicate-score"]')).toMatch(/^kemiripan [01],\d\d$/);
    // Nothing was written for the refused person; the picture's read is audited under the operator.
    expect(fromFile<{ n: number }>('SELECT COUNT(*) AS n FROM people')[0].n).toBe(1);
    const reads = fromFile<{ actor_id: string; target_id: string }>(
      "SELECT actor_id, target_id FROM audit_log WHERE action = 'person.face.view'",
    );
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads[0].actor_id).toBe(ADMIN.username);
    await screenshot(page, 'duplicate-both-faces-id', true);

    // In English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('img', { name: 'The new face, just taken by the camera' }).waitFor();
    await page
      .getByRole('img', { name: `The enrolled face of ${FIRST.full_name} (${FIRST.employee_number})` })
      .waitFor();
    expect(await page.textContent('[data-testid="duplicate-enrolled-face"] figcaption')).toBe(
      `Enrolled as ${FIRST.full_name} (${FIRST.employee_number})`,
    );
    expect(await page.textContent('[data-testid="duplicate-score"]')).toMatch(/^similarity [01]\.\d\d$/);
    await screenshot(page, 'duplicate-both-faces-en', true);

    // Retention clears the kept pictures: the next refusal shows a placeholder with the name and NIP.
    new TemplatesRepo(db).clearThumbnailsBefore(new Date(Date.now() + 60_000).toISOString());
    await page.getByRole('button', { name: 'Retake photos' }).click();
    await page.waitForSelector('[data-testid="enroll-capture"]');
    await page.getByLabel(/agrees to the processing of their facial biometric data/).check();
    await page.click('[data-testid="commit-enrollment"]');
    await page.waitForSelector('[data-testid="duplicate-enrolled-face"][data-state="none"]', { timeout: 30_000 });
    const placeholder = page.locator('[data-testid="duplicate-enrolled-face"] .face-placeholder');
    expect(await placeholder.textContent()).toContain('This kiosk keeps no face pictures');
    expect(await placeholder.textContent()).toContain(FIRST.full_name);
    expect(await placeholder.textContent()).toContain(FIRST.employee_number);
    expect(await loaded(page, '[data-testid="duplicate-new-face"] img')).toBe(true);
    await screenshot(page, 'duplicate-no-pictures-en', true);
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await page
      .getByRole('img', { name: `Kios ini tidak menyimpan foto wajah ${FIRST.full_name} (${FIRST.employee_number})` })
      .waitFor();
    await screenshot(page, 'duplicate-no-pictures-id', true);

    // The one expected console line is the browser's note on the 404 of the picture that is not kept.
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
  });
});
