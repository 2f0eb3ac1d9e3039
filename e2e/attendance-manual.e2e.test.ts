/**
 * An operator adds, corrects and voids attendance from the Attendance screen, in Debian's Chromium,
 * against the real headless server (`hadir serve` with the built web renderer under /app/, the real
 * engine, a real SQLite file in a temporary data folder) — nothing stubbed. In Bahasa Indonesia: a
 * record added for someone the kiosk missed (save stays off, saying why, until a reason is given), a
 * kiosk record's check-in corrected (marked "Dikoreksi", no longer late), the added one voided (gone from
 * the table and the counters), and a refusal from the server said in the interface language; then the
 * same screen and a dialog in English. Each step is checked in the database and the audit log too.
 * Screenshots: e2e/artifacts/manual-*.png.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts, zonedToUtc } from '../src/shared/local-time';
import { rendererMount } from '../src/main/api/renderer-static';
import { type RunningServer, startServer } from '../src/main/api/server';
import { resolvePack } from '../src/main/engine/model-files';
import { AttendanceService } from '../src/main/services/attendance-service';
import { OperatorService } from '../src/main/services/operators';
import { DEFAULT_SCHEDULE } from '../src/main/services/schedule';
import { SiteSettingsService } from '../src/main/services/site-settings';
import { AttendanceRepo } from '../src/main/store/attendance-repo';
import { type Db, openDb } from '../src/main/store/db';
import { PeopleRepo } from '../src/main/store/people-repo';
import { collectPageErrors, screenshot } from './support/artifacts';
import { launchChromium, type LaunchedBrowser } from './support/browser';
import { ensureBuilt, rendererOut } from './support/build';
import { browserE2eSkipReason } from './support/tools';

const skipReason = browserE2eSkipReason();
if (skipReason) console.log(skipReason);

const TZ = DEFAULT_SCHEDULE.timeZone;
const SYSTEM = { type: 'cli' as const, id: 'e2e' };
const ADMIN = { username: 'admin', displayName: 'Admin Kantor', secret: 'kata-sandi-uji' };
const OPERATOR = { username: 'petugas', displayName: 'Petugas Depan', secret: '583920' };
const ANI = { employeeNumber: '198501012010012001', fullName: 'Ani Lestari', unit: 'Keuangan' };
const BUDI = { employeeNumber: '199002022015031002', fullName: 'Budi Santoso', unit: 'Umum' };

describe.skipIf(skipReason !== null)('manual attendance from the screen (real server, Chromium)', () => {
  let dataDir: string;
  let dbFile: string;
  let db: Db;
  let server: RunningServer;
  let browser: LaunchedBrowser | null = null;
  let today = '';
  let budiId = 0;
  let aniId = 0;

  /** The SQLite file as another process reads it. */
  const fromFile = <T>(sql: string, ...args: unknown[]): T[] => {
    const reader = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return reader.prepare(sql).all(...args) as T[];
    } finally {
      reader.close();
    }
  };
  const recordsOf = (personId: number) =>
    fromFile<{ id: number; check_in_at: string | null; late: number; decided_by: string; note: string | null }>(
      'SELECT id, check_in_at, late, decided_by, note FROM attendance WHERE person_id = ?',
      personId,
    );
  const audited = (action: string) =>
    fromFile<{ actor_type: string; actor_id: string; details: string }>(
      'SELECT actor_type, actor_id, details FROM audit_log WHERE action = ? ORDER BY id',
      action,
    ).map((r) => ({ ...r, details: JSON.parse(r.details) as { reason: string } }));
  const at = (time: string) => zonedToUtc(today, time, TZ).toISOString();

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-e2e-manual-'));
    process.env.HADIR_DATA_DIR = dataDir;
    dbFile = path.join(dataDir, 'hadir.db');
    db = openDb({ file: dbFile });
    today = localParts(new Date(), TZ).date;
    // First run done beforehand: an admin, the default schedule (on time until 07:30 WIB), Indonesian.
    const pack = (await resolvePack(undefined, { verify: false })).pack;
    const operators = new OperatorService({ db });
    const settings = new SiteSettingsService({
      db,
      attendance: new AttendanceService({ db }),
      pack,
      api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
    });
    await operators.create({ ...ADMIN, role: 'admin' }, SYSTEM);
    await operators.create({ ...OPERATOR, role: 'operator' }, SYSTEM);
    settings.completeSetup(DEFAULT_SCHEDULE, 'id', SYSTEM);
    const people = new PeopleRepo(db, () => new Date('2025-01-01T00:00:00Z'));
    const ani = people.create(ANI);
    const budi = people.create(BUDI);
    aniId = ani.id;
    budiId = budi.id;
    // Budi checked in at the kiosk at 07:50 this morning: late, by his face.
    new AttendanceRepo(db).insert({
      person_id: budi.id,
      employee_number: budi.employee_number,
      full_name: budi.full_name,
      unit: budi.unit,
      local_date: today,
      check_in_at: at('07:50'),
      check_out_at: null,
      late: true,
      kiosk_id: 'lobi',
      similarity: 0.71,
      liveness: 0.98,
      check_out_kiosk_id: null,
      check_out_similarity: null,
      check_out_liveness: null,
      decided_by: 'face',
      clock_flag: null,
      note: null,
      at: at('07:50'),
    });
    server = await startServer({
      db,
      config: { host: '127.0.0.1', port: 0 },
      pool: { workers: 1, intraOpNumThreads: 1 },
      mount: rendererMount(rendererOut),
      log: () => undefined,
      out: () => undefined,
    });
    browser = await launchChromium({ viewport: { width: 1366, height: 900 } });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (db?.open) db.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const table = (page: Page) => page.locator('[data-testid="attendance-table"] tbody');
  const row = (page: Page, name: string) => table(page).locator('tr', { hasText: name });
  const summaryFigure = async (page: Page, label: string) => {
    const figure = page.locator('[data-testid="attendance-summary"] dl > div', {
      has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }),
    });
    return Number(await figure.locator('dd').textContent());
  };

  it('adds, corrects and voids a record in Bahasa Indonesia, then shows it in English', async () => {
    const page = await browser!.context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/app/`);
    await page.click('[data-testid="operator-button"]', { timeout: 60_000 });
    await page.getByLabel('Nama pengguna').fill(OPERATOR.username);
    await page.getByLabel('PIN atau kata sandi').fill(OPERATOR.secret);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await row(page, BUDI.fullName).waitFor({ timeout: 30_000 });
    expect(await row(page, BUDI.fullName).textContent()).toContain('Terlambat');
    expect(await summaryFigure(page, 'Hadir')).toBe(1);

    // Add: Ani's check-in, which the kiosk missed. Save stays off, saying why, until there is a reason.
    await page.getByRole('button', { name: 'Tambah catatan' }).click();
    const add = page.getByRole('dialog', { name: 'Tambah catatan kehadiran' });
    await add.waitFor();
    const save = add.getByRole('button', { name: 'Simpan' });
    expect(await add.getByTestId('manual-missing').textContent()).toBe('Pilih pegawai terlebih dahulu.');
    await add.getByLabel('Cari pegawai (nama atau NIP)').fill('ani');
    await add.getByRole('button', { name: new RegExp(`${ANI.fullName} · ${ANI.employeeNumber}`) }).click();
    await add.getByText(`Dipilih: ${ANI.fullName} (NIP ${ANI.employeeNumber})`).waitFor();
    await add.getByLabel('Jam masuk').fill('07.25');
    expect(await add.getByTestId('manual-missing').textContent()).toBe('Isi alasan untuk menyimpan.');
    expect(await save.isDisabled()).toBe(true);
    await screenshot(page, 'manual-1-add-needs-reason-id');
    await add.getByLabel('Alasan').fill('Kios mati listrik pukul 07.00–08.00');
    expect(await save.isDisabled()).toBe(false);
    await save.click();
    await add.waitFor({ state: 'detached' });
    await row(page, ANI.fullName).waitFor();
    expect(await page.getByTestId('manual-done').textContent()).toBe(`Catatan ${ANI.fullName} ditambahkan.`);
    const aniRow = await row(page, ANI.fullName).textContent();
    expect(aniRow).toContain('07.25');
    expect(aniRow).toContain('Dicatat operator');
    expect(aniRow).not.toContain('Terlambat');
    await expect.poll(() => summaryFigure(page, 'Hadir')).toBe(2);
    await screenshot(page, 'manual-2-added-id');
    const [added] = recordsOf(aniId);
    expect(added).toMatchObject({ check_in_at: at('07:25'), late: 0, decided_by: 'operator' });
    expect(audited('attendance.create')).toEqual([
      expect.objectContaining({
        actor_type: 'operator',
        actor_id: OPERATOR.username,
        details: expect.objectContaining({ reason: 'Kios mati listrik pukul 07.00–08.00' }),
      }),
    ]);

    // A second record for Budi today: the server refuses, and the dialog says so in Indonesian.
    await page.getByRole('button', { name: 'Tambah catatan' }).click();
    await add.getByLabel('Cari pegawai (nama atau NIP)').fill(BUDI.employeeNumber.slice(0, 8));
    await add.getByRole('button', { name: new RegExp(BUDI.fullName) }).click();
    await add.getByLabel('Jam pulang').fill('16:30');
    await add.getByLabel('Alasan').fill('Uji penolakan');
    await save.click();
    await add.getByRole('alert').waitFor();
    expect(await add.getByRole('alert').textContent()).toBe(
      'Pegawai ini sudah punya catatan pada tanggal itu: koreksi catatan tersebut.',
    );
    await screenshot(page, 'manual-3-refused-id');
    await page.keyboard.press('Escape');
    await add.waitFor({ state: 'detached' });
    expect(recordsOf(budiId)).toHaveLength(1);

    // Correct: Budi queued at the kiosk from 07:20 (CCTV): no longer late, marked as corrected.
    await page.getByRole('button', { name: `Koreksi catatan ${BUDI.fullName}` }).click();
    const correct = page.getByRole('dialog', { name: new RegExp(`^Koreksi catatan ${BUDI.fullName}`) });
    await correct.waitFor();
    expect(await correct.getByLabel('Jam masuk').inputValue()).toBe('07:50');
    expect(await correct.getByTestId('manual-missing').textContent()).toBe(
      'Ubah jam masuk atau jam pulang terlebih dahulu.',
    );
    await correct.getByLabel('Jam masuk').fill('07.20');
    expect(await correct.getByRole('button', { name: 'Simpan' }).isDisabled()).toBe(true);
    await correct.getByLabel('Alasan').fill('Antre di kios sejak 07.20, dicek lewat CCTV');
    await screenshot(page, 'manual-4-correct-id');
    await correct.getByRole('button', { name: 'Simpan' }).click();
    await correct.waitFor({ state: 'detached' });
    await row(page, BUDI.fullName).getByTestId('corrected').waitFor();
    const budiRow = await row(page, BUDI.fullName).textContent();
    expect(budiRow).toContain('07.20');
    expect(budiRow).toContain('Dikoreksi');
    expect(budiRow).not.toContain('Terlambat');
    await expect.poll(() => summaryFigure(page, 'Terlambat')).toBe(0);
    await screenshot(page, 'manual-5-corrected-id');
    expect(recordsOf(budiId)[0]).toMatchObject({
      check_in_at: at('07:20'),
      late: 0,
      decided_by: 'face',
      note: 'Antre di kios sejak 07.20, dicek lewat CCTV',
    });
    expect(audited('attendance.correct')[0]).toMatchObject({ actor_id: OPERATOR.username });

    // Void: Ani's added record was a mistake after all.
    await page.getByRole('button', { name: `Batalkan catatan ${ANI.fullName}` }).click();
    const voiding = page.getByRole('dialog', { name: new RegExp(`^Batalkan catatan ${ANI.fullName}`) });
    await voiding.waitFor();
    const confirm = voiding.getByRole('button', { name: 'Batalkan catatan' });
    expect(await confirm.isDisabled()).toBe(true);
    await voiding.getByLabel('Alasan').fill('Salah orang: Ani sedang cuti');
    await screenshot(page, 'manual-6-void-id');
    await confirm.click();
    await voiding.waitFor({ state: 'detached' });
    await row(page, ANI.fullName).waitFor({ state: 'detached' });
    expect(await page.getByTestId('manual-done').textContent()).toBe(`Catatan ${ANI.fullName} dibatalkan.`);
    await expect.poll(() => summaryFigure(page, 'Hadir')).toBe(1);
    await screenshot(page, 'manual-7-voided-id');
    expect(recordsOf(aniId)).toEqual([]);
    expect(audited('attendance.delete')).toEqual([
      expect.objectContaining({
        actor_id: OPERATOR.username,
        details: expect.objectContaining({ reason: 'Salah orang: Ani sedang cuti' }),
      }),
    ]);

    // The same screen in English: the marker and a dialog.
    await page.click('[data-testid="language-toggle"]');
    await page.getByRole('heading', { name: 'Attendance' }).waitFor();
    expect(await row(page, BUDI.fullName).textContent()).toContain('Corrected');
    await screenshot(page, 'manual-8-table-en');
    await page.getByRole('button', { name: `Correct the record of ${BUDI.fullName}` }).click();
    const correctEn = page.getByRole('dialog', { name: new RegExp(`^Correct the record of ${BUDI.fullName}`) });
    await correctEn.waitFor();
    expect(await correctEn.getByLabel('Check-in time').inputValue()).toBe('07:20');
    await correctEn.getByLabel('Check-in time').fill('7:5');
    expect(await correctEn.getByText('Not a time: write hh:mm, e.g. 07:30.').count()).toBe(1);
    expect(await correctEn.getByTestId('manual-missing').textContent()).toBe(
      'Give a check-in time, a check-out time or both (24-hour clock).',
    );
    await screenshot(page, 'manual-9-correct-en');
    await correctEn.getByRole('button', { name: 'Cancel' }).click();
    await correctEn.waitFor({ state: 'detached' });

    // The one refusal asked for above is the only failed request the browser saw.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  }, 300_000);
});
