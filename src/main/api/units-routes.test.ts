import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../shared/people';
import type { UnitInfo } from '../../shared/units';
import { resolvePack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { tempDb } from '../testing/temp-db';
import { createServer } from './server';

/**
 * The managed unit list over real HTTP on loopback and a real SQLite file: list, add (an existing
 * name in another case is that unit), rename (people follow; a taken name is 409), delete (409 while
 * people are in it), and who may do it.
 */
let pool: InferencePool;
let store: ReturnType<typeof tempDb>;
let services: AppServices;
let app: FastifyInstance;
let base: string;
let session: string;
let readKey: string;

beforeAll(async () => {
  const pack = await resolvePack(undefined);
  pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1 });
  store = tempDb('hadir-units-api-');
  services = openAppServices({
    db: store.db,
    engine: pool,
    pack: pack.pack,
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
  });
  const cli = { type: 'cli' as const, id: 'test' };
  readKey = services.keys.create('reader', ['read'], cli).key;
  const op = await services.operators.create(
    { username: 'siti', displayName: 'Siti', role: 'operator', secret: 'kata sandi panjang' },
    cli,
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

function call(method: string, url: string, body?: unknown, auth: Record<string, string> | null = null) {
  const headers: Record<string, string> = auth ?? { 'x-hadir-session': session };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${base}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function expectError(r: Promise<Response>, status: number, code: string): Promise<void> {
  const res = await r;
  const b = (await res.json()) as { error: { code: string; message: string }; request_id: string };
  expect({ status: res.status, code: b.error.code }).toEqual({ status, code });
  expect(b.error.message.length).toBeGreaterThan(0);
  expect(b.request_id).toBeTruthy();
}

describe('units API', () => {
  it('adds units, answering an existing name in another case with the list’s spelling', async () => {
    const first = await call('POST', '/api/v1/units', { name: '  Keuangan ' });
    expect(first.status).toBe(201);
    const keu = (await first.json()) as UnitInfo;
    expect(keu).toMatchObject({ name: 'Keuangan', people: 0 });
    const again = await call('POST', '/api/v1/units', { name: 'KEUANGAN' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(keu);

    // A person saved with "keuangan" joins "Keuangan"; one with a new unit adds it to the list.
    const ani = await call('POST', '/api/v1/people', { employee_number: '1001', full_name: 'Ani', unit: 'keuangan' });
    expect(ani.ok, await ani.clone().text()).toBe(true);
    const body = (await ani.json()) as { person?: Person } & Partial<Person>;
    expect((body.person ?? body).unit).toBe('Keuangan');
    const budi = await call('POST', '/api/v1/people', { employee_number: '1002', full_name: 'Budi', unit: 'Umum' });
    expect(budi.ok).toBe(true);

    const names = await call('GET', '/api/v1/units', undefined, { authorization: `Bearer ${readKey}` });
    expect(await names.json()).toEqual(['Keuangan', 'Umum']);
    const details = (await (await call('GET', '/api/v1/units/details')).json()) as UnitInfo[];
    expect(details.map((u) => [u.name, u.people])).toEqual([
      ['Keuangan', 1],
      ['Umum', 1],
    ]);
  });

  it('renames a unit (its people follow) and refuses a name another unit has with 409', async () => {
    const details = (await (await call('GET', '/api/v1/units/details')).json()) as UnitInfo[];
    const umum = details.find((u) => u.name === 'Umum')!;
    const r = await call('PATCH', `/api/v1/units/${umum.id}`, { name: 'Bagian  Umum' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: umum.id, name: 'Bagian Umum', people: 1 });
    const people = (await (await call('GET', '/api/v1/people')).json()) as { items: Person[] };
    expect(people.items.find((p) => p.employee_number === '1002')!.unit).toBe('Bagian Umum');
    await expectError(call('PATCH', `/api/v1/units/${umum.id}`, { name: 'keuangan' }), 409, 'CONFLICT');
    await expectError(call('PATCH', '/api/v1/units/9999', { name: 'Lain' }), 404, 'NOT_FOUND');
    await expectError(call('PATCH', `/api/v1/units/${umum.id}`, { name: '   ' }), 400, 'BAD_REQUEST');
  });

  it('deletes only an empty unit: 409 while people are in it', async () => {
    const details = (await (await call('GET', '/api/v1/units/details')).json()) as UnitInfo[];
    const keu = details.find((u) => u.name === 'Keuangan')!;
    await expectError(call('DELETE', `/api/v1/units/${keu.id}`), 409, 'CONFLICT');
    const empty = (await (await call('POST', '/api/v1/units', { name: 'Kosong' })).json()) as UnitInfo;
    expect((await call('DELETE', `/api/v1/units/${empty.id}`)).status).toBe(204);
    await expectError(call('DELETE', `/api/v1/units/${empty.id}`), 404, 'NOT_FOUND');
  });

  it('needs a session (or a write key) to change the list', async () => {
    await expectError(call('POST', '/api/v1/units', { name: 'X' }, {}), 401, 'UNAUTHORIZED');
    await expectError(
      call('POST', '/api/v1/units', { name: 'X' }, { authorization: `Bearer ${readKey}` }),
      403,
      'FORBIDDEN',
    );
    await expectError(call('POST', '/api/v1/units', { nama: 'X' }), 400, 'BAD_REQUEST');
  });
});
