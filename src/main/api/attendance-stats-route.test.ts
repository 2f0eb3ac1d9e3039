import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceStats } from '../../shared/attendance';
import { addDays, localParts } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import { resolvePack, type ResolvedPack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { DEFAULT_SCHEDULE } from '../services/schedule';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { createServer } from './server';

/**
 * GET /api/v1/attendance/stats over the real server and a real SQLite file: operator access (a `read`
 * key), the defaults (the 30 days up to today), the counts, and the refusals.
 */
const OPERATOR: Actor = { type: 'operator', id: 'siti' };

let pack: ResolvedPack;
let pool: InferencePool;
let store: ReturnType<typeof tempDb>;
let services: AppServices;
let app: FastifyInstance;
let readKey: string;
let today: string;

beforeAll(async () => {
  pack = await resolvePack(undefined);
  pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1 });
  store = tempDb('hadir-stats-');
  services = openAppServices({
    db: store.db,
    engine: pool,
    pack: pack.pack,
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
  });
  services.attendance.setSchedule(DEFAULT_SCHEDULE, OPERATOR);
  today = localParts(new Date(), DEFAULT_SCHEDULE.timeZone).date;
  const people = new PeopleRepo(store.db, () => new Date('2020-01-01T00:00:00Z'));
  const ani = people.create({ employeeNumber: '198501012010012001', fullName: 'Ani', unit: 'Keuangan' });
  const budi = people.create({ employeeNumber: '199002022015031002', fullName: 'Budi', unit: 'Umum' });
  services.attendance.addRecord({ person: ani, localDate: today, checkInAt: '07:10' }, 'test', OPERATOR);
  services.attendance.addRecord({ person: budi, localDate: today, checkInAt: '08:05', late: true }, 'test', OPERATOR);
  readKey = services.keys.create('charts', ['read'], OPERATOR).key;
  app = await createServer(
    { engine: pool, pack: pack.pack, keys: services.keys, identity: services.faces, services, kiosk: services.kiosk },
    { host: '127.0.0.1', uploadLimitBytes: 1024 * 1024 },
  );
});

afterAll(async () => {
  await app?.close();
  await pool?.close();
  store?.cleanup();
});

const get = (url: string, key: string | null = readKey) =>
  app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('GET /api/v1/attendance/stats', () => {
  it('counts the 30 days up to today by default, and today’s arrivals per 15 minutes', async () => {
    const r = await get('/api/v1/attendance/stats');
    expect(r.statusCode).toBe(200);
    const stats = r.json<AttendanceStats>();
    expect(stats.from).toBe(addDays(today, -29));
    expect(stats.to).toBe(today);
    expect(stats.days).toHaveLength(30);
    expect(stats.days.at(-1)).toMatchObject({ date: today, present: 2, on_time: 1, late: 1 });
    const counted = Object.fromEntries(stats.arrivals.bins.filter((b) => b.count > 0).map((b) => [b.start, b.count]));
    expect(counted).toEqual({ '07:00': 1, '08:00': 1 });
    expect(stats.arrivals.bin_minutes).toBe(15);
    // Counts only: no record and no name travels.
    expect(r.body).not.toMatch(/Ani|Budi|198501012010012001/);
  });

  it('filters by unit and takes an explicit range', async () => {
    const r = await get(`/api/v1/attendance/stats?from=${addDays(today, -6)}&to=${today}&unit=Umum`);
    expect(r.statusCode).toBe(200);
    const stats = r.json<AttendanceStats>();
    expect(stats.days).toHaveLength(7);
    expect(stats.unit).toBe('Umum');
    expect(stats.days.at(-1)).toMatchObject({ present: 1, on_time: 0, late: 1 });
  });

  it('needs an operator or a read key, and refuses a bad range', async () => {
    expect((await get('/api/v1/attendance/stats', null)).statusCode).toBe(401);
    expect((await get(`/api/v1/attendance/stats?from=${today}&to=${addDays(today, -1)}`)).statusCode).toBe(400);
    expect((await get(`/api/v1/attendance/stats?from=2000-01-01&to=${today}`)).statusCode).toBe(400);
    expect((await get('/api/v1/attendance/stats?to=2025-02-30')).statusCode).toBe(400);
  });
});
