import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceService } from '../services/attendance-service';
import { DEFAULT_SCHEDULE } from '../services/schedule';
import { AuditRepo } from '../store/audit-repo';
import { openDb } from '../store/db';
import { PeopleRepo } from '../store/people-repo';
import { repoRoot } from '../testing/paths';

let dataDir: string;
let dbFile: string;

function hadir(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), ...args], {
    cwd: dataDir,
    env: { ...process.env, HADIR_DATA_DIR: dataDir },
    input: Buffer.from(input ?? ''),
    encoding: 'buffer',
  });
  return { code: r.status, stdout: r.stdout, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

function withDb<T>(fn: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb({ file: dbFile });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-cli-'));
  dbFile = path.join(dataDir, 'hadir.db');
  withDb((db) => {
    const people = new PeopleRepo(db, () => new Date('2025-01-01T00:00:00Z'));
    const ani = people.create({ employeeNumber: '198501012010012001', fullName: 'Ani, S.E.', unit: 'Keuangan' });
    const budi = people.create({ employeeNumber: '199002022015031002', fullName: 'Budi', unit: 'Umum' });
    const svc = new AttendanceService({ db, schedule: DEFAULT_SCHEDULE });
    const op = { type: 'operator' as const, id: 'siti' };
    svc.addRecord({ person: ani, localDate: '2025-01-06', checkInAt: '07:10', checkOutAt: '16:00' }, 'seed', op);
    svc.addRecord({ person: budi, localDate: '2025-01-06', checkInAt: '07:50' }, 'seed', op);
    svc.addRecord({ person: ani, localDate: '2025-01-08', checkInAt: '07:00' }, 'seed', op);
  });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('hadir attendance commands', () => {
  it('export writes CSV to stdout and XLSX to a file, filtered by date, unit and person', async () => {
    const csv = hadir(['export', '--from', '2025-01-06', '--to', '2025-01-07', '--format', 'csv']);
    expect(csv.err).toBe('');
    expect(csv.code).toBe(0);
    expect([...csv.stdout.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.out.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Date,Employee number,Name,Unit,Check-in \(WIB\),Check-out \(WIB\),Late,/);
    expect(lines[1]).toMatch(/^2025-01-06,198501012010012001,"Ani, S.E.",Keuangan,07:10:00,16:00:00,no,/);
    expect(lines[2]).toMatch(/^2025-01-06,199002022015031002,Budi,Umum,07:50:00,,yes,/);

    const unit = hadir([
      'export',
      '--from',
      '2025-01-01',
      '--to',
      '2025-01-31',
      '--unit',
      'Keuangan',
      '--person',
      '198501012010012001',
    ]);
    expect(unit.out.slice(1).trimEnd().split('\r\n')).toHaveLength(3);

    const out = path.join(dataDir, 'januari.xlsx');
    const x = hadir(['export', '--from', '2025-01-06', '--to', '2025-01-08', '--out', out]);
    expect(x.code).toBe(0);
    expect(x.err).toMatch(/3 records written/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Attendance')!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(1).getCell(1).value).toBe('Date');
    expect(ws.getRow(4).getCell(2).value).toBe('198501012010012001');
    expect(wb.getWorksheet('Summary')!.rowCount).toBe(4);
    expect(withDb((db) => new AuditRepo(db).list({ action: 'attendance.export' })).length).toBe(3);

    for (const bad of [
      ['export', '--from', '2025-01-06'],
      ['export', '--from', '2025-01-06', '--to', '2025-01-06', '--format', 'pdf'],
    ]) {
      const r = hadir(bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.err).toMatch(/usage: hadir export/);
    }
  });

  it('export --lang id writes Indonesian headers and yes/no; --lang refuses other languages', async () => {
    const csv = hadir(['export', '--from', '2025-01-06', '--to', '2025-01-06', '--lang', 'id']);
    expect(csv.code).toBe(0);
    const lines = csv.out.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^Tanggal,NIP,Nama,Unit,Masuk \(WIB\),Pulang \(WIB\),Terlambat,/);
    expect(lines[2]).toMatch(/^2025-01-06,199002022015031002,Budi,Umum,07:50:00,,ya,/);
    const out = path.join(dataDir, 'kehadiran.xlsx');
    expect(hadir(['export', '--from', '2025-01-06', '--to', '2025-01-06', '--lang', 'id', '--out', out]).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Kehadiran', 'Ringkasan']);
    const bad = hadir(['export', '--from', '2025-01-06', '--to', '2025-01-06', '--lang', 'fr']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--lang must be en or id/);
  });

  it('keys create / list / revoke', () => {
    const created = hadir(['keys', 'create', '--name', 'sync', '--scopes', 'read,write']);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^hadir_/);
    const list = hadir(['keys', 'list', '--json']);
    const [info] = list.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; prefix: string; scopes: string[] });
    expect(info).toMatchObject({ prefix: key.slice(0, 14), scopes: ['read', 'write'] });
    expect(list.out).not.toContain(key);
    expect(hadir(['keys', 'revoke', String(info.id)]).out).toMatch(/revoked/);
    expect(hadir(['keys', 'create', '--name', 'x', '--scopes', 'root']).code).toBe(1);
    expect(hadir(['keys', 'frob']).code).toBe(2);
  });

  it('operators add reads the secret from stdin, never argv', () => {
    const r = hadir(
      ['operators', 'add', '--username', 'siti', '--role', 'admin', '--display-name', 'Siti Rahma'],
      '482913\n',
    );
    expect(r.err).toBe('');
    expect(r.out).toMatch(/operator 1 "siti" \(admin\) created/);
    expect(hadir(['operators', 'add', '--username', 'budi', '--role', 'operator'], '123\n').err).toMatch(/6 digits/);
    expect(hadir(['operators', 'list']).out).toMatch(/siti\tadmin\tSiti Rahma\tactive/);
  });

  it('backup into a folder with pruning, then restore --yes keeping the old database aside', () => {
    const folder = path.join(dataDir, 'backups');
    const old = path.join(folder, 'hadir-backup-20000101T000000Z.db');
    const b = hadir(['backup', `${folder}/`, '--prune-older-than', '30']);
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    const [file] = readdirSync(folder);
    expect(file).toMatch(/^hadir-backup-\d{8}T\d{6}Z\.db$/);
    writeFileSync(old, 'old');
    expect(hadir(['backup', folder, '--prune-older-than', '30']).out).toContain(`deleted ${old}`);
    expect(existsSync(old)).toBe(false);

    withDb((db) => new PeopleRepo(db).create({ employeeNumber: '3', fullName: 'Citra' }));
    expect(hadir(['restore', path.join(folder, file)]).code).toBe(2); // no --yes
    const r = hadir(['restore', path.join(folder, file), '--yes']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/the previous database is kept at .*hadir\.db\.before-restore-/);
    expect(withDb((db) => new PeopleRepo(db).list().map((p) => p.full_name))).toEqual(['Ani, S.E.', 'Budi']);
  });

  it('purge and person-data', () => {
    const p = hadir(['purge', '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.out)).toMatchObject({ attendance: 0, audit: 0 });
    const d = hadir(['person-data', '198501012010012001']);
    expect(d.code).toBe(0);
    const data = JSON.parse(d.out) as { person: { full_name: string }; attendance: unknown[] };
    expect(data.person.full_name).toBe('Ani, S.E.');
    expect(data.attendance).toHaveLength(2);
    expect(hadir(['person-data', 'nobody']).err).toMatch(/NOT_FOUND/);
  });
});
