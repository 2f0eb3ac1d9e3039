import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageAnalysis } from '../../shared/face';
import { resolvePack } from '../engine/model-files';
import type { EngineStatus, InferencePool } from '../engine/pool';
import { openAppServices, type AppServices } from '../services/app-services';
import { tempDb } from '../testing/temp-db';
import { createContractService } from './contract-service';
import type { CallContext, ContractService } from './ipc';

/**
 * The IPC side of the contract over the real services and a real database (the engine is a stand-in
 * that sees no face: these tests are about who may call what, and that the answers are the services').
 */

const ENGINE: EngineStatus = {
  ready: true,
  workers: 1,
  liveWorkers: 1,
  busyWorkers: 0,
  queueDepth: 0,
  maxQueue: 8,
  intraOpNumThreads: 1,
  provider: { requested: 'auto', active: 'cpu', fallbackReason: null },
  livenessAvailable: true,
  device: 'CPU',
  warnings: [],
  restarts: 0,
  startMs: 1,
};

const fakeEngine = {
  status: () => ENGINE,
  analyzeRgb: async (_rgb: Uint8Array, width: number, height: number): Promise<ImageAnalysis> => ({
    width,
    height,
    faces: [],
    timings: { decode: 0, detect: 0, align: 0, embed: 0 },
    livenessAvailable: true,
  }),
} as unknown as InferencePool;

let store: ReturnType<typeof tempDb>;
let services: AppServices;
let contract: ContractService;
const window = (sessionToken: string | null = null): CallContext => ({
  transport: 'ipc',
  sessionToken,
  clientId: 'ipc:1',
  local: true,
});

beforeAll(async () => {
  const { pack } = await resolvePack(undefined, { verify: false });
  store = tempDb('hadir-contract-');
  services = openAppServices({
    db: store.db,
    engine: fakeEngine,
    pack,
    api: { host: '127.0.0.1', port: 5010, legacyRoutes: false },
  });
  contract = createContractService(services);
});

afterAll(() => store?.cleanup());

const refusal = async (p: unknown) => {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'resolved';
};

describe('the contract over IPC', () => {
  let admin = '';
  let operator = '';

  it('answers the status to anyone, from the real services', async () => {
    const s = await contract.getStatus(undefined, window());
    expect(s).toMatchObject({ setupComplete: false, database: { ok: true }, gallerySize: 0 });
    expect(s.engine).toMatchObject({ state: 'ready', livenessAvailable: true, provider: 'cpu' });
  });

  it('runs first-run setup only until an admin exists', async () => {
    expect((await contract.getSetupStatus(undefined, window())).hasAdmin).toBe(false);
    const session = await contract.createFirstAdmin(
      { username: 'admin', displayName: 'Admin', secret: 'rahasia-admin' },
      window(),
    );
    expect(session.role).toBe('admin');
    admin = session.token;
    expect(
      await refusal(contract.createFirstAdmin({ username: 'x', displayName: 'X', secret: 'rahasia-x1' }, window())),
    ).toBe('FORBIDDEN');
    const op = await contract.createOperator(
      { username: 'petugas', displayName: 'Petugas', role: 'operator', secret: 'rahasia-op' },
      window(admin),
    );
    expect(op.role).toBe('operator');
    const signed = await contract.signIn({ username: 'petugas', secret: 'rahasia-op' }, window());
    if (signed.kind !== 'signed_in') throw new Error(signed.kind);
    operator = signed.session.token;
    expect(await contract.getSession(undefined, window(operator))).toMatchObject({ username: 'petugas' });
  });

  it('decides access by the contract’s auth column, on the session main looks up itself', async () => {
    expect(await refusal(contract.startEnrollment({}, window()))).toBe('UNAUTHORIZED');
    expect(await refusal(contract.startEnrollment({}, window('not-a-session')))).toBe('UNAUTHORIZED');
    expect((await contract.startEnrollment({}, window(operator))).minSamples).toBe(3);
    expect(await refusal(contract.getSettings(undefined, window(operator)))).toBe('FORBIDDEN');
    expect((await contract.getSettings(undefined, window(admin))).recognition.requireLiveness).toBe(true);
    expect(await refusal(contract.createApiKey({ name: 'k', scopes: ['read'] }, window(operator)))).toBe('FORBIDDEN');
    // A stale token on a public method is simply nobody.
    expect((await contract.getStatus(undefined, window('stale'))).version).toBeTruthy();
    expect(await contract.getSession(undefined, window('stale'))).toBeNull();
  });

  it('takes the kiosk window’s frames without a session (a local client), and only through the kiosk service', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
      .jpeg()
      .toBuffer();
    const r = await contract.submitFrame(
      { kioskId: 'window', jpeg: new Uint8Array(jpeg).buffer, width: 64, height: 48, mirrored: false },
      window(),
    );
    expect(r).toMatchObject({ frameWidth: 64, frameHeight: 48, faces: [], guidance: 'no_face', event: null });
    // The window's frames ignore the operator's session (a stale one does not stop the kiosk).
    const withStale = await contract.submitFrame(
      { kioskId: 'window', jpeg: new Uint8Array(jpeg).buffer, width: 64, height: 48, mirrored: false },
      window('stale-token'),
    );
    expect(withStale.guidance).toBe('no_face');
    const remote: CallContext = { ...window(), local: false };
    expect(
      await refusal(
        contract.submitFrame(
          { kioskId: 'w', jpeg: new Uint8Array(jpeg).buffer, width: 64, height: 48, mirrored: false },
          remote,
        ),
      ),
    ).toBe('UNAUTHORIZED');
  });

  it('reads and changes people and attendance as the operator, audited under their name', async () => {
    const session = await contract.startEnrollment({}, window(operator));
    const refused = await contract.commitEnrollment(
      {
        sessionId: session.sessionId,
        person: { create: { employee_number: '2001', full_name: 'Budi', unit: 'Umum' } },
        consent: { given: true, method: 'verbal' },
      },
      window(operator),
    );
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'too_few_samples' } });
    const person = services.faces.createPerson(
      { type: 'cli', id: 't' },
      { employeeNumber: '2002', fullName: 'Sari', unit: 'Umum' },
    );
    const page = await contract.listPeople({ query: 'sari' }, window(operator));
    expect(page.items.map((p) => [p.full_name, p.last_seen_at])).toEqual([['Sari', null]]);
    const updated = await contract.updatePerson({ id: person.id, unit: 'Keuangan' }, window(operator));
    expect(updated.unit).toBe('Keuangan');
    // Units are a managed list: "Umum" stays in it, empty, after its only member moved.
    expect(await contract.listUnits(undefined, window(operator))).toEqual(['Keuangan', 'Umum']);
    const audit = store.db
      .prepare("SELECT actor_type, actor_id FROM audit_log WHERE action = 'person.update'")
      .all() as { actor_type: string; actor_id: string }[];
    expect(audit).toEqual([{ actor_type: 'operator', actor_id: 'petugas' }]);
    const att = await contract.queryAttendance({ from: '2026-01-05', to: '2026-01-05' }, window(operator));
    expect(att.records).toEqual([]);
    expect(att.summary?.date).toBe('2026-01-05');
    const file = await contract.exportAttendance(
      { from: '2026-01-05', to: '2026-01-06', format: 'csv' },
      window(operator),
    );
    expect(file).toMatchObject({ filename: 'attendance_2026-01-05_2026-01-06.csv', mime: 'text/csv; charset=utf-8' });
    expect(file.bytes.byteLength).toBeGreaterThan(0);
    expect(
      await refusal(contract.deletePerson({ id: person.id, confirm: true, eraseAttendance: false }, window(operator))),
    ).toBe('FORBIDDEN');
    expect(
      await contract.deletePerson({ id: person.id, confirm: true, eraseAttendance: false }, window(admin)),
    ).toBeNull();
  });

  it('signs out', async () => {
    expect(await contract.signOut(undefined, window(operator))).toBeNull();
    expect(await refusal(contract.listPeople({}, window(operator)))).toBe('UNAUTHORIZED');
  });
});
