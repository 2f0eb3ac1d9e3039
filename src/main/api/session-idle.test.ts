import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FrameResult, SESSION_HEADER } from '../../shared/contract';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { TestClock } from '../services/clock';
import type { KioskFrame } from '../services/kiosk-service';
import { tempDb } from '../testing/temp-db';
import { createServer } from './server';

/**
 * An operator signed in on a door tablet must be signed out after the idle time even though the kiosk
 * keeps streaming frames: kiosk-level requests do not count as the session's activity. No engine: the
 * frames are answered by a stand-in (the access hook is what is under test).
 */

const IDLE_MS = 15 * 60_000;
const SYSTEM = { type: 'cli' as const, id: 'test' };

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

let store: ReturnType<typeof tempDb>;
let clock: TestClock;
let services: AppServices;
let app: FastifyInstance;
const frames: KioskFrame[] = [];

beforeAll(async () => {
  store = tempDb('hadir-idle-');
  clock = new TestClock('2025-03-03T01:00:00Z');
  const pack = getPack(undefined);
  services = openAppServices({
    db: store.db,
    engine: idleEngine,
    pack,
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
    clock,
  });
  vi.spyOn(services.kiosk.frames, 'submitFrame').mockImplementation(async (f: KioskFrame): Promise<FrameResult> => {
    frames.push(f);
    return { frameWidth: f.width, frameHeight: f.height, faces: [] };
  });
  app = await createServer(
    { engine: idleEngine, pack, keys: services.keys, identity: null, services, kiosk: services.kiosk },
    { host: '127.0.0.1', rateLimit: null },
  );
  await services.operators.create(
    { username: 'petugas', displayName: 'Petugas', role: 'operator', secret: 'rahasia-1' },
    SYSTEM,
  );
});

afterAll(async () => {
  await app?.close();
  store?.cleanup();
});

async function signIn(): Promise<string> {
  const r = await services.sessions.signIn('petugas', 'rahasia-1');
  if (r.kind !== 'signed_in') throw new Error('sign-in failed');
  return r.session.token;
}

const postFrame = (token: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/kiosk/frames?kioskId=door-1&width=2&height=2&mirrored=false',
    headers: { 'content-type': 'image/jpeg', [SESSION_HEADER]: token },
    payload: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
  });

describe('the idle sign-out and the kiosk', () => {
  it('does not extend a session with kiosk frames', async () => {
    const token = await signIn();
    // Frames every few minutes for longer than the idle time: each passes (the session still counts
    // for kiosk access while it lives), none keeps it alive.
    for (let t = 0; t < IDLE_MS - 60_000; t += 4 * 60_000) {
      const r = await postFrame(token);
      expect(r.statusCode, r.body).toBe(200);
      clock.advance(4 * 60_000);
    }
    expect(frames.length).toBeGreaterThan(2);
    clock.advance(60_000);
    expect(services.sessions.resolve(token, { touch: false })).toBeNull();
  });

  it('does extend it with an operator request (the control)', async () => {
    const token = await signIn();
    for (let t = 0; t < IDLE_MS + 5 * 60_000; t += 4 * 60_000) {
      const r = await app.inject({ method: 'GET', url: '/api/v1/units', headers: { [SESSION_HEADER]: token } });
      expect(r.statusCode, r.body).toBe(200);
      clock.advance(4 * 60_000);
    }
    expect(services.sessions.resolve(token, { touch: false })).not.toBeNull();
  });
});
