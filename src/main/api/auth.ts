import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyScope } from '../../shared/access';
import { HadirError } from '../../shared/errors';

/** `read`: analyse images; `write`: enroll and edit people; `admin`: keys and settings (none implies another). */
export type ApiScope = ApiKeyScope;

/** Who a valid key belongs to. */
export interface ApiPrincipal {
  id: number | string;
  name: string;
  scopes: readonly ApiScope[];
}

/**
 * Checks API keys. The key store (services/api-keys.ts: hashed keys, revocation) implements it; the
 * server only asks. `verify` answers null for an unknown or revoked key.
 */
export interface KeyVerifier {
  verify(key: string): ApiPrincipal | null | Promise<ApiPrincipal | null>;
  /** Whether any usable key exists: binding beyond loopback is refused without one. */
  hasKeys(): boolean | Promise<boolean>;
}

/**
 * Who may call a route:
 * - `public`: anyone (health);
 * - `analysis`: anyone on a loopback bind (the documented curl commands work as written), a key with
 *   `read` otherwise; identities are named only for a `read` key either way;
 * - `legacy`: the old Flask routes: clients on loopback need no key (the old caller sends none), others
 *   a `read` key; failures are answered 200.
 */
export type Access = 'public' | 'analysis' | 'legacy';

/** The key a request carries: `Authorization: Bearer …` or `X-API-Key: …`; null when it carries none. */
export function requestKey(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.trim() !== '') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw new HadirError('UNAUTHORIZED', 'the Authorization header must be "Bearer <API key>"');
    return m[1];
  }
  const x = headers['x-api-key'];
  if (Array.isArray(x)) throw new HadirError('UNAUTHORIZED', 'send one X-API-Key header');
  if (typeof x === 'string' && x.trim() !== '') return x.trim();
  return null;
}

export function hasScope(p: ApiPrincipal | null, scope: ApiScope): boolean {
  return p !== null && p.scopes.includes(scope);
}

/** An in-memory verifier over fixed keys: tests, and a fallback where no key store is available. */
export function staticKeyVerifier(
  keys: Record<string, Omit<ApiPrincipal, 'id'> & { id?: ApiPrincipal['id'] }>,
): KeyVerifier {
  const map = new Map(
    Object.entries(keys).map(([k, p], i) => [k, { id: p.id ?? i + 1, name: p.name, scopes: p.scopes }]),
  );
  return {
    verify: (key) => map.get(key) ?? null,
    hasKeys: () => map.size > 0,
  };
}
