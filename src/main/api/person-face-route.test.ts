import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignInOutcome } from '../../shared/contract';
import type { ErrorBody } from '../../shared/http-api';
import type { Actor, Person } from '../../shared/people';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import { createServer } from './server';

/**
 * GET /api/v1/people/:id/face over real HTTP on loopback, against the
 * real services and a real SQLite file: an operator's session gets the kept face picture as JPEG and
 * the read is in the audit log (read back through a second connection); no API key may have it, not
 * even an admin key; a person of whom no picture is kept is 404. The engine is a stand-in.
 */

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

const SYSTEM: Actor = { type: 'cli', id: 'test' };
const pack = getPack(undefined);

let store: ReturnType<typeof tempDb>;
let services: AppServices;
let app: FastifyInstance;
let url = '';
let token = '';
let readKey = '';
let adminKey = '';
let withFace: Person;
let withoutFace: Person;
let jpeg: Buffer;

beforeAll(async () => {
  store = tempDb('hadir-person-face-');
  services = openAppServices({
    db: store.db,
    engine: idleEngine,
    pack,
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
  });
  // A small real JPEG stands in for the face crop enrollment keeps when the site keeps thumbnails.
  jpeg = await sharp({ create: { width: 48, height: 56, channels: 3, background: { r: 180, g: 140, b: 120 } } })
    .jpeg()
    .toBuffer();
  const [e1, e2] = randomUnitVectors(2, pack.recognizer.embeddingSize, 5);
  withFace = services.faces.createPerson(SYSTEM, { employeeNumber: '198501012010012001', fullName: 'Ani Lestari' });
  withoutFace = services.faces.createPerson(SYSTEM, { employeeNumber: '199002022015031002', fullName: 'Budi Santoso' });
  const template = (personId: number, embedding: Float32Array, thumbnail: Uint8Array | null) =>
    services.faces.templates.insert({
      personId,
      packId: pack.id,
      embedding,
      quality: {},
      source: 'camera',
      thumbnail,
    });
  template(withFace.id, e1, new Uint8Array(jpeg));
  template(withoutFace.id, e2, null);
  await services.operators.create(
    { username: 'siti', displayName: 'Siti Petugas', role: 'operator', secret: '472915' },
    SYSTEM,
  );
  readKey = services.keys.create('laporan', ['read'], SYSTEM).key;
  adminKey = services.keys.create('integrasi', ['read', 'write', 'admin'], SYSTEM).key;
  app = await createServer(
    { engine: idleEngine, pack, keys: services.keys, identity: null, services, kiosk: null },
    { host: '127.0.0.1', rateLimit: null, signInRateLimit: null },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const signIn = (await (
    await fetch(`${url}/api/v1/auth/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'siti', secret: '472915' }),
    })
  ).json()) as SignInOutcome;
  if (signIn.kind !== 'signed_in') throw new Error(`sign-in failed: ${JSON.stringify(signIn)}`);
  token = signIn.session.token;
}, 120_000);

afterAll(async () => {
  await app?.close();
  store?.cleanup();
});

const face = (id: number, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/v1/people/${id}/face`, { headers });
const asOperator = () => ({ 'x-hadir-session': token });

async function refused(r: Promise<Response>, status: number, code: string): Promise<void> {
  const res = await r;
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, code: body.error?.code }, JSON.stringify(body)).toEqual({ status, code });
  expect(body.request_id).toEqual(expect.any(String));
}

/** The audit log as another process sees it. */
function faceReads(): { actor_type: string; actor_id: string; target_id: string; details: string }[] {
  const reader = new Database(store.file, { readonly: true, fileMustExist: true });
  try {
    return reader
      .prepare(
        "SELECT actor_type, actor_id, target_id, details FROM audit_log WHERE action = 'person.face.view' ORDER BY id",
      )
      .all() as { actor_type: string; actor_id: string; target_id: string; details: string }[];
  } finally {
    reader.close();
  }
}

describe('GET /api/v1/people/:id/face', () => {
  it("gives an operator's session the kept face picture as JPEG, and audits the read", async () => {
    const before = faceReads().length;
    const res = await face(withFace.id, asOperator());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = Buffer.from(await res.arrayBuffer());
    // The picture as it was kept, decrypted: the same JPEG, starting with its SOI marker.
    expect(bytes.equals(jpeg)).toBe(true);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const reads = faceReads();
    expect(reads).toHaveLength(before + 1);
    expect(reads.at(-1)).toMatchObject({ actor_type: 'operator', actor_id: 'siti', target_id: String(withFace.id) });
    expect(JSON.parse(reads.at(-1)!.details)).toEqual({ template: expect.any(Number) });
  });

  it('refuses without a session (401) and to every API key, even an admin one (403)', async () => {
    const before = faceReads().length;
    await refused(face(withFace.id), 401, 'UNAUTHORIZED');
    await refused(face(withFace.id, { authorization: `Bearer ${readKey}` }), 403, 'FORBIDDEN');
    await refused(face(withFace.id, { 'x-api-key': adminKey }), 403, 'FORBIDDEN');
    expect(faceReads()).toHaveLength(before);
  });

  it('is 404 NOT_FOUND for a person of whom no picture is kept, and for no person', async () => {
    const before = faceReads().length;
    await refused(face(withoutFace.id, asOperator()), 404, 'NOT_FOUND');
    await refused(face(999_999, asOperator()), 404, 'NOT_FOUND');
    expect(faceReads()).toHaveLength(before);
  });
});
