import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Person } from '../../shared/people';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import { createContractService } from './contract-service';
import type { CallContext, ContractService } from './ipc';

/**
 * getPersonFace from the Electron window (IPC), over the real services and a real database: the kept
 * picture as a JPEG file for the operator's session, the read audited under their name, nothing
 * without a session. (The HTTP route: src/main/api/person-face-route.test.ts.)
 */

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;
const SYSTEM: Actor = { type: 'cli', id: 'test' };
const pack = getPack(undefined);
/** A JPEG's first bytes are enough here: the repository neither parses nor checks the picture. */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

let store: ReturnType<typeof tempDb>;
let services: AppServices;
let contract: ContractService;
let ctx: CallContext;
let person: Person;

beforeAll(async () => {
  store = tempDb('hadir-contract-face-');
  services = openAppServices({
    db: store.db,
    engine: idleEngine,
    pack,
    api: { host: '127.0.0.1', port: 5010, legacyRoutes: false },
  });
  person = services.faces.createPerson(SYSTEM, { employeeNumber: '198501012010012001', fullName: 'Ani Lestari' });
  services.faces.templates.insert({
    personId: person.id,
    packId: pack.id,
    embedding: randomUnitVectors(1, pack.recognizer.embeddingSize, 3)[0],
    quality: {},
    source: 'camera',
    thumbnail: JPEG,
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

describe('getPersonFace over IPC', () => {
  it("answers the kept picture to an operator's session and audits the read", async () => {
    const file = await contract.getPersonFace({ id: person.id }, ctx);
    expect(file.mime).toBe('image/jpeg');
    expect([...file.bytes]).toEqual([...JPEG]);
    expect(services.faces.audit.list({ action: 'person.face.view' })[0]).toMatchObject({
      actor_type: 'operator',
      actor_id: 'siti',
      target_id: String(person.id),
    });
  });

  it('refuses without a session', async () => {
    await expect(contract.getPersonFace({ id: person.id }, { ...ctx, sessionToken: null })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
