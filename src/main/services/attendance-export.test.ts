import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zonedToUtc } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { exportHeaders } from './attendance-export';
import { zoneLabel } from './attendance-export-words';
import { AttendanceService } from './attendance-service';
import { TestClock } from './clock';
import { DEFAULT_SCHEDULE } from './schedule';

const MON = '2025-01-06';
const TUE = '2025-01-07';
const OPERATOR: Actor = { type: 'operator', id: 'siti' };
const wib = (date: string, time: string) => zonedToUtc(date, time, 'Asia/Jakarta');

/** A strict RFC 4180 reader, to check what the writer wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

let env: ReturnType<typeof tempDb>;
let svc: AttendanceService;
let clock: TestClock;

beforeEach(() => {
  env = tempDb();
  clock = new TestClock(wib(MON, '05:00'));
  const people = new PeopleRepo(env.db, () => clock.now());
  svc = new AttendanceService({ db: env.db, clock, schedule: DEFAULT_SCHEDULE });
  const ani = people.create({
    employeeNumber: '198501012010012001',
    fullName: 'Dr. Ani "Nita" Lestari, S.Kom.',
    unit: 'Keuangan',
  });
  const budi = people.create({
    employeeNumber: '199002022015031002',
    fullName: '=HYPERLINK("http://evil")',
    unit: 'Umum',
  });
  const cahya = people.create({ employeeNumber: '200001012020121003', fullName: 'Cahyà Ñoviantï', unit: 'Keuangan' });
  clock.advanceTo(wib(MON, '07:05:09'));
  svc.recordRecognition({ person: ani, similarity: 0.61234, liveness: 0.98, kioskId: 'lobby' });
  clock.advanceTo(wib(MON, '07:45'));
  svc.recordRecognition({ person: budi, similarity: 0.55, liveness: 0.91, kioskId: 'lobby' });
  clock.advanceTo(wib(MON, '16:30'));
  svc.recordRecognition({ person: ani, similarity: 0.6, liveness: 0.95, kioskId: 'gate' });
  clock.advanceTo(wib(TUE, '09:00'));
  svc.addRecord({ person: cahya, localDate: TUE, checkInAt: '07:15' }, 'kiosk offline,\nsee memo', OPERATOR);
});

afterEach(() => env.cleanup());

describe('export', () => {
  it('writes CSV with a BOM, a header row, CRLF, quoting, local times and neutralised formulas', async () => {
    const { data, records } = await svc.export({ from: MON, to: TUE }, 'csv', OPERATOR);
    expect(records).toBe(3);
    const text = data.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual([
      'Date',
      'Employee number',
      'Name',
      'Unit',
      'Check-in (WIB)',
      'Check-out (WIB)',
      'Late',
      'Kiosk',
      'Similarity',
      'Liveness',
      'Check-out kiosk',
      'Decided by',
      'Clock flag',
      'Note',
      'Check-in (UTC)',
      'Check-out (UTC)',
    ]);
    expect(rows).toHaveLength(4);
    const byName = Object.fromEntries(rows.slice(1).map((r) => [r[1], r]));
    expect(byName['198501012010012001']).toEqual([
      MON,
      '198501012010012001',
      'Dr. Ani "Nita" Lestari, S.Kom.',
      'Keuangan',
      '07:05:09',
      '16:30:00',
      'no',
      'lobby',
      '0.61234',
      '0.98',
      'gate',
      'face',
      '',
      '',
      '2025-01-06T00:05:09.000Z',
      '2025-01-06T09:30:00.000Z',
    ]);
    expect(byName['199002022015031002'][2]).toBe(`'=HYPERLINK("http://evil")`);
    expect(byName['199002022015031002'][6]).toBe('yes');
    expect(byName['200001012020121003'].slice(0, 7)).toEqual([
      TUE,
      '200001012020121003',
      'Cahyà Ñoviantï',
      'Keuangan',
      '07:15:00',
      '',
      'no',
    ]);
    expect(byName['200001012020121003'][13]).toBe('kiosk offline,\nsee memo');
    expect(new AuditRepo(env.db).list({ action: 'attendance.export' })[0]).toMatchObject({ actor_id: 'siti' });
  });

  it('filters by unit and person', async () => {
    const unit = parseCsv(
      (await svc.export({ from: MON, to: TUE, unit: 'Keuangan' }, 'csv', OPERATOR)).data.toString().slice(1),
    );
    expect(unit.slice(1).map((r) => r[1])).toEqual(['198501012010012001', '200001012020121003']);
    const one = svc.query({ from: MON, to: TUE, employee_number: '199002022015031002' });
    expect(one.map((r) => r.full_name)).toEqual(['=HYPERLINK("http://evil")']);
    expect(svc.query({ from: TUE, to: TUE, person_id: one[0].person_id! })).toEqual([]);
    expect(svc.query({ from: MON, to: TUE, only_late: true }).map((r) => r.employee_number)).toEqual([
      '199002022015031002',
    ]);
    expect(svc.query({ from: MON, to: TUE, only_not_checked_out: true }).map((r) => r.employee_number)).toEqual([
      '199002022015031002',
      '200001012020121003',
    ]);
    await expect(svc.export({ from: TUE, to: MON }, 'csv', OPERATOR)).rejects.toThrow(/after/);
  });

  it('writes XLSX that exceljs reads back: header row, text NIP, numbers, a summary sheet', async () => {
    const { data } = await svc.export({ from: MON, to: TUE }, 'xlsx', OPERATOR);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Attendance')!;
    expect(ws.rowCount).toBe(4);
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 6)).toEqual([
      'Date',
      'Employee number',
      'Name',
      'Unit',
      'Check-in (WIB)',
      'Check-out (WIB)',
    ]);
    const rows = [2, 3, 4].map((i) => (ws.getRow(i).values as unknown[]).slice(1));
    const ani = rows.find((r) => r[1] === '198501012010012001')!;
    expect(typeof ani[1]).toBe('string'); // the NIP stays exact: a text cell, not 1.98501E+17
    expect(ani.slice(0, 10)).toEqual([
      MON,
      '198501012010012001',
      'Dr. Ani "Nita" Lestari, S.Kom.',
      'Keuangan',
      '07:05:09',
      '16:30:00',
      'no',
      'lobby',
      0.61234,
      0.98,
    ]);
    const budi = rows.find((r) => r[1] === '199002022015031002')!;
    expect(budi[2]).toBe('=HYPERLINK("http://evil")'); // a string cell, not a formula
    expect(ws.getRow(3).getCell(3).type).toBe(ExcelJS.ValueType.String);

    const summary = wb.getWorksheet('Summary')!;
    expect((summary.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Date',
      'Holiday',
      'Workday',
      'Active',
      'Present',
      'Late',
      'Absent',
      'On leave',
      'Not checked out',
      'No check-in',
    ]);
    expect((summary.getRow(2).values as unknown[]).slice(1)).toEqual(
      [MON, null, 'yes', 3, 2, 1, 1, 0, 1, 0].map((v) => v ?? undefined),
    );
    expect((summary.getRow(3).values as unknown[]).slice(1, 8)).toEqual([TUE, undefined, 'yes', 3, 1, 0, 2]);
  });
});

describe('export in the reader’s language', () => {
  const headersId = [
    'Tanggal',
    'NIP',
    'Nama',
    'Unit',
    'Masuk (WIB)',
    'Pulang (WIB)',
    'Terlambat',
    'Kios',
    'Kemiripan wajah',
    'Keaslian wajah',
    'Kios pulang',
    'Dicatat lewat',
    'Catatan jam',
    'Keterangan',
    'Masuk (UTC)',
    'Pulang (UTC)',
  ];

  it('writes Indonesian headers, ya/tidak and how it was recorded in CSV', async () => {
    const { data } = await svc.export({ from: MON, to: TUE }, 'csv', OPERATOR, 'id');
    const rows = parseCsv(data.toString('utf8').slice(1));
    expect(rows[0]).toEqual(headersId);
    const byNip = Object.fromEntries(rows.slice(1).map((r) => [r[1], r]));
    expect(byNip['198501012010012001'].slice(4, 7)).toEqual(['07:05:09', '16:30:00', 'tidak']);
    expect(byNip['198501012010012001'][11]).toBe('wajah');
    expect(byNip['199002022015031002'][6]).toBe('ya');
    expect(byNip['200001012020121003'][11]).toBe('operator');
    // The data is never translated: dates and UTC instants stay machine-readable.
    expect(byNip['198501012010012001'][0]).toBe(MON);
    expect(byNip['198501012010012001'][14]).toBe(wib(MON, '07:05:09').toISOString());
  });

  it('writes English when asked: the same columns scripts have always read', async () => {
    const en = (await svc.export({ from: MON, to: TUE }, 'csv', OPERATOR, 'en')).data.toString('utf8');
    const dflt = (await svc.export({ from: MON, to: TUE }, 'csv', OPERATOR)).data.toString('utf8');
    expect(en).toBe(dflt);
    expect(parseCsv(en.slice(1))[0].slice(0, 7)).toEqual([
      'Date',
      'Employee number',
      'Name',
      'Unit',
      'Check-in (WIB)',
      'Check-out (WIB)',
      'Late',
    ]);
  });

  it('names the sheets and the summary in Indonesian in XLSX, read back with exceljs', async () => {
    const { data } = await svc.export({ from: MON, to: TUE }, 'xlsx', OPERATOR, 'id');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Kehadiran', 'Ringkasan']);
    const ws = wb.getWorksheet('Kehadiran')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(headersId);
    const rows = [2, 3, 4].map((i) => (ws.getRow(i).values as unknown[]).slice(1));
    const budi = rows.find((r) => r[1] === '199002022015031002')!;
    expect(budi[6]).toBe('ya');
    const summary = wb.getWorksheet('Ringkasan')!;
    expect((summary.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Tanggal',
      'Hari libur',
      'Hari kerja',
      'Pegawai aktif',
      'Hadir',
      'Terlambat',
      'Tidak hadir',
      'Cuti',
      'Belum absen pulang',
      'Tanpa absen masuk',
    ]);
    expect((summary.getRow(2).values as unknown[]).slice(1, 4)).toEqual([MON, undefined, 'ya']);

    const en = new ExcelJS.Workbook();
    await en.xlsx.load(
      (await svc.export({ from: MON, to: TUE }, 'xlsx', OPERATOR, 'en')).data as unknown as ArrayBuffer,
    );
    expect(en.worksheets.map((w) => w.name)).toEqual(['Attendance', 'Summary']);
    expect(en.getWorksheet('Attendance')!.getRow(1).getCell(5).value).toBe('Check-in (WIB)');
  });

  it('labels times with the zone: WIB, WITA, WIT, else the UTC offset', () => {
    expect(exportHeaders('Asia/Makassar', 'id')[4]).toBe('Masuk (WITA)');
    expect(exportHeaders('Asia/Jayapura', 'en')[5]).toBe('Check-out (WIT)');
    expect(zoneLabel('Asia/Kolkata')).toBe('UTC+05:30');
    expect(zoneLabel('America/Sao_Paulo', new Date('2025-01-06T00:00:00Z'))).toBe('UTC-03:00');
    expect(zoneLabel('Etc/UTC')).toBe('UTC');
    expect(exportHeaders({ of: () => 'Asia/Jakarta' }, 'id')[4]).toBe('Masuk (waktu setempat)');
  });
});
