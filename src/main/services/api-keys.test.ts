import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { tempDb } from '../testing/temp-db';
import { ApiKeyService } from './api-keys';
import { TestClock } from './clock';

const CLI: Actor = { type: 'cli', id: 'root' };
let env: ReturnType<typeof tempDb>;
let clock: TestClock;
let keys: ApiKeyService;

beforeEach(() => {
  env = tempDb();
  clock = new TestClock('2025-01-06T01:00:00Z');
  keys = new ApiKeyService(env.db, clock);
});
afterEach(() => env.cleanup());

describe('API keys', () => {
  it('returns the key once, stores only its SHA-256 and prefix, and verifies it to its scopes', () => {
    expect(keys.hasKeys()).toBe(false);
    const { key, info } = keys.create('attendance sync', ['write', 'read', 'read'], CLI);
    expect(key).toMatch(/^hadir_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({
      name: 'attendance sync',
      prefix: key.slice(0, 14),
      scopes: ['read', 'write'],
      revoked_at: null,
      last_used_at: null,
    });
    const row = env.db.prepare('SELECT * FROM api_keys').get() as Record<string, string>;
    expect(row.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key);
    expect(keys.hasKeys()).toBe(true);

    expect(keys.verify(key)).toEqual({ id: info.id, name: 'attendance sync', scopes: ['read', 'write'] });
    expect(keys.list()[0].last_used_at).toBe('2025-01-06T01:00:00.000Z');
    clock.advance(30_000);
    keys.verify(key); // within a minute: not written again
    expect(keys.list()[0].last_used_at).toBe('2025-01-06T01:00:00.000Z');
    clock.advance(60_000);
    keys.verify(key);
    expect(keys.list()[0].last_used_at).toBe('2025-01-06T01:01:30.000Z');

    expect(keys.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(keys.verify('')).toBeNull();
    expect(keys.verify('Bearer nonsense')).toBeNull();
  });

  it('revokes, and audits creation and revocation', () => {
    const { key, info } = keys.create('old kiosk', ['read'], CLI);
    expect(keys.revoke(info.id, { type: 'operator', id: 'siti' })).toBe(true);
    expect(keys.revoke(info.id, CLI)).toBe(false);
    expect(keys.verify(key)).toBeNull();
    expect(keys.hasKeys()).toBe(false);
    expect(() => keys.revoke(999, CLI)).toThrow(/no API key/);
    const audit = new AuditRepo(env.db).list({ targetType: 'api_key' }).reverse();
    expect(audit.map((e) => [e.action, e.actor_id])).toEqual([
      ['api_key.create', 'root'],
      ['api_key.revoke', 'siti'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(key);
  });

  it('refuses unknown scopes and nameless keys', () => {
    expect(() => keys.create('x', ['read', 'superuser'], CLI)).toThrow(/unknown scope superuser/);
    expect(() => keys.create('x', [], CLI)).toThrow(/at least one scope/);
    expect(() => keys.create(' ', ['read'], CLI)).toThrow(/name/);
  });
});
