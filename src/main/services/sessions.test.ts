import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditRepo } from '../store/audit-repo';
import { tempDb } from '../testing/temp-db';
import { TestClock } from './clock';
import { OperatorService } from './operators';
import { SessionService } from './sessions';

const CHEAP = { ln: 4, r: 8, p: 1 };
const cli = { type: 'cli' as const, id: 'test' };

describe('SessionService', () => {
  let t: ReturnType<typeof tempDb>;
  let clock: TestClock;
  let operators: OperatorService;
  let sessions: SessionService;
  let idleMs = 15 * 60_000;

  beforeEach(async () => {
    t = tempDb('hadir-sessions-');
    clock = new TestClock('2025-03-03T01:00:00Z');
    operators = new OperatorService({
      db: t.db,
      clock,
      scrypt: CHEAP,
      backoff: { freeFailures: 2, baseMs: 60_000, maxMs: 60 * 60_000, maxEntries: 100 },
    });
    await operators.create({ username: 'siti', displayName: 'Siti', role: 'operator', secret: 'kata sandi' }, cli);
    idleMs = 15 * 60_000;
    sessions = new SessionService({
      db: t.db,
      operators,
      clock,
      idleTimeoutMs: () => idleMs,
      absoluteTimeoutMs: 60 * 60_000,
    });
  });
  afterEach(() => t.cleanup());

  async function signIn(secret = 'kata sandi') {
    const r = await sessions.signIn('siti', secret);
    if (r.kind !== 'signed_in') throw new Error(`not signed in: ${JSON.stringify(r)}`);
    return r.session;
  }

  it('opens a session on the right secret, with an opaque token that is not stored in clear', async () => {
    const s = await signIn();
    expect(s).toMatchObject({ username: 'siti', displayName: 'Siti', role: 'operator', idleTimeoutSeconds: 900 });
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.expiresAt).toBe('2025-03-03T02:00:00.000Z');
    expect(sessions.resolve(s.token)).toMatchObject({ username: 'siti', role: 'operator' });
    expect(JSON.stringify([...(sessions as unknown as { sessions: Map<string, unknown> }).sessions])).not.toContain(
      s.token,
    );
    expect(sessions.resolve(s.token + 'x')).toBeNull();
    expect(sessions.resolve('')).toBeNull();
  });

  it('answers invalid alike for a wrong secret and an unknown name, then waits; the wait refuses the right secret too', async () => {
    expect(await sessions.signIn('siti', 'wrong one')).toEqual({ kind: 'invalid', attemptsLeft: null });
    expect(await sessions.signIn('nobody', 'wrong one')).toEqual({ kind: 'invalid', attemptsLeft: null });
    expect(await sessions.signIn('siti', 'wrong one')).toEqual({ kind: 'invalid', attemptsLeft: null });
    expect(await sessions.signIn('siti', 'wrong one')).toEqual({ kind: 'invalid', attemptsLeft: null });
    expect(await sessions.signIn('siti', 'kata sandi')).toEqual({ kind: 'locked', until: '2025-03-03T01:01:00.000Z' });
    // Only from that address: the same account signs in from another.
    expect((await sessions.signIn('siti', 'kata sandi', '10.0.0.7')).kind).toBe('signed_in');
    clock.advance(61_000);
    expect((await sessions.signIn('siti', 'kata sandi')).kind).toBe('signed_in');
  });

  it('expires after the idle timeout; each use restarts it', async () => {
    const s = await signIn();
    clock.advance(14 * 60_000);
    expect(sessions.resolve(s.token)).not.toBeNull();
    clock.advance(14 * 60_000);
    expect(sessions.resolve(s.token)).not.toBeNull();
    clock.advance(15 * 60_000);
    expect(sessions.resolve(s.token)).toBeNull();
    // Gone for good, even if the timeout is raised afterwards.
    idleMs = 120 * 60_000;
    expect(sessions.resolve(s.token)).toBeNull();
  });

  it('expires at the absolute limit however active, and setting the wall clock back does not extend it', async () => {
    const s = await signIn();
    for (let i = 0; i < 5; i++) {
      clock.advance(10 * 60_000);
      expect(sessions.resolve(s.token)).not.toBeNull();
    }
    clock.jump(-3 * 60 * 60_000);
    clock.advance(10 * 60_000);
    expect(sessions.resolve(s.token)).toBeNull();
  });

  it('ends on sign-out (audited), and when the operator is deactivated; a demotion applies at once', async () => {
    const a = await signIn();
    expect(sessions.signOut(a.token)).toBe(true);
    expect(sessions.signOut(a.token)).toBe(false);
    expect(sessions.resolve(a.token)).toBeNull();
    const audit = new AuditRepo(t.db).list({ action: 'operator.sign_out' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'operator', actor_id: 'siti' });

    await operators.create({ username: 'boss', displayName: 'Boss', role: 'admin', secret: 'rahasia besar' }, cli);
    const b = await signIn();
    const id = operators.repo.getByUsername('siti')!.id;
    operators.setRole(id, 'admin', cli);
    expect(sessions.resolve(b.token)?.role).toBe('admin');
    operators.setRole(id, 'operator', cli);
    expect(sessions.resolve(b.token)?.role).toBe('operator');
    operators.setActive(id, false, cli);
    expect(sessions.resolve(b.token)).toBeNull();
    operators.setActive(id, true, cli);
    expect(sessions.resolve(b.token)).toBeNull();

    const c = await signIn();
    expect(sessions.revokeOperator(id)).toBe(1);
    expect(sessions.resolve(c.token)).toBeNull();
  });
});
