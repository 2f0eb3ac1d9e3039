import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zonedToUtc } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
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
