import { describe, expect, it } from 'vitest';
import { CONTRACT_METHODS, HTTP_ROUTES } from './contract';
import { MAX_IMAGE_BYTES, REQUEST_VALIDATORS, validateIpcEnvelope } from './contract-validation';
import { HadirError } from './errors';
import { IPC_CHANNELS } from './ipc-channels';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HadirError);
    expect((e as HadirError).code).toBe('BAD_REQUEST');
    return (e as HadirError).message;
  }
  throw new Error('expected a refusal');
}

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]).buffer;
const schedule = {
  timeZone: 'Asia/Jakarta',
  week: {
    sun: null,
    mon: { checkIn: ['06:00', '10:00'], onTimeUntil: '07:30', checkOut: ['15:30', '20:00'] },
    tue: null,
    wed: null,
    thu: null,
    fri: null,
    sat: null,
  },
  cooldownSeconds: 60,
  recordOnHolidays: false,
  recordOnLeave: false,
};

describe('the contract tables', () => {
  it('every method has one IPC channel, one HTTP route and one validator', () => {
    expect(Object.keys(IPC_CHANNELS).sort()).toEqual([...CONTRACT_METHODS].sort());
    expect(Object.keys(REQUEST_VALIDATORS).sort()).toEqual([...CONTRACT_METHODS].sort());
  });

  it('channel names are unique', () => {
    const names = Object.values(IPC_CHANNELS);
    expect(new Set(names).size).toBe(names.length);
  });

  it('HTTP routes are unique per verb and path, except the documented PATCH on a person', () => {
    const seen = new Map<string, string[]>();
    for (const [method, route] of Object.entries(HTTP_ROUTES)) {
      const key = `${route.method} ${route.path}`;
      seen.set(key, [...(seen.get(key) ?? []), method]);
    }
    const shared = [...seen.entries()].filter(([, methods]) => methods.length > 1);
    expect(shared).toEqual([['PATCH /api/v1/people/:id', ['updatePerson', 'setPersonActive']]]);
  });

  it('every route lives under /api/v1', () => {
    for (const route of Object.values(HTTP_ROUTES)) expect(route.path).toMatch(/^\/api\/v1\//);
  });
});

describe('request validation', () => {
  it('accepts a kiosk frame and copies a typed-array view into an ArrayBuffer', () => {
    const view = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4);
    const req = REQUEST_VALIDATORS.submitFrame(
      { kioskId: 'kiosk-1', jpeg: view, width: 640, height: 480, mirrored: false },
      '',
    );
    expect(req.jpeg).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(req.jpeg)]).toEqual([2, 3, 4]);
  });

  it('refuses mirrored frames, empty or oversized images, and odd sizes', () => {
    const frame = { kioskId: 'k', jpeg, width: 640, height: 480, mirrored: false };
    expect(refusal(() => REQUEST_VALIDATORS.submitFrame({ ...frame, mirrored: true }, ''))).toContain('mirrored');
    expect(refusal(() => REQUEST_VALIDATORS.submitFrame({ ...frame, jpeg: new ArrayBuffer(0) }, ''))).toContain('jpeg');
    expect(
      refusal(() => REQUEST_VALIDATORS.submitFrame({ ...frame, jpeg: new ArrayBuffer(MAX_IMAGE_BYTES + 1) }, '')),
    ).toContain('at most');
    expect(refusal(() => REQUEST_VALIDATORS.submitFrame({ ...frame, width: 0 }, ''))).toContain('width');
    expect(refusal(() => REQUEST_VALIDATORS.submitFrame({ ...frame, height: 2.5 }, ''))).toContain('height');
    expect(refusal(() => REQUEST_VALIDATORS.submitFrame({ ...frame, jpeg: 'abc' }, ''))).toContain('binary');
    expect(refusal(() => REQUEST_VALIDATORS.submitFrame({ ...frame, kioskId: '../x' }, ''))).toContain('kioskId');
  });

  it('refuses unknown fields (a page cannot smuggle a role or a person id in)', () => {
    expect(refusal(() => REQUEST_VALIDATORS.signIn({ username: 'a', secret: 'b', role: 'admin' }, ''))).toContain(
      'role',
    );
    expect(refusal(() => REQUEST_VALIDATORS.getStatus({ x: 1 }, ''))).toContain('no payload');
  });

  it('refuses objects that are not plain (prototype tricks)', () => {
    const tricky = Object.create({ username: 'a', secret: 'b' }) as object;
    expect(refusal(() => REQUEST_VALIDATORS.signIn(tricky, ''))).toContain('plain object');
    expect(refusal(() => REQUEST_VALIDATORS.signIn([], ''))).toContain('object');
  });

  it('deleting needs confirm: true', () => {
    expect(REQUEST_VALIDATORS.deletePerson({ id: 3, confirm: true, eraseAttendance: false }, '')).toEqual({
      id: 3,
      confirm: true,
      eraseAttendance: false,
    });
    expect(
      refusal(() => REQUEST_VALIDATORS.deletePerson({ id: 3, confirm: false, eraseAttendance: false }, '')),
    ).toContain('confirm');
    expect(
      refusal(() => REQUEST_VALIDATORS.deletePerson({ id: 0, confirm: true, eraseAttendance: false }, '')),
    ).toContain('id');
  });

  it('commit takes either an existing person or new fields, and needs consent', () => {
    const consent = { given: true, method: 'signed_form' };
    expect(
      REQUEST_VALIDATORS.commitEnrollment({ sessionId: 's1', person: { personId: 4 }, consent }, '').person,
    ).toEqual({
      personId: 4,
    });
    const created = REQUEST_VALIDATORS.commitEnrollment(
      {
        sessionId: 's1',
        person: { create: { employee_number: '198001012005011001', full_name: 'Dr. Siti, M.Si.', unit: null } },
        consent,
      },
      '',
    );
    expect(created.person).toEqual({
      create: { employee_number: '198001012005011001', full_name: 'Dr. Siti, M.Si.', unit: null },
    });
    expect(
      refusal(() =>
        REQUEST_VALIDATORS.commitEnrollment(
          { sessionId: 's1', person: { personId: 4 }, consent: { given: false, method: 'verbal' } },
          '',
        ),
      ),
    ).toContain('consent.given');
    expect(refusal(() => REQUEST_VALIDATORS.commitEnrollment({ sessionId: 's1', person: {}, consent }, ''))).toContain(
      'person',
    );
  });

  it('checks dates and schedules', () => {
    expect(REQUEST_VALIDATORS.queryAttendance({ from: '2025-01-01', to: '2025-01-31', onlyLate: true }, '')).toEqual({
      from: '2025-01-01',
      to: '2025-01-31',
      onlyLate: true,
    });
    expect(refusal(() => REQUEST_VALIDATORS.queryAttendance({ from: '2025-02-30', to: '2025-03-01' }, ''))).toContain(
      'from',
    );
    expect(REQUEST_VALIDATORS.updateSettings({ schedule }, '').schedule?.week.mon?.onTimeUntil).toBe('07:30');
    expect(
      refusal(() => REQUEST_VALIDATORS.updateSettings({ schedule: { ...schedule, timeZone: 'Europe/Paris' } }, '')),
    ).toContain('schedule.timeZone');
    expect(
      refusal(() =>
        REQUEST_VALIDATORS.updateSettings(
          { schedule: { ...schedule, week: { ...schedule.week, mon: { ...schedule.week.mon, onTimeUntil: '7:30' } } } },
          '',
        ),
      ),
    ).toContain('schedule.week.mon.onTimeUntil');
  });

  it('refuses control characters in names and repeated scopes', () => {
    expect(refusal(() => REQUEST_VALIDATORS.createApiKey({ name: 'a\u0000b', scopes: ['read'] }, ''))).toContain(
      'name',
    );
    expect(refusal(() => REQUEST_VALIDATORS.createApiKey({ name: 'ok', scopes: ['read', 'read'] }, ''))).toContain(
      'scopes',
    );
  });
});

describe('the IPC envelope', () => {
  it('takes a token and a payload', () => {
    expect(validateIpcEnvelope('getStatus', { token: null, payload: undefined })).toEqual({
      token: null,
      payload: undefined,
    });
    expect(validateIpcEnvelope('getPerson', { token: 'abc.DEF-123', payload: { id: 1 } })).toEqual({
      token: 'abc.DEF-123',
      payload: { id: 1 },
    });
  });

  it('refuses anything else', () => {
    expect(refusal(() => validateIpcEnvelope('getStatus', null))).toContain('envelope');
    expect(refusal(() => validateIpcEnvelope('getStatus', { token: null, payload: null, extra: 1 }))).toContain(
      'extra',
    );
    expect(refusal(() => validateIpcEnvelope('getStatus', { token: 'bad token', payload: null }))).toContain('token');
  });
});
