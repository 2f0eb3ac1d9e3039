import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendancePage } from '../../shared/contract';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { AttendanceRepo } from '../store/attendance-repo';
import { AuditRepo } from '../store/audit-repo';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { createServer } from './server';

/**
 * A year-sized attendance table (25,000 records: 1,000 people × 25 days, written person by person so
 * ids do not follow the days) read over real HTTP on loopback from a real SQLite file: the list comes
 * in bounded keyset pages that add up to every record exactly once, even while records are added, and
 * the CSV/XLSX exports stream (bytes arrive while the file is still being built) and parse back whole.
 */

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

const SYSTEM = { type: 'cli' as const, id: 'test' };
const PEOPLE = 1000;
const DAYS = 25;
const FROM = '2025-03-01';
const TO = '2025-03-25';
const day = (i: number) => `2025-03-${String(i + 1).padStart(2, '0')}`;

let store: ReturnType<typeof tempDb>;
let services: AppServices;
let app: FastifyInstance;
let url = '';
let key = '';
let allIds: Set<number>;

beforeAll(async () => {
  store = tempDb('hadir-paging-');
  services = openAppServices({
    db: store.db,
    engine: idleEngine,
    pack: getPack(undefined),
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
  });
  const people = new PeopleRepo(store.db, () => new Date('2025-01-01T00:00:00Z'));
  const repo = new AttendanceRepo(store.db);
  store.db.transaction(() => {
    for (let p = 0; p < PEOPLE; p++) {
      const person = people.create({
        employeeNumber: `19850101201001${String(p).padStart(4, '0')}`,
        fullName: `Pegawai ${p}`,
        unit: p % 2 ? 'Keuangan' : 'Umum',
      });
      for (let d = DAYS - 1; d >= 0; d--) {
        const date = day(d);
        repo.insert({
          person_id: person.id,
          employee_number: person.employee_number,
          full_name: person.full_name,
          unit: person.unit,
          local_date: date,
          check_in_at: `${date}T00:${String(p % 60).padStart(2, '0')}:00.000Z`,
          check_out_at: null,
          late: p % 7 === 0,
          kiosk_id: 'lobby',
          similarity: 0.6,
          liveness: 0.97,
          check_out_kiosk_id: null,
          check_out_similarity: null,
          check_out_liveness: null,
          decided_by: 'face',
          clock_flag: null,
          note: null,
          at: `${date}T00:00:00.000Z`,
        });
      }
    }
  })();
  allIds = new Set(services.attendance.query({ from: FROM, to: TO }).map((r) => r.id));
  expect(allIds.size).toBe(PEOPLE * DAYS);
  key = services.keys.create('hr', ['read'], SYSTEM).key;
  app = await createServer(
    { engine: idleEngine, pack: getPack(undefined), keys: services.keys, identity: null, services, kiosk: null },
    { host: '127.0.0.1', rateLimit: null },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  store?.cleanup();
});

const get = (path: string) => fetch(url + path, { headers: { 'x-api-key': key } });

async function page(query: string): Promise<AttendancePage> {
  const r = await get(`/api/v1/attendance?${query}`);
  expect(r.status).toBe(200);
  return (await r.json()) as AttendancePage;
}

describe('the attendance list', () => {
  it('answers 100 records by default, and at most 1000', async () => {
    const first = await page(`from=${FROM}&to=${TO}`);
    expect(first.records).toHaveLength(100);
    expect(first.next_cursor).toEqual(expect.any(String));
    for (const limit of ['0', '1001']) {
      const r = await get(`/api/v1/attendance?from=${FROM}&to=${TO}&limit=${limit}`);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    const forged = await get(`/api/v1/attendance?from=${FROM}&to=${TO}&cursor=bm90LWEtY3Vyc29y`);
    expect(forged.status).toBe(400);
    // Paging is for the JSON list: an export holds everything.
    expect((await get(`/api/v1/attendance/export?format=csv&from=${FROM}&limit=10`)).status).toBe(400);
  });

  it('pages through all 25,000 records once each, in (day, id) order, while records are added', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let added: number | null = null;
    let last = '';
    do {
      const p: AttendancePage = await page(
        `from=${FROM}&to=${TO}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(p.records.length).toBeLessThanOrEqual(1000);
      for (const r of p.records) {
        const k = `${r.local_date}|${String(r.id).padStart(10, '0')}`;
        expect(k > last).toBe(true);
        last = k;
        seen.push(r.id);
      }
      cursor = p.next_cursor;
      if (++pages === 3) {
        // Someone checks in on the last day while HR reads: a record beyond the cursor, read once.
        const person = new PeopleRepo(store.db).create({ employeeNumber: 'LATE-1', fullName: 'Baru', unit: null });
        added = services.attendance.addRecord(
          { person, localDate: TO, checkInAt: '08:00' },
          'forgot the card',
          SYSTEM,
        ).id;
      }
    } while (cursor);
    expect(pages).toBe(26); // 25,001 records
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set([...allIds, added!]));
    allIds.add(added!);
  });
});

describe('attendance exports stream', () => {
  /** Read a reply as it arrives: when the first bytes came, how many reads, the whole body. */
  async function timed(path: string): Promise<{ firstMs: number; totalMs: number; reads: number; body: Buffer }> {
    const t0 = performance.now();
    const r = await get(path);
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    const parts: Uint8Array[] = [];
    let firstMs = -1;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (firstMs < 0) firstMs = performance.now() - t0;
      parts.push(value);
    }
    return { firstMs, totalMs: performance.now() - t0, reads: parts.length, body: Buffer.concat(parts) };
  }

  it('sends CSV as it reads the records, and every record arrives', async () => {
    const r = await timed(`/api/v1/attendance/export?format=csv&from=${FROM}&to=${TO}`);
    // 25,001 records in chunks of 500 with the event loop free between them: many pieces, the first early.
    expect(r.reads).toBeGreaterThanOrEqual(10);
    expect(r.firstMs).toBeLessThan(r.totalMs / 2);
    const lines = r.body.toString('utf8').split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0].charCodeAt(0)).toBe(0xfeff);
    expect(lines.length - 2).toBe(allIds.size);
    const audit = new AuditRepo(store.db).list({ action: 'attendance.export' })[0];
    expect(audit.details).toMatchObject({ format: 'csv', records: allIds.size, complete: true });
  }, 60_000);

  it('sends XLSX from the streaming writer, and it parses back to every record', async () => {
    const r = await timed(`/api/v1/attendance/export?format=xlsx&from=${FROM}&to=${TO}`);
    expect(r.reads).toBeGreaterThanOrEqual(10);
    expect(r.firstMs).toBeLessThan(r.totalMs / 2);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Attendance')!;
    expect(ws.rowCount).toBe(allIds.size + 1);
    expect(typeof ws.getRow(2).getCell(2).value).toBe('string'); // the NIP stays text
    expect(wb.getWorksheet('Summary')!.rowCount).toBe(DAYS + 1);
  }, 60_000);
});
