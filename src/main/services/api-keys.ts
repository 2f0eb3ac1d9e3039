import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_SCOPES, type ApiKeyInfo, type ApiKeyScope } from '../../shared/access';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { ApiKeysRepo } from '../store/api-keys-repo';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { type Clock, systemClock } from './clock';

/** Every key starts with this, so a leaked one is recognisable (and secret scanners can be taught it). */
export const API_KEY_PREFIX = 'hadir_';
/** Characters of the key kept in clear to tell keys apart: the prefix and 8 more (48 bits, not enough to guess the rest). */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8;
/** `last_used_at` is written at most this often per key, so each request does not cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** Who a valid key belongs to (the shape the HTTP server's key verifier answers). */
export interface ApiKeyPrincipal {
  id: number;
  name: string;
  scopes: ApiKeyScope[];
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * API keys: 256 random bits, shown once at creation and stored only as a SHA-256 hash (a key is
 * random, so a fast hash is enough: there is no dictionary to try) plus its first characters. Scopes
 * are independent ('admin' does not imply 'read'): give every scope a key needs.
 */
export class ApiKeyService {
  readonly repo: ApiKeysRepo;
  private readonly clock: Clock;
  private readonly audit: AuditRepo;

  constructor(
    private readonly db: Db,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
    this.repo = new ApiKeysRepo(db);
    this.audit = new AuditRepo(db, () => this.clock.now());
  }

  /** Create a key; the plaintext is returned this once and never stored. */
  create(name: string, scopes: readonly string[], actor: Actor): { key: string; info: ApiKeyInfo } {
    const n = name?.trim();
    if (!n) throw new HadirError('BAD_REQUEST', 'a key needs a name (who or what uses it)');
    const wanted = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
    if (wanted.length === 0)
      throw new HadirError('BAD_REQUEST', `give at least one scope: ${API_KEY_SCOPES.join(', ')}`);
    const unknown = wanted.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (unknown.length)
      throw new HadirError('BAD_REQUEST', `unknown scope ${unknown.join(', ')} (use ${API_KEY_SCOPES.join(', ')})`);
    const ordered = API_KEY_SCOPES.filter((s) => wanted.includes(s));
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const info = this.db
      .transaction(() => {
        const row = this.repo.insert({
          name: n,
          prefix: key.slice(0, SHOWN_CHARS),
          key_hash: sha256(key),
          scopes: ordered,
          at: this.clock.now().toISOString(),
        });
        this.audit.record({
          actor,
          action: 'api_key.create',
          targetType: 'api_key',
          targetId: row.id,
          details: { name: n, prefix: row.prefix, scopes: ordered },
        });
        return row;
      })
      .immediate();
    return { key, info };
  }

  list(): ApiKeyInfo[] {
    return this.repo.list();
  }

  revoke(id: number, actor: Actor): boolean {
    return this.db
      .transaction(() => {
        const k = this.repo.get(id);
        if (!k) throw new HadirError('NOT_FOUND', `no API key ${id}`);
        const done = this.repo.revoke(id, this.clock.now().toISOString());
        if (done)
          this.audit.record({
            actor,
            action: 'api_key.revoke',
            targetType: 'api_key',
            targetId: id,
            details: { name: k.name, prefix: k.prefix },
          });
        return done;
      })
      .immediate();
  }

  /**
   * The key's owner and scopes, or null for an unknown or revoked key. The lookup is by the key's
   * hash, so timing reveals nothing about stored keys.
   */
  verify(key: string): ApiKeyPrincipal | null {
    if (typeof key !== 'string' || !key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
    const k = this.repo.findActiveByHash(sha256(key));
    if (!k) return null;
    const now = this.clock.now();
    if (!k.last_used_at || now.getTime() - new Date(k.last_used_at).getTime() >= TOUCH_INTERVAL_MS) {
      // Best effort: "last used" is information, not access control. A read-only or busy database
      // (a backup being restored, a full disk) must not turn every keyed request into a failure.
      try {
        this.repo.touch(k.id, now.toISOString());
      } catch {
        // The next request tries again.
      }
    }
    return { id: k.id, name: k.name, scopes: k.scopes };
  }

  /** Whether any key can be used (the HTTP server refuses to listen beyond loopback without one). */
  hasKeys(): boolean {
    return this.repo.countActive() > 0;
  }
}
