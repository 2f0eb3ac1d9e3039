/**
 * Test helpers for the hub: a real `hadir hub` server (PostgreSQL database of its own, real HTTP on a
 * random loopback port) and a kiosk's side of the wire, spoken with fetch.
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../../shared/people';
import type { AttendanceEvent, ChangesPage, JoinResponse } from '../../shared/sync-protocol';
import { createPairingCode } from '../hub/pairing';
import { addSite } from '../hub/sites';
import { type RunningHub, startHub, type StartHubOptions } from '../hub/server';
import type { Keyring } from '../store/data-cipher';
import { hubKeyring } from '../store/data-key-file';
import { type FreshDatabase, freshHubDatabase } from './postgres';

export const TEST_ACTOR: Actor = { type: 'system', id: 'test' };
export const TEST_PACK = 'test-pack';

/**
 * The hub data key of this test process (HADIR_HUB_DATA_KEY): random, made once, so every hub a test
 * starts on a database — in process or spawned — opens what another sealed.
 */
export const TEST_HUB_DATA_KEY = randomBytes(32).toString('base64');

/** The environment a spawned `hadir hub` needs for its data key. */
export const TEST_HUB_KEY_ENV = { HADIR_HUB_DATA_KEY: TEST_HUB_DATA_KEY } as const;

export function testHubKeyring(): Keyring {
  return hubKeyring(TEST_HUB_KEY_ENV);
}

export interface TestHub {
  db: FreshDatabase;
  hub: RunningHub;
  url: string;
  close(): Promise<void>;
}

export async function startTestHub(opts: Omit<StartHubOptions, 'databaseUrl'> = {}): Promise<TestHub> {
  const db = await freshHubDatabase();
  const hub = await startHub({
    databaseUrl: db.url,
    ...opts,
    keyring: opts.keyring ?? testHubKeyring(),
    config: { port: 0, joinRateLimit: { perSecond: 100, burst: 1000 }, ...opts.config },
    poolMax: opts.poolMax ?? 5,
  });
  return {
    db,
    hub,
    url: hub.url,
    close: async () => {
      await hub.close();
      await db.drop();
    },
  };
}

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function hubFetch<T = unknown>(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  opts: { token?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

export async function joinWithCode(base: string, code: string, pack = TEST_PACK): Promise<HttpAnswer<JoinResponse>> {
  return hubFetch<JoinResponse>(base, 'POST', '/api/v1/sync/join', {
    body: { code, name: 'Loket Lt.1', app_version: '0.1.0', pack_id: pack, protocol: 1 },
  });
}

/** A site (created when missing) and a kiosk paired to it. */
export async function pairKiosk(t: TestHub, site: string, pack = TEST_PACK): Promise<JoinResponse> {
  await addSite(t.hub.pool, { code: site, name: `Office ${site}`, timeZone: 'Asia/Jakarta' }, TEST_ACTOR).catch(
    (e: { code?: string }) => {
      if (e.code !== 'CONFLICT') throw e;
    },
  );
  const { code } = await createPairingCode(t.hub.pool, site, TEST_ACTOR);
  const r = await joinWithCode(t.url, code, pack);
  if (r.status !== 200) throw new Error(`join failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export function getChanges(
  base: string,
  token: string,
  q: { cursor?: string; wait?: number; limit?: number; site?: string } = {},
  signal?: AbortSignal,
): Promise<HttpAnswer<ChangesPage>> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return hubFetch<ChangesPage>(base, 'GET', `/api/v1/sync/changes${qs ? `?${qs}` : ''}`, { token, signal });
}

/** Follow the feed from `cursor` until the hub says nothing more is ready; every page's items, in order. */
export async function drain(
  base: string,
  token: string,
  cursor?: string,
): Promise<{ pages: ChangesPage[]; items: ChangesPage['items']; cursor: string }> {
  const pages: ChangesPage[] = [];
  let at = cursor;
  for (let i = 0; i < 1000; i++) {
    const r = await getChanges(base, token, { cursor: at });
    if (r.status !== 200) throw new Error(`changes failed: ${r.status} ${JSON.stringify(r.body)}`);
    pages.push(r.body);
    at = r.body.cursor;
    if (!r.body.more) break;
  }
  return { pages, items: pages.flatMap((p) => p.items), cursor: at! };
}

export function kioskEvent(seq: number, over: Partial<AttendanceEvent> = {}): AttendanceEvent {
  return {
    seq,
    person_hub_id: null,
    employee_number: 'E1',
    type: 'in',
    occurred_at: new Date().toISOString(),
    clock_offset_ms: 0,
    decision: { decided_by: 'face', late: false, similarity: 0.8, liveness: 0.99, clock_flag: null },
    ...over,
  };
}
