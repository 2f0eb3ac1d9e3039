import { describe, expect, it } from 'vitest';
import { isHadirError } from '../../shared/errors';
import type { ActiveSession } from '../services/sessions';
import { ACCESS_LEVELS, type AccessLevel, actorOf, checkAccess, type Principal, resolveCredentials } from './access';
import { staticKeyVerifier } from './auth';

const session = (role: 'admin' | 'operator'): ActiveSession => ({
  id: `h-${role}`,
  operatorId: role === 'admin' ? 1 : 2,
  username: role === 'admin' ? 'boss' : 'siti',
  displayName: role,
  role,
  createdAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-01T12:00:00.000Z',
});
const key = (...scopes: ('read' | 'write' | 'admin')[]): Principal => ({
  kind: 'api_key',
  key: { id: 1, name: `key-${scopes.join('+') || 'none'}`, scopes },
  loopback: false,
});

const PRINCIPALS: Record<string, Principal> = {
  'anonymous remote': { kind: 'anonymous', loopback: false },
  'anonymous loopback': { kind: 'anonymous', loopback: true },
  'app window or setup token': { kind: 'anonymous', loopback: true, setupGrant: true },
  'operator session': { kind: 'session', session: session('operator'), loopback: false },
  'admin session': { kind: 'session', session: session('admin'), loopback: false },
  'read key': key('read'),
  'write key': key('write'),
  'admin key': key('admin'),
};

/** Who passes each level (setup: while no admin exists). 401 = no credential; 403 = not enough. */
const EXPECTED: Record<AccessLevel, Record<string, 200 | 401 | 403>> = {
  public: {
    'anonymous remote': 200,
    'anonymous loopback': 200,
    'app window or setup token': 200,
    'operator session': 200,
    'admin session': 200,
    'read key': 200,
    'write key': 200,
    'admin key': 200,
  },
  kiosk: {
    'anonymous remote': 401,
    'anonymous loopback': 200,
    'app window or setup token': 200,
    'operator session': 200,
    'admin session': 200,
    'read key': 200,
    'write key': 403,
    'admin key': 403,
  },
  setup: {
    'anonymous remote': 403,
    'anonymous loopback': 403,
    'app window or setup token': 200,
    'operator session': 403,
    'admin session': 403,
    'read key': 403,
    'write key': 403,
    'admin key': 200,
  },
  read: {
    'anonymous remote': 401,
    'anonymous loopback': 401,
    'app window or setup token': 401,
    'operator session': 200,
    'admin session': 200,
    'read key': 200,
    'write key': 403,
    'admin key': 403,
  },
  write: {
    'anonymous remote': 401,
    'anonymous loopback': 401,
    'app window or setup token': 401,
    'operator session': 200,
    'admin session': 200,
    'read key': 403,
    'write key': 200,
    'admin key': 403,
  },
  operator: {
    'anonymous remote': 401,
    'anonymous loopback': 401,
    'app window or setup token': 401,
    'operator session': 200,
    'admin session': 200,
    'read key': 403,
    'write key': 200,
    'admin key': 403,
  },
  // Face pictures: an operator at the screen, never a key (least privilege for biometric data).
  session: {
    'anonymous remote': 401,
    'anonymous loopback': 401,
    'app window or setup token': 401,
    'operator session': 200,
    'admin session': 200,
    'read key': 403,
    'write key': 403,
    'admin key': 403,
  },
  admin: {
    'anonymous remote': 401,
    'anonymous loopback': 401,
    'app window or setup token': 401,
    'operator session': 403,
    'admin session': 200,
    'read key': 403,
    'write key': 403,
    'admin key': 200,
  },
};

function outcome(p: Principal, level: AccessLevel, setupOpen = true): number {
  try {
    checkAccess(p, level, { setupOpen: () => setupOpen });
    return 200;
  } catch (e) {
    if (!isHadirError(e)) throw e;
    return e.code === 'UNAUTHORIZED' ? 401 : e.code === 'FORBIDDEN' ? 403 : 500;
  }
}

describe('checkAccess', () => {
  it('applies the level table to every kind of caller', () => {
    for (const level of ACCESS_LEVELS) {
      for (const [who, p] of Object.entries(PRINCIPALS)) {
        expect(outcome(p, level), `${who} → ${level}`).toBe(EXPECTED[level][who]);
      }
    }
  });

  it('closes setup for everyone once an admin exists', () => {
    for (const p of Object.values(PRINCIPALS)) expect(outcome(p, 'setup', false)).toBe(403);
  });

  it('names the actor of a change: the operator, the key (by id: names are not unique), or the system', () => {
    expect(actorOf(PRINCIPALS['admin session'])).toEqual({ type: 'operator', id: 'boss' });
    expect(actorOf(PRINCIPALS['write key'])).toEqual({ type: 'api_key', id: '1' });
    expect(actorOf(PRINCIPALS['app window or setup token'])).toEqual({ type: 'system', id: 'setup' });
    expect(actorOf(PRINCIPALS['anonymous loopback'])).toEqual({ type: 'system', id: 'loopback' });
  });
});

describe('resolveCredentials', () => {
  const control = {
    keys: staticKeyVerifier({ hadir_good: { name: 'door', scopes: ['read'] } }),
    sessions: { resolve: (t: string | null | undefined) => (t === 'live' ? session('operator') : null) },
    setupOpen: () => false,
  };
  const resolve = (apiKey: string | null, sessionToken: string | null) =>
    resolveCredentials({ apiKey, sessionToken, loopback: false }, control);

  it('resolves a key, a session, or nobody', async () => {
    expect((await resolve('hadir_good', null)).kind).toBe('api_key');
    expect((await resolve(null, 'live')).kind).toBe('session');
    expect((await resolve(null, null)).kind).toBe('anonymous');
  });

  it('refuses an unknown key or an ended session with 401, never falling back to anonymous', async () => {
    await expect(resolve('hadir_bad', null)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(resolve(null, 'ended')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('grants setup to the app window, or to the setup token only while setup is open', async () => {
    const token = { check: (t: string | null) => t === 'the-token' };
    const open = { ...control, setupOpen: () => true, setupToken: token };
    const base = { apiKey: null, sessionToken: null, loopback: true };
    expect((await resolveCredentials(base, open)).setupGrant).toBeUndefined();
    expect((await resolveCredentials({ ...base, setupToken: 'wrong' }, open)).setupGrant).toBeUndefined();
    expect((await resolveCredentials({ ...base, setupToken: 'the-token' }, open)).setupGrant).toBe(true);
    expect(
      (await resolveCredentials({ ...base, setupToken: 'the-token' }, { ...open, setupOpen: () => false })).setupGrant,
    ).toBeUndefined();
    expect((await resolveCredentials({ ...base, appWindow: true }, control)).setupGrant).toBe(true);
  });

  it('with both (a paired tablet an operator signed in on): the live session acts, else the key', async () => {
    expect((await resolve('hadir_good', 'live')).kind).toBe('session');
    expect((await resolve('hadir_good', 'ended')).kind).toBe('api_key');
    await expect(resolve('hadir_bad', 'ended')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
