import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceRecord } from '../../shared/attendance';
import type { Session, SignInOutcome } from '../../shared/contract';
import type { ErrorBody } from '../../shared/http-api';
import type { Actor, Person } from '../../shared/people';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { DEFAULT_SCHEDULE } from '../services/schedule';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { createServer } from './server';

/**
 * POST /api/v1/attendance, PATCH and DELETE /api/v1/attendance/:id over real HTTP on loopback, against
 * the real services and a real SQLite file: what lands in the attendance table and in the audit log
 * (read back through a second connection, as another process would), who may call them, and every
 * refusal's status, code and reason. The engine is a stand-in: nothing here analyses an image.
 */

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

const SYSTEM: Actor = { type: 'cli', id: 'test' };
/** A Monday in the past; the default schedule (Asia/Jakarta, on time until 07:30) applies. */
const MON = '2025-03-03';
const wib = (time: string, date = MON) => new Date(`${date}T${time}:00+07:00`).toISOString();

let store: ReturnType<typeof tempDb>;
let services: AppServices;
let app: FastifyInstance;
let url = '';
let session: Session;
let writeKey = '';
let readKey = '';
let ani: Person;
let budi: Person;
let citra: Person;

beforeAll(async () => {
  store = tempDb('hadir-manual-attendance-');
  services = openAppServices({
    db: store.db,
    engine: idleEngine,
    pack: getPack(undefined),
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
  });
  services.attendance.setSchedule(DEFAULT_SCHEDULE, SYSTEM);
  const people = new PeopleRepo(store.db, () => new Date('2025-01-01T00:00:00Z'));
  ani = people.create({ employeeNumber: '198501012010012001', fullName: 'Ani Lestari', unit: 'Keuangan' });
  budi = people.create({ employeeNumber: '199002022015031002', fullName: 'Budi Santoso', unit: 'Umum' });
  citra = people.create({ employeeNumber: '199203032016042003', fullName: 'Citra Dewi', unit: 'Umum' });
  await services.operators.create(
    { username: 'siti', displayName: 'Siti Petugas', role: 'operator', secret: '472915' },
    SYSTEM,
  );
  writeKey = services.keys.create('simpeg', ['write'], SYSTEM).key;
  readKey = services.keys.create('laporan', ['read'], SYSTEM).key;
  app = await createServer(
    { engine: idleEngine, pack: getPack(undefined), keys: services.keys, identity: null, services, kiosk: null },
    { host: '127.0.0.1', rateLimit: null, signInRateLimit: null },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const signIn = (await (
    await call('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: '472915' })
  ).json()) as SignInOutcome;
  if (signIn.kind !== 'signed_in') throw new Error(`sign-in failed: ${JSON.stringify(signIn)}`);
  session = signIn.session;
}, 120_000);

afterAll(async () => {
  await app?.close();
  store?.cleanup();
});

function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  return fetch(url + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const asOperator = (): Record<string, string> => ({ 'x-hadir-session': session.token });
const withKey = (key: string) => ({ authorization: `Bearer ${key}` });

async function ok<T>(r: Promise<Response>, status = 200): Promise<T> {
  const res = await r;
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

async function refused(r: Promise<Response>, status: number, code: string, reason?: string): Promise<ErrorBody> {
  const res = await r;
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, code: body.error?.code }, JSON.stringify(body)).toEqual({ status, code });
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.request_id).toEqual(expect.any(String));
  if (reason !== undefined) expect(body.error.reason).toBe(reason);
  return body;
}

/** The database as another process sees it. */
function fromFile<T>(sql: string, ...args: unknown[]): T[] {
  const reader = new Database(store.file, { readonly: true, fileMustExist: true });
  try {
    return reader.prepare(sql).all(...args) as T[];
  } finally {
    reader.close();
  }
}

interface AuditRow {
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_id: string | null;
  details: string;
}

const auditOf = (action: string, id: number) =>
  fromFile<AuditRow>(
    'SELECT actor_type, actor_id, action, target_id, details FROM audit_log WHERE action = ? AND target_id = ?',
    action,
    String(id),
  ).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));

const rowsOf = (personId: number) =>
  fromFile<{ id: number; local_date: string; check_in_at: string | null; check_out_at: string | null; note: string }>(
    'SELECT id, local_date, check_in_at, check_out_at, note FROM attendance WHERE person_id = ? ORDER BY id',
    personId,
  );

const countAll = () => fromFile<{ n: number }>('SELECT COUNT(*) AS n FROM attendance')[0].n;

describe('adding a record', () => {
  it('adds an operator’s record by person id, judges lateness, and audits it with the reason', async () => {
    const r = await ok<AttendanceRecord>(
      call('POST', '/api/v1/attendance', asOperator(), {
        personId: ani.id,
        localDate: MON,
        checkIn: '07:40',
        reason: 'Kios mati listrik pagi ini',
      }),
    );
    expect(r).toMatchObject({
      person_id: ani.id,
      employee_number: ani.employee_number,
      local_date: MON,
      check_in_at: wib('07:40'),
      check_out_at: null,
      late: true,
      decided_by: 'operator',
      note: 'Kios mati listrik pagi ini',
    });
    expect(rowsOf(ani.id)).toEqual([
      { id: r.id, local_date: MON, check_in_at: wib('07:40'), check_out_at: null, note: 'Kios mati listrik pagi ini' },
    ]);
    const [entry, ...more] = auditOf('attendance.create', r.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actor_type: 'operator', actor_id: 'siti' });
    expect(entry.details).toMatchObject({
      reason: 'Kios mati listrik pagi ini',
      person_id: ani.id,
      local_date: MON,
      after: { check_in_at: wib('07:40'), check_out_at: null, late: true },
    });
  });

  it('adds by employee number with a `write` key (decided by the API, audited under the key)', async () => {
    const r = await ok<AttendanceRecord>(
      call('POST', '/api/v1/attendance', withKey(writeKey), {
        employeeNumber: budi.employee_number,
        localDate: MON,
        checkOut: '16:10',
        reason: 'Dinas luar, lapor pulang lewat telepon',
      }),
    );
    expect(r).toMatchObject({ person_id: budi.id, check_in_at: null, check_out_at: wib('16:10'), decided_by: 'api' });
    const [entry] = auditOf('attendance.create', r.id);
    expect(entry.actor_type).toBe('api_key');
    expect(entry.details).toMatchObject({ reason: 'Dinas luar, lapor pulang lewat telepon' });
  });

  it('refuses what it cannot record, with a code, a message and a reason, and writes nothing', async () => {
    const before = countAll();
    const add = (body: Record<string, unknown>, headers = asOperator()) =>
      call('POST', '/api/v1/attendance', headers, body);
    const base = { personId: citra.id, localDate: MON, checkIn: '07:10', reason: 'lupa absen' };

    await refused(add({ ...base, personId: 999_999 }), 404, 'NOT_FOUND', 'person_not_found');
    const { personId: _, ...byNumber } = base;
    void _;
    await refused(add({ ...byNumber, employeeNumber: '000000000000000000' }), 404, 'NOT_FOUND', 'person_not_found');
    await refused(add({ ...base, employeeNumber: citra.employee_number }), 400, 'BAD_REQUEST');
    await refused(add(byNumber), 400, 'BAD_REQUEST');
    // A time that is not "HH:MM" on a 24-hour clock, a day that does not exist.
    for (const checkIn of ['24:00', '7:10', '07.10', '07:10:00', 'pagi']) {
      await refused(add({ ...base, checkIn }), 400, 'BAD_REQUEST');
    }
    await refused(add({ ...base, localDate: '2025-02-30' }), 400, 'BAD_REQUEST');
    // No reason, or only spaces: said so, in words a screen can translate.
    const { reason: __, ...noReason } = base;
    void __;
    const missing = await refused(add(noReason), 400, 'BAD_REQUEST');
    expect(missing.error.message).toMatch(/reason/);
    const blank = await refused(add({ ...base, reason: '   ' }), 400, 'BAD_REQUEST', 'attendance_reason_required');
    expect(blank.error.message).toMatch(/reason is required/);
    await refused(add({ ...base, checkIn: undefined }), 400, 'BAD_REQUEST', 'attendance_time_required');
    await refused(add({ ...base, checkOut: '06:00' }), 400, 'BAD_REQUEST', 'attendance_out_before_in');
    // Ani has a record that day: correct it instead.
    const exists = await refused(add({ ...base, personId: ani.id }), 400, 'BAD_REQUEST', 'attendance_day_exists');
    expect(exists.error.params).toEqual({ employee_number: ani.employee_number, date: MON });
    // Who may: not a `read` key, not nobody.
    await refused(add(base, withKey(readKey)), 403, 'FORBIDDEN');
    await refused(add(base, {}), 401, 'UNAUTHORIZED');
    expect(countAll()).toBe(before);
    expect(rowsOf(citra.id)).toEqual([]);
  });
});

describe('correcting a record', () => {
  it('moves the check-in, judges lateness again, and audits before, after and the reason', async () => {
    const [rec] = rowsOf(ani.id);
    const r = await ok<AttendanceRecord>(
      call('PATCH', `/api/v1/attendance/${rec.id}`, asOperator(), {
        checkIn: '07:20',
        reason: 'Antre di kios, dicek lewat CCTV',
      }),
    );
    expect(r).toMatchObject({
      id: rec.id,
      check_in_at: wib('07:20'),
      late: false,
      note: 'Antre di kios, dicek lewat CCTV',
    });
    expect(rowsOf(ani.id)[0]).toMatchObject({ check_in_at: wib('07:20'), note: 'Antre di kios, dicek lewat CCTV' });
    const [entry] = auditOf('attendance.correct', rec.id);
    expect(entry).toMatchObject({ actor_type: 'operator', actor_id: 'siti' });
    expect(entry.details).toMatchObject({
      reason: 'Antre di kios, dicek lewat CCTV',
      changes: {
        check_in_at: { before: wib('07:40'), after: wib('07:20') },
        late: { before: true, after: false },
      },
    });
  });

  it('turns a check-in into a check-out (null clears a time)', async () => {
    const [rec] = rowsOf(ani.id);
    const r = await ok<AttendanceRecord>(
      call('PATCH', `/api/v1/attendance/${rec.id}`, withKey(writeKey), {
        checkIn: null,
        checkOut: '16:05',
        reason: 'Tercatat masuk, padahal pulang',
      }),
    );
    expect(r).toMatchObject({ check_in_at: null, check_out_at: wib('16:05'), late: false });
    expect(auditOf('attendance.correct', rec.id)).toHaveLength(2);
  });

  it('refuses an unknown record, a bad time, no reason and a record left without times', async () => {
    const [rec] = rowsOf(ani.id);
    const patch = (id: number, body: Record<string, unknown>, headers = asOperator()) =>
      call('PATCH', `/api/v1/attendance/${id}`, headers, body);
    await refused(patch(999_999, { checkIn: '07:00', reason: 'x' }), 404, 'NOT_FOUND', 'attendance_not_found');
    await refused(patch(rec.id, { checkIn: '31:00', reason: 'x' }), 400, 'BAD_REQUEST');
    await refused(patch(rec.id, { checkIn: '07:00' }), 400, 'BAD_REQUEST');
    await refused(patch(rec.id, { checkIn: '07:00', reason: '' }), 400, 'BAD_REQUEST');
    await refused(
      patch(rec.id, { checkIn: '07:00', reason: ' \t ' }),
      400,
      'BAD_REQUEST',
      'attendance_reason_required',
    );
    await refused(patch(rec.id, { reason: 'nothing to change' }), 400, 'BAD_REQUEST', 'attendance_time_required');
    await refused(
      patch(rec.id, { checkOut: null, reason: 'leaves no time' }),
      400,
      'BAD_REQUEST',
      'attendance_time_required',
    );
    await refused(patch(rec.id, { checkIn: '17:00', reason: 'after the check-out' }), 400, 'BAD_REQUEST');
    await refused(patch(rec.id, { checkIn: '07:00', reason: 'x' }, withKey(readKey)), 403, 'FORBIDDEN');
    expect(rowsOf(ani.id)[0]).toMatchObject({ check_in_at: null, check_out_at: wib('16:05') });
  });
});

describe('voiding a record', () => {
  it('needs a reason and an existing record', async () => {
    const [rec] = rowsOf(budi.id);
    await refused(call('DELETE', `/api/v1/attendance/${rec.id}`, asOperator()), 400, 'BAD_REQUEST');
    await refused(
      call('DELETE', `/api/v1/attendance/${rec.id}?reason=${encodeURIComponent('  ')}`, asOperator()),
      400,
      'BAD_REQUEST',
      'attendance_reason_required',
    );
    await refused(call('DELETE', '/api/v1/attendance/999999?reason=salah', asOperator()), 404, 'NOT_FOUND');
    await refused(call('DELETE', `/api/v1/attendance/${rec.id}?reason=x`, withKey(readKey)), 403, 'FORBIDDEN');
    expect(rowsOf(budi.id)).toHaveLength(1);
  });

  it('deletes the record and keeps all of it, with the reason, in the audit log', async () => {
    const [rec] = rowsOf(budi.id);
    const reason = 'Salah kenali: yang absen orang lain';
    await ok(call('DELETE', `/api/v1/attendance/${rec.id}?reason=${encodeURIComponent(reason)}`, asOperator()), 204);
    expect(rowsOf(budi.id)).toEqual([]);
    const [entry] = auditOf('attendance.delete', rec.id);
    expect(entry).toMatchObject({ actor_type: 'operator', actor_id: 'siti' });
    expect(entry.details).toMatchObject({
      reason,
      person_id: budi.id,
      before: { id: rec.id, employee_number: budi.employee_number, check_out_at: wib('16:10') },
    });
    await refused(
      call('DELETE', `/api/v1/attendance/${rec.id}?reason=again`, asOperator()),
      404,
      'NOT_FOUND',
      'attendance_not_found',
    );
  });
});
