import { describe, expect, it } from 'vitest';
import type { Session } from '../../../shared/contract';
import { idleRemainingMs, initialSessionState, sessionReducer } from './session-machine';

const session: Session = {
  token: 'tok',
  username: 'admin',
  displayName: 'Admin',
  role: 'admin',
  expiresAt: new Date(10 * 60_000).toISOString(),
  idleTimeoutSeconds: 120,
};

describe('session state', () => {
  it('signs in and counts idle time from the last activity', () => {
    let s = sessionReducer(initialSessionState, { type: 'signedIn', session, now: 0 });
    expect(s.session?.role).toBe('admin');
    expect(idleRemainingMs(s, 60_000)).toBe(60_000);
    s = sessionReducer(s, { type: 'activity', now: 60_000 });
    expect(idleRemainingMs(s, 60_000)).toBe(120_000);
  });

  it('signs out after the idle timeout without input', () => {
    let s = sessionReducer(initialSessionState, { type: 'signedIn', session, now: 0 });
    s = sessionReducer(s, { type: 'tick', now: 119_999 });
    expect(s.session).not.toBeNull();
    s = sessionReducer(s, { type: 'tick', now: 120_000 });
    expect(s.session).toBeNull();
    expect(s.endedBecause).toBe('idle');
  });

  it('activity keeps the session alive', () => {
    let s = sessionReducer(initialSessionState, { type: 'signedIn', session, now: 0 });
    for (let t = 60_000; t <= 300_000; t += 60_000) {
      s = sessionReducer(s, { type: 'activity', now: t });
      s = sessionReducer(s, { type: 'tick', now: t + 1000 });
    }
    expect(s.session).not.toBeNull();
  });

  it('ends at the session’s expiry even with activity', () => {
    let s = sessionReducer(initialSessionState, { type: 'signedIn', session, now: 0 });
    s = sessionReducer(s, { type: 'activity', now: 599_000 });
    s = sessionReducer(s, { type: 'tick', now: 600_000 });
    expect(s.session).toBeNull();
    expect(s.endedBecause).toBe('expired');
  });

  it('records a manual sign-out and ignores activity afterwards', () => {
    let s = sessionReducer(initialSessionState, { type: 'signedIn', session, now: 0 });
    s = sessionReducer(s, { type: 'signedOut', reason: 'manual' });
    expect(s).toMatchObject({ session: null, endedBecause: 'manual' });
    expect(sessionReducer(s, { type: 'activity', now: 5 })).toBe(s);
  });

  it('a session the server rejected ends with that reason', () => {
    let s = sessionReducer(initialSessionState, { type: 'signedIn', session, now: 0 });
    s = sessionReducer(s, { type: 'signedOut', reason: 'rejected' });
    expect(s.endedBecause).toBe('rejected');
  });
});
