import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import { resolvePack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { DEFAULT_SCHEDULE } from '../services/schedule';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { createServer } from './server';

/**
 * The language of attendance exports over real HTTP on loopback and a real SQLite file: `lang=id|en`,
 * and the defaults (English for an API key, as scripts have always read; the site's interface
 * language for an operator's session).
 */
const OPERATOR: Actor = { type: 'operator', id: 'siti' };

let pool: InferencePool;
let store: ReturnType<typeof tempDb>;
let services: AppServices;
let app: FastifyInstance;
let base: string;
let readKey: string;
let session: string;
let today: string;

beforeAll(async () => {
  const pack = await resolvePack(undefined);
  pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1 });
  store = tempDb('hadir-export-lang-');
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
  services.attendance.addRecord({ person: ani, localDate: today, checkInAt: '07:10' }, 'test', OPERATOR);
  readKey = services.keys.create('scripts', ['read'], OPERATOR).key;
  const op = await services.operators.create(
    { username: 'siti', displayName: 'Siti', role: 'operator', secret: 'kata sandi panjang' },
    { type: 'cli', id: 'test' },
  );
  session = services.sessions.open(op).token;
  app = await createServer(
    { engine: pool, pack: pack.pack, keys: services.keys, identity: services.faces, services, kiosk: services.kiosk },
    { host: '127.0.0.1', uploadLimitBytes: 1024 * 1024 },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await pool?.close();
  store?.cleanup();
});

const get = (url: string, headers: Record<string, string>) => fetch(`${base}${url}`, { headers });
const key = () => ({ authorization: `Bearer ${readKey}` });
const op = () => ({ 'x-hadir-session': session });

async function csvHeader(r: Response): Promise<string[]> {
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.text())
    .replace(/^\uFEFF/, '')
    .split('\r\n')[0]
    .split(',');
}

describe('attendance export language', () => {
  it('gives an API key English headers by default, and Indonesian with lang=id', async () => {
    expect((await csvHeader(await get('/api/v1/attendance/export?format=csv', key()))).slice(0, 5)).toEqual([
      'Date',
      'Employee number',
      'Name',
      'Unit',
      'Check-in (WIB)',
    ]);
    expect((await csvHeader(await get('/api/v1/attendance?format=csv', key()))).slice(0, 2)).toEqual([
      'Date',
      'Employee number',
    ]);
    expect((await csvHeader(await get('/api/v1/attendance/export?format=csv&lang=id', key()))).slice(0, 6)).toEqual([
      'Tanggal',
      'NIP',
      'Nama',
      'Unit',
      'Masuk (WIB)',
      'Pulang (WIB)',
    ]);
  });

  it('gives an operator the site’s interface language by default, English with lang=en', async () => {
    expect(services.settings.language()).toBe('id');
    expect((await csvHeader(await get('/api/v1/attendance/export?format=csv', op())))[0]).toBe('Tanggal');
    expect((await csvHeader(await get('/api/v1/attendance/export?format=csv&lang=en', op())))[0]).toBe('Date');
    const r = await get('/api/v1/attendance/export?format=xlsx&lang=id', op());
    expect(r.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await r.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Kehadiran', 'Ringkasan']);
    const row = (wb.getWorksheet('Kehadiran')!.getRow(2).values as unknown[]).slice(1);
    expect(row.slice(1, 7)).toEqual(['198501012010012001', 'Ani', 'Keuangan', '07:10:00', undefined, 'tidak']);
  });

  it('refuses a language it does not speak with 400', async () => {
    for (const url of ['/api/v1/attendance/export?format=csv&lang=fr', '/api/v1/attendance?format=csv&lang=de']) {
      const r = await get(url, key());
      expect(r.status).toBe(400);
      const body = (await r.json()) as { error: { code: string } };
      expect(body.error.code).toBe('BAD_REQUEST');
    }
  });
});
