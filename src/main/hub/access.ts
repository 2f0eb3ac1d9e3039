import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { API_KEY_SCOPES } from '../../shared/access';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { API_KEY_PREFIX } from '../services/api-keys';
import { checkSecretStrength } from '../services/operators';
import { hashSecret } from '../services/secret-hash';
import { sha256Hex } from './pairing';
import { type HubRole, insertApiKey, insertOperator } from './store/access';
import { recordAudit } from './store/audit';
import { inTransaction, isUniqueViolation } from './store/db';
import { sitesByCodes } from './store/sites';

export const HUB_ROLES: readonly HubRole[] = ['admin', 'personnel', 'site-head'];

/**
 * An operator of the organisation. An admin acts on every site; personnel officers and site heads on
 * the sites given. The secret is hashed as the kiosk's operators' are (scrypt).
 */
export async function addOperator(
  pool: pg.Pool,
  input: { username: string; displayName?: string; role: string; sites: readonly string[]; secret: string },
  actor: Actor,
): Promise<{ id: number; username: string; role: HubRole; sites: string[] }> {
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(username)) {
    throw new HadirError('BAD_REQUEST', 'a username is 2-64 letters, digits, ".", "_" or "-"');
  }
  if (!(HUB_ROLES as readonly string[]).includes(input.role)) {
    throw new HadirError('BAD_REQUEST', `role must be one of ${HUB_ROLES.join(', ')}`);
  }
  const role = input.role as HubRole;
  if (role !== 'admin' && input.sites.length === 0) {
    throw new HadirError('BAD_REQUEST', `a ${role} acts on given sites: add --site CODE (one or more)`);
  }
  checkSecretStrength(input.secret);
  const secretHash = await hashSecret(input.secret);
  try {
    return await inTransaction(pool, async (tx) => {
      const codes = [...new Set(input.sites)];
      const sites = await sitesByCodes(tx, codes);
      const missing = codes.filter((c) => !sites.some((s) => s.code === c));
      if (missing.length) throw new HadirError('NOT_FOUND', `no site ${missing.map((m) => `"${m}"`).join(', ')}`);
      const { id } = await insertOperator(tx, {
        username,
        displayName: input.displayName?.trim() || username,
        role,
        secretHash,
        siteIds: sites.map((s) => s.id),
      });
      await recordAudit(tx, {
        actor,
        action: 'operator.create',
        targetType: 'operator',
        targetId: username,
        details: { role, sites: codes },
      });
      return { id, username, role, sites: codes };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new HadirError('CONFLICT', `an operator "${username}" already exists`);
    throw e;
  }
}

/** An API key for the hub's API, shown once; only its SHA-256 is stored (same form as the kiosk's keys). */
export async function createApiKey(
  pool: pg.Pool,
  name: string,
  scopes: readonly string[],
  actor: Actor,
): Promise<{ key: string; id: number; name: string; scopes: string[]; created_at: string }> {
  const n = name.trim();
  if (!n) throw new HadirError('BAD_REQUEST', 'a key needs a name (who or what uses it)');
  const wanted = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
  const unknown = wanted.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (wanted.length === 0 || unknown.length) {
    throw new HadirError('BAD_REQUEST', `scopes must be some of ${API_KEY_SCOPES.join(', ')}`);
  }
  const ordered = API_KEY_SCOPES.filter((s) => wanted.includes(s));
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return inTransaction(pool, async (tx) => {
    const row = await insertApiKey(tx, {
      name: n,
      prefix: key.slice(0, API_KEY_PREFIX.length + 8),
      keyHash: sha256Hex(key),
      scopes: ordered,
    });
    await recordAudit(tx, {
      actor,
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: row.id,
      details: { name: n, scopes: ordered },
    });
    return { key, id: row.id, name: n, scopes: [...ordered], created_at: row.created_at.toISOString() };
  });
}
