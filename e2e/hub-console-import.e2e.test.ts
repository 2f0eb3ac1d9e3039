/**
 * The people screen's photo import in Debian's Chromium against a real hub with the face API (real
 * models) on a real PostgreSQL: a personnel officer uploads a zip through the dialog, the progress bar
 * ends at the import's counts, the rejections are told with their reasons in the interface language,
 * and the people list shows who was enrolled. Once in each language, with a zip of its own; screenshots
 * in e2e/artifacts/console-import-{id,en}.png.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addOperator } from '../src/main/hub/access';
import { staticSettings } from '../src/main/hub/face-api';
import { addSite } from '../src/main/hub/sites';
import { haveSharedData } from '../src/main/testing/paths';
import { startTestHub, TEST_ACTOR, type TestHub } from '../src/main/testing/postgres-hub';
import { makeZip } from '../src/main/testing/zip-writer';
import { collectPageErrors, screenshot, testPhoto } from './support/artifacts';
import { chromiumPath, launchChromium, type LaunchedBrowser } from './support/browser';
import { repoRoot } from './support/build';

const hasPostgres = inject('pgAdminUrl') !== '';
const hasChromium = chromiumPath() !== null;
const SECRET = 'Rahasia-Konsol-2026';
const photo = (name: string) => readFileSync(testPhoto(name));

async function setLang(page: Page, lang: 'id' | 'en'): Promise<void> {
  await page.locator(`[data-testid=language-switch] button[lang=${lang}]`).click();
  await page.waitForFunction(`document.documentElement.lang === '${lang}'`);
}

describe.skipIf(!hasPostgres || !hasChromium || !haveSharedData())('hub console: import photos from a zip', () => {
  let t: TestHub;
  let browser: LaunchedBrowser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const built = spawnSync('npm', ['run', 'build:admin'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    if (built.status !== 0) throw new Error(`npm run build:admin failed:\n${built.stdout}\n${built.stderr}`);
    t = await startTestHub({
      adminDir: path.join(repoRoot, 'out', 'admin'),
      face: { pool: { workers: 1, intraOpNumThreads: 2 }, settings: staticSettings({}) },
    });
    await addSite(t.hub.pool, { code: 'JKT', name: 'Kantor Pusat Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addOperator(
      t.hub.pool,
      { username: 'siti', displayName: 'Siti (Kepegawaian)', role: 'personnel', sites: ['JKT'], secret: SECRET },
      TEST_ACTOR,
    );
    await t.hub.face!.gallery.ready;
    browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
    page = await browser.context.newPage();
    await page.emulateMedia({ reducedMotion: 'reduce' });
    errors = collectPageErrors(page);
    const r = await page.request.post(`${t.url}/api/v1/hub/session`, {
      data: { username: 'siti', secret: SECRET },
      headers: { 'x-hadir-console': '1' },
    });
    expect(r.status(), await r.text()).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens the dialog, uploads `zip` for JKT and waits for the progress bar to end. */
  async function importZip(zip: Buffer, labels: { open: string; file: string; start: string }, shot?: string) {
    await page.getByRole('button', { name: labels.open }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel(labels.file).setInputFiles({ name: 'foto.zip', mimeType: 'application/zip', buffer: zip });
    if (shot) await screenshot(page, shot);
    await dialog.getByRole('button', { name: labels.start }).click();
    await dialog.locator('[data-testid=import-progress][data-state=done]').waitFor({ timeout: 90_000 });
    const bar = dialog.locator('progress');
    return { dialog, value: await bar.getAttribute('value'), max: await bar.getAttribute('max') };
  }

  const count = (page: Page, k: string) =>
    page.locator(`[data-testid=import-counts] [data-count=${k}] dd`).textContent();

  it('uploads a zip, watches the bar end at the counts, reads the reasons, sees the people (id, then en)', async () => {
    await page.goto(`${t.url}/admin/#/people`);
    await page.locator('#people-title').waitFor({ timeout: 20_000 });

    // Bahasa Indonesia: two good photos and one without a face.
    const id = await importZip(
      makeZip([
        { name: 'foto-pegawai/100001/a.jpg', data: photo('0c5e25d359f6.jpg') },
        { name: 'foto-pegawai/100002.jpg', data: photo('f7993a058288.jpg') },
        { name: 'foto-pegawai/100003/x.jpg', data: photo('3c386e553b62.jpg') },
      ]),
      { open: 'Impor foto (ZIP)', file: 'Berkas ZIP', start: 'Unggah dan impor' },
      'console-import-form-id',
    );
    expect([id.value, id.max]).toEqual(['3', '3']);
    expect(await id.dialog.getByTestId('import-progress-text').textContent()).toBe('3 dari 3 pegawai diproses');
    expect(await count(page, 'enrolled')).toBe('2');
    expect(await count(page, 'rejected')).toBe('1');
    const why = await id.dialog.locator('[data-testid=import-rejections] li[data-nip="100003"]').textContent();
    expect(why).toContain('Tidak ada foto yang memenuhi syarat.');
    expect(why).toContain('x.jpg: tidak ada wajah');
    // The list behind the dialog was asked again: the two new people are on it.
    await page.locator('[data-testid=people-table] tbody tr[data-nip="100001"]').waitFor({ state: 'attached' });
    await page.locator('[data-testid=people-table] tbody tr[data-nip="100002"]').waitFor({ state: 'attached' });
    await screenshot(page, 'console-import-id');
    await id.dialog.getByRole('button', { name: 'Tutup' }).click();
    await id.dialog.waitFor({ state: 'detached', timeout: 5000 });

    // English: a good photo, someone already enrolled under another number, and a face too small.
    await setLang(page, 'en');
    const en = await importZip(
      makeZip([
        { name: '200001.jpg', data: photo('87699d2006c0.jpg') }, // Colin Powell
        { name: '200002/x.jpg', data: photo('08522604e8c9.jpg') }, // Ariel Sharon again: 100001
        { name: '200003/only.jpg', data: photo('7d5c7ded953d.jpg') }, // eyes 39.8 px apart
      ]),
      { open: 'Import photos (ZIP)', file: 'ZIP file', start: 'Upload and import' },
    );
    expect([en.value, en.max]).toEqual(['3', '3']);
    expect(await en.dialog.getByTestId('import-progress-text').textContent()).toBe('3 of 3 people processed');
    expect(await count(page, 'enrolled')).toBe('1');
    expect(await count(page, 'rejected')).toBe('2');
    const rejections = en.dialog.locator('[data-testid=import-rejections]');
    expect(await rejections.locator('li[data-nip="200002"]').textContent()).toContain(
      'This face is already enrolled under another person.',
    );
    expect(await rejections.locator('li[data-nip="200003"]').textContent()).toMatch(
      /only\.jpg: face too small \(value 39\.8, limit 40\)/,
    );
    await page.locator('[data-testid=people-table] tbody tr[data-nip="200001"]').waitFor({ state: 'attached' });
    await screenshot(page, 'console-import-en');
    await en.dialog.getByRole('button', { name: 'Close' }).click();
    await en.dialog.waitFor({ state: 'detached', timeout: 5000 });
    await setLang(page, 'id');
    expect(errors).toEqual([]);
  });
});
