import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Person } from '../../shared/people';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { DEFAULT_SCHEDULE } from '../services/schedule';
import { AuditRepo } from '../store/audit-repo';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { createContractService } from './contract-service';
import type { CallContext, ContractService } from './ipc';

/**
 * An operator's add / correct / void of attendance from the Electron window (IPC), over the real
 * services and a real database: the same rules and audit entries as over HTTP, the session's operator
 * as the actor, nothing written without a session. The engine is a stand-in: no image is analysed.
 */

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

const SYSTEM: Actor = { type: 'cli', id: 'test' };
const MON = '2025-03-03';
const wib = (time: string) => new Date(`${MON}T${time}:00+07:00`).toISOString();

let store: ReturnType<typeof tempDb>;
let services: AppServices;
let contract: ContractService;
let citra: Person;
let ctx: CallContext;

beforeAll(async () => {
  store = tempDb('hadir-contract-attendance-');
  services = openAppServices({
    db: store.db,
    engine: idleEngine,
    pack: getPack(undefined),
    api: { host: '127.0.0.1', port: 5010, legacyRoutes: false },
  });
  services.attendance.setSchedule(DEFAULT_SCHEDULE, SYSTEM);
  citra = new PeopleRepo(store.db, () => new Date('2025-01-01T00:00:00Z')).create({
    employeeNumber: '199203032016042003',
    fullName: 'Citra Dewi',
    unit: 'Umum',
  });
  await services.operators.create(
    { username: 'siti', displayName: 'Siti Petugas', role: 'operator', secret: '472915' },
    SYSTEM,
  );
  contract = createContractService(services);
  const signed = await contract.signIn(
    { username: 'siti', secret: '472915' },
    { transport: 'ipc', sessionToken: null, clientId: 'ipc:1', local: true },
  );
  if (signed.kind !== 'signed_in') throw new Error(signed.kind);
  ctx = { transport: 'ipc', sessionToken: signed.session.token, clientId: 'ipc:1', local: true };
}, 60_000);

afterAll(() => store?.cleanup());

const rows = () => services.attendance.query({ from: MON, to: MON, person_id: citra.id });

describe('manual attendance from the Electron window', () => {
  it('adds, corrects and voids through the same services, audited under the session’s operator', async () => {
    const added = await contract.addAttendanceRecord(
      { employeeNumber: citra.employee_number, localDate: MON, checkIn: '07:05', reason: 'kamera dipindah' },
      ctx,
    );
    expect(added).toMatchObject({ person_id: citra.id, check_in_at: wib('07:05'), decided_by: 'operator' });
    const fixed = await contract.correctAttendanceRecord(
      { id: added.id, checkOut: '15:45', reason: 'pulang tidak terekam' },
      ctx,
    );
    expect(fixed).toMatchObject({ check_in_at: wib('07:05'), check_out_at: wib('15:45') });
    expect(await contract.voidAttendanceRecord({ id: added.id, reason: 'uji coba' }, ctx)).toBeNull();
    expect(rows()).toEqual([]);
    const audit = new AuditRepo(store.db);
    for (const action of ['attendance.create', 'attendance.correct', 'attendance.delete']) {
      const [entry] = audit.list({ action });
      expect(entry, action).toMatchObject({ actor_type: 'operator', actor_id: 'siti', target_id: String(added.id) });
    }
  });

  it('refuses without a session, and names an unknown employee number', async () => {
    const req = { personId: citra.id, localDate: MON, checkIn: '07:05', reason: 'x' };
    await expect(contract.addAttendanceRecord(req, { ...ctx, sessionToken: null })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(
      contract.addAttendanceRecord({ ...req, personId: undefined, employeeNumber: '0000' }, ctx),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', reason: 'person_not_found' });
    expect(rows()).toEqual([]);
  });
});
