import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { tempDb } from '../testing/temp-db';
import { TestClock } from './clock';
import { OperatorService, checkSecretStrength } from './operators';
import { DEFAULT_SCRYPT, hashSecret, needsRehash, verifySecret } from './secret-hash';

// Cheap hashing for tests; the stored parameters make verification use whatever a hash was made with.
const CHEAP = { ln: 10, r: 8, p: 1 };
const CLI: Actor = { type: 'cli', id: 'root' };

let env: ReturnType<typeof tempDb>;
let clock: TestClock;
let svc: OperatorService;
let audit: AuditRepo;

beforeEach(() => {
  env = tempDb();
  clock = new TestClock('2025-01-06T01:00:00Z');
  svc = new OperatorService({ db: env.db, clock, scrypt: CHEAP });
  audit = new AuditRepo(env.db);
});

afterEach(() => env.cleanup());

describe('secret hashing', () => {
  it('salts every hash, stores its parameters, and verifies in constant time', async () => {
    const a = await hashSecret('correct horse', CHEAP);
    const b = await hashSecret('correct horse', CHEAP);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifySecret('correct horse', a)).toBe(true);
    expect(await verifySecret('correct horsE', a)).toBe(false);
    expect(await verifySecret('correct horse', 'garbage')).toBe(false);
    expect(needsRehash(a)).toBe(true);
    expect(needsRehash(a, CHEAP)).toBe(false);
    expect(DEFAULT_SCRYPT).toEqual({ ln: 17, r: 8, p: 1 });
  });

  it('refuses weak secrets', () => {
    expect(() => checkSecretStrength('12345')).toThrow(/6 digits/);
    expect(() => checkSecretStrength('111111')).toThrow(/easy/);
    expect(() => checkSecretStrength('123456')).toThrow(/easy/);
    expect(() => checkSecretStrength('short')).toThrow(/8 characters/);
    expect(() => checkSecretStrength('482913')).not.toThrow();
    expect(() => checkSecretStrength('kata sandi panjang')).not.toThrow();
  });
});

describe('operators', () => {
  it('signs in with the right secret and audits success and failure naming the operator', async () => {
    const o = await svc.create({ username: 'Siti', displayName: 'Siti Rahma', role: 'admin', secret: '482913' }, CLI);
    expect(o).toMatchObject({ username: 'siti', role: 'admin', active: true, failed_attempts: 0 });
    expect(o).not.toHaveProperty('secret_hash');
    const stored = env.db.prepare('SELECT secret_hash FROM operators').get() as { secret_hash: string };
    expect(stored.secret_hash).not.toContain('482913');

    expect(svc.get(o.id)!.last_sign_in_at).toBeNull();
    expect(await svc.signIn('siti', '482913')).toMatchObject({
      ok: true,
      operator: { username: 'siti', last_sign_in_at: '2025-01-06T01:00:00.000Z' },
    });
    expect(await svc.signIn('siti', '000000')).toEqual({ ok: false, reason: 'invalid', attempts_left: null });
    expect(await svc.signIn('nobody', '482913')).toEqual({ ok: false, reason: 'invalid', attempts_left: null });
    const entries = audit.list({ targetType: 'operator' }).reverse();
    expect(entries.map((e) => [e.action, e.actor_type, e.actor_id])).toEqual([
      ['operator.create', 'cli', 'root'],
      ['operator.sign_in', 'operator', 'siti'],
      ['operator.sign_in_failed', 'operator', 'siti'],
      ['operator.sign_in_failed', 'operator', 'nobody'],
    ]);
  });

  it('backs off one address at one name, doubling the wait, never locking the account for others', async () => {
    const o = await svc.create(
      { username: 'budi', displayName: 'Budi', role: 'operator', secret: 'rahasia-kuat' },
      CLI,
    );
    const attacker = '10.9.9.9';
    for (let i = 1; i <= 4; i++) {
      expect(await svc.signIn('budi', 'wrong-guess', attacker)).toEqual({
        ok: false,
        reason: 'invalid',
        attempts_left: null,
      });
    }
    // Three free failures; the fourth started a 10 s wait, refused without checking (the right secret too).
    expect(await svc.signIn('budi', 'rahasia-kuat', attacker)).toEqual({
      ok: false,
      reason: 'locked',
      locked_until: '2025-01-06T01:00:10.000Z',
    });
    expect(audit.list({ action: 'operator.sign_in_backoff' })).toHaveLength(1);
    // The account itself is not locked: Budi signs in from his own desk.
    expect(await svc.signIn('budi', 'rahasia-kuat', '10.0.0.20')).toMatchObject({ ok: true });
    expect(svc.get(o.id)).toMatchObject({ locked_until: null });
    clock.advance(10_000);
    expect(await svc.signIn('budi', 'wrong-guess', attacker)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await svc.signIn('budi', 'wrong-guess', attacker)).toEqual({
      ok: false,
      reason: 'locked',
      locked_until: '2025-01-06T01:00:30.000Z', // 20 s now
    });
    clock.advance(20_000);
    expect(await svc.signIn('budi', 'rahasia-kuat', attacker)).toMatchObject({ ok: true });
    // A success from that address clears its count.
    expect(await svc.signIn('budi', 'wrong-guess', attacker)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('answers an unknown name exactly as a wrong secret, back-off included', async () => {
    await svc.create({ username: 'budi', displayName: 'Budi', role: 'operator', secret: 'rahasia-kuat' }, CLI);
    const from = '10.1.1.1';
    const known: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await svc.signIn('budi', 'wrong-guess', from));
      unknown.push(await svc.signIn('nobody-here', 'wrong-guess', from));
    }
    expect(unknown).toEqual(known);
  });

  it('counts attempts before checking them: many at once from one address get only the free ones checked', async () => {
    await svc.create({ username: 'budi', displayName: 'Budi', role: 'operator', secret: 'rahasia-kuat' }, CLI);
    const guesses = Array.from({ length: 20 }, (_, i) => (i === 12 ? 'rahasia-kuat' : `wrong-guess-${i}`));
    const results = await Promise.all(guesses.map((g) => svc.signIn('budi', g, '10.2.2.2')));
    expect(results.filter((r) => r.ok)).toHaveLength(0); // the right one came after the allowance
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(4);
    expect(audit.list({ action: 'operator.sign_in_failed' })).toHaveLength(4);
  });

  it('lets an admin unlock, reset secrets and change roles; an operator only their own secret', async () => {
    const admin = await svc.create({ username: 'siti', displayName: 'Siti', role: 'admin', secret: '482913' }, CLI);
    const op = await svc.create(
      { username: 'budi', displayName: 'Budi', role: 'operator', secret: 'rahasia-kuat' },
      { type: 'operator', id: 'siti' },
    );
    const asBudi: Actor = { type: 'operator', id: 'budi' };
    const asSiti: Actor = { type: 'operator', id: 'siti' };
    await expect(
      svc.create({ username: 'eve', displayName: 'Eve', role: 'admin', secret: 'password-1' }, asBudi),
    ).rejects.toThrow(/only an admin/);
    expect(() => svc.setRole(op.id, 'admin', asBudi)).toThrow(/only an admin/);
    await expect(svc.changeSecret(op.id, 'baru-dan-kuat', asBudi, 'wrong')).rejects.toThrow(/current secret/);
    await svc.changeSecret(op.id, 'baru-dan-kuat', asBudi, 'rahasia-kuat');
    expect(await svc.signIn('budi', 'baru-dan-kuat')).toMatchObject({ ok: true });

    for (let i = 0; i < 5; i++) await svc.signIn('budi', 'nope-nope');
    expect(await svc.signIn('budi', 'baru-dan-kuat')).toMatchObject({ ok: false, reason: 'locked' });
    expect(svc.get(op.id)!.failed_attempts).toBe(4);
    svc.unlock(op.id, asSiti);
    expect(await svc.signIn('budi', 'baru-dan-kuat')).toMatchObject({ ok: true });
    expect(() => svc.setActive(admin.id, false, asSiti)).toThrow(/last active admin/);
    svc.setRole(op.id, 'admin', asSiti);
    svc.setActive(admin.id, false, { type: 'operator', id: 'budi' });
    expect(await svc.signIn('siti', '482913')).toMatchObject({ ok: false, reason: 'invalid' });
    const renamed = await svc.update(
      op.id,
      { displayName: 'Budi S.', secret: 'lagi-baru-kuat', currentSecret: 'baru-dan-kuat' },
      { type: 'operator', id: 'budi' },
    );
    expect(renamed).toMatchObject({ display_name: 'Budi S.', role: 'admin' });
    await expect(svc.update(op.id, { displayName: ' ' }, asSiti)).rejects.toThrow(/empty/);
    const actions = audit.list({ targetType: 'operator' }).map((e) => `${e.action}:${e.actor_id}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'operator.unlock:siti',
        'operator.role:siti',
        'operator.deactivate:budi',
        'operator.secret_change:budi',
      ]),
    );
  });

  it('rehashes a secret made with weaker parameters at the next sign-in', async () => {
    const weak = new OperatorService({ db: env.db, clock, scrypt: { ln: 8, r: 8, p: 1 } });
    await weak.create({ username: 'dewi', displayName: 'Dewi', role: 'operator', secret: '739164' }, CLI);
    expect(await svc.signIn('dewi', '739164')).toMatchObject({ ok: true });
    const { secret_hash } = env.db.prepare("SELECT secret_hash FROM operators WHERE username = 'dewi'").get() as {
      secret_hash: string;
    };
    expect(secret_hash).toMatch(/^\$scrypt\$ln=10,/);
  });
});
