/**
 * Who a request to the hub's organisation API is: an operator signed in to the console (the
 * `hadir_hub_session` cookie) or an API key (`Authorization: Bearer`, `hadir hub keys create`). One
 * guard for both, so the console and office software reach the same routes with the same rules:
 *
 * - an operator may what their role may (`roleMay`, src/shared/hub-admin.ts), on their sites only
 *   (an admin on every site);
 * - a key may what its scopes say — `read`: view; `write`: correct and enter leave; `admin`: devices,
 *   deleting people, the audit log — on every site (scopes are independent, as on the kiosk);
 * - a cookie-signed request that changes something (POST, PUT, PATCH, DELETE), and signing in and out,
 *   must carry `x-hadir-console: 1`, a header a cross-site form or link cannot set (the cookie is
 *   SameSite=Strict besides), and, when the browser names its Origin, come from this hub's own origin.
 *
 * Sessions: a 256-bit random token in an HttpOnly cookie; the hub stores only its SHA-256
 * (store/sessions.ts), 8 h after the last use and at most 12 h after sign-in. Guessing secrets is slowed
 * per (username, client address) by the kiosk's own back-off (services/sign-in-backoff.ts): unknown
 * names, inactive operators and wrong secrets get one answer after the same work.
 */
import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { type ConsoleSession, type HubPermission, type HubRoleName, roleMay } from '../../shared/hub-admin';
import type { Actor } from '../../shared/people';
import { requestKey } from '../api/auth';
import { clientAddress, TrustedProxies } from '../api/client-address';
import { hashSecret, needsRehash, type ScryptParams, verifySecret } from '../services/secret-hash';
import { type HubContext, withReason, withRetryAfter } from './http';
import { sha256Hex } from './pairing';
import { useApiKey } from './store/access';
import { recordAudit } from './store/audit';
import { homeSiteOf } from './store/console-people';
import { inTransaction } from './store/db';
import {
  deleteSession,
  insertSession,
  type LiveSession,
  operatorByUsername,
  purgeExpiredSessions,
  SESSION_ABSOLUTE_HOURS,
  useSession,
} from './store/sessions';

export const SESSION_COOKIE = 'hadir_hub_session';
/** The header every console request carries; required on a cookie-signed change. */
export const CONSOLE_HEADER = 'x-hadir-console';

export interface ConsolePrincipal {
  /** Who the audit log names: `operator:<username>` or `api_key:<id>`. */
  actor: Actor;
  /** An operator's role; for a key, `admin` when it has the admin scope, else `personnel` (what decides for a key is its scopes). */
  role: HubRoleName;
  /** The sites it acts on; null: every site. */
  sites: string[] | null;
  via: 'session' | 'api_key';
  /** A key's scopes (null for a session). */
  scopes: readonly string[] | null;
  /** The signed-in operator (null for a key). */
  session: LiveSession | null;
}

/** What each permission needs of an API key. */
const KEY_SCOPE: Record<HubPermission, string> = {
  view: 'read',
  correct: 'write',
  leave: 'write',
  // Enrolling biometric data in bulk is an administrator's key, as deleting people is.
  import: 'admin',
  devices: 'admin',
  delete_person: 'admin',
  audit: 'admin',
};

export function may(p: ConsolePrincipal, what: HubPermission): boolean {
  if (p.via === 'api_key') return (p.scopes ?? []).includes(KEY_SCOPE[what]);
  return roleMay(p.role, what);
}

const WHAT: Record<HubPermission, string> = {
  view: 'see attendance',
  correct: 'correct attendance',
  leave: 'enter leave',
  import: 'import photos',
  devices: 'manage devices',
  delete_person: 'delete people',
  audit: 'read the audit log',
};

export function requirePermission(p: ConsolePrincipal, what: HubPermission): void {
  if (may(p, what)) return;
  if (p.via === 'api_key') throw new HadirError('FORBIDDEN', `this API key lacks the "${KEY_SCOPE[what]}" scope`);
  throw new HadirError('FORBIDDEN', `a ${p.role} may not ${WHAT[what]}`);
}

/** A site the principal may not act on is refused (403); a key and an admin may act on all. */
export function requireSiteAccess(p: ConsolePrincipal, site: string | undefined | null): void {
  if (site === undefined || site === null || p.sites === null) return;
  if (!p.sites.includes(site)) throw new HadirError('FORBIDDEN', `site "${site}" is not one of yours`);
}

/** The sites a query covers: the one asked for (checked), else every site of the principal (null: all). */
export function sitesInView(p: ConsolePrincipal, site: string | undefined): string[] | null {
  requireSiteAccess(p, site);
  return site !== undefined ? [site] : p.sites;
}

/**
 * A decision about a person (a correction, leave) needs their home site among the principal's: the
 * home office keeps a person's record, a visitor's day is corrected there. A person the hub does not
 * know passes (the action itself answers 404).
 */
export async function requirePersonAccess(pool: pg.Pool, p: ConsolePrincipal, employeeNumber: string): Promise<void> {
  if (p.sites === null) return;
  const home = await homeSiteOf(pool, employeeNumber);
  if (home !== null && !p.sites.includes(home)) {
    throw new HadirError('FORBIDDEN', `${employeeNumber} belongs to site "${home}", not one of yours`);
  }
}

// --- Cookies, TLS and the hub's URL -----------------------------------------------------------------

/** Whether the request reached the hub over TLS (the hub does not sit behind a trusted proxy). */
export function overTls(req: FastifyRequest): boolean {
  return (req.raw.socket as Partial<TLSSocket>).encrypted === true;
}

/** The hub's URL as the browser reached it (scheme and Host; the Host was checked by the server). */
export function hubUrlOf(req: FastifyRequest): string {
  return `${overTls(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

function cookieValue(req: FastifyRequest, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** Tokens are 43 characters of base64url: anything else is not one of ours (and is not hashed). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function sessionToken(req: FastifyRequest): string | null {
  const t = cookieValue(req, SESSION_COOKIE);
  return t && TOKEN.test(t) ? t : null;
}

function setSessionCookie(reply: FastifyReply, req: FastifyRequest, token: string, maxAgeS: number): void {
  const attrs = [`${SESSION_COOKIE}=${token}`, 'HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${maxAgeS}`];
  if (overTls(req)) attrs.push('Secure');
  void reply.header('set-cookie', attrs.join('; '));
  // A page with the session must not be kept by a shared cache.
  void reply.header('cache-control', 'no-store');
}

function clearSessionCookie(reply: FastifyReply, req: FastifyRequest): void {
  setSessionCookie(reply, req, '', 0);
}

// --- Authentication ---------------------------------------------------------------------------------

const principals = new WeakMap<FastifyRequest, ConsolePrincipal>();

/** The principal the guard found for this request (set by {@link consoleGuard}). */
export function principalOf(req: FastifyRequest): ConsolePrincipal {
  const p = principals.get(req);
  if (!p) throw new HadirError('UNAUTHORIZED', 'sign in or send an API key (Authorization: Bearer <key>)');
  return p;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A cookie-signed change must come from the console itself (see the module comment). */
function checkConsoleOrigin(req: FastifyRequest): void {
  if (!UNSAFE.has(req.method)) return;
  if (req.headers[CONSOLE_HEADER] !== '1') {
    throw withReason(
      new HadirError('FORBIDDEN', `a console request that changes something must carry "${CONSOLE_HEADER}: 1"`),
      'CONSOLE_HEADER_MISSING',
    );
  }
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    if (host === null || host !== req.headers.host) {
      throw withReason(new HadirError('FORBIDDEN', 'a request from another origin'), 'CROSS_ORIGIN');
    }
  }
}

function sessionPrincipal(s: LiveSession): ConsolePrincipal {
  const admin = s.operator.role === 'admin';
  return {
    actor: { type: 'operator', id: s.operator.username },
    role: s.operator.role,
    sites: admin ? null : [...s.operator.sites],
    via: 'session',
    scopes: null,
    session: s,
  };
}

/**
 * The request's principal: an API key when the request names one (an unknown or revoked key is 401,
 * whatever cookie comes with it), else the session cookie. Null when it carries neither.
 */
export async function authenticate(ctx: HubContext, req: FastifyRequest): Promise<ConsolePrincipal | null> {
  const key = requestKey(req.headers);
  if (key !== null) {
    const found = await useApiKey(ctx.pool, sha256Hex(key));
    if (!found) throw new HadirError('UNAUTHORIZED', 'unknown or revoked API key');
    return {
      actor: { type: 'api_key', id: String(found.id) },
      role: found.scopes.includes('admin') ? 'admin' : 'personnel',
      sites: null,
      via: 'api_key',
      scopes: found.scopes,
      session: null,
    };
  }
  const token = sessionToken(req);
  if (token === null) return null;
  const s = await useSession(ctx.pool, sha256Hex(token));
  if (!s) {
    throw withReason(new HadirError('UNAUTHORIZED', 'the session has ended; sign in again'), 'SESSION_ENDED');
  }
  return sessionPrincipal(s);
}

/**
 * The route guard: a principal (session or key) that may `what` (null: any signed-in principal), the
 * console header on a cookie-signed change. Runs before the body is read.
 */
export function consoleGuard(what: HubPermission | null) {
  return async (ctx: HubContext, req: FastifyRequest): Promise<void> => {
    const p = await authenticate(ctx, req);
    if (!p) {
      throw new HadirError('UNAUTHORIZED', 'sign in or send an API key (Authorization: Bearer <key>)');
    }
    if (p.via === 'session') checkConsoleOrigin(req);
    if (what) requirePermission(p, what);
    principals.set(req, p);
  };
}

// --- Signing in and out ------------------------------------------------------------------------------

const UNKNOWN = 'unknown username or wrong secret';

const dummyHashes = new Map<string, Promise<string>>();
/** A hash to check against for a name that has no usable account: the same work as a real check. */
function dummy(params: ScryptParams): Promise<string> {
  const key = `${params.ln},${params.r},${params.p}`;
  let h = dummyHashes.get(key);
  if (!h) {
    h = hashSecret(randomBytes(16).toString('hex'), params);
    dummyHashes.set(key, h);
  }
  return h;
}

export function clientOf(req: FastifyRequest): string {
  return clientAddress(req.socket.remoteAddress, req.headers, NO_PROXIES).address;
}
const NO_PROXIES = new TrustedProxies([]);

export function consoleSessionView(s: LiveSession, req: FastifyRequest): ConsoleSession {
  const admin = s.operator.role === 'admin';
  return {
    operator: {
      username: s.operator.username,
      display_name: s.operator.display_name,
      role: s.operator.role,
      sites: admin ? null : [...s.operator.sites],
    },
    hub_url: hubUrlOf(req),
    expires_at: s.expires_at.toISOString(),
  };
}

/** POST /api/v1/hub/session: check the secret, open a session, set its cookie. */
export async function signIn(
  ctx: HubContext,
  req: FastifyRequest,
  reply: FastifyReply,
  body: { username: string; secret: string },
): Promise<ConsoleSession> {
  // Only the console signs in (no sign-in forced on a browser from another site).
  checkConsoleOrigin(req);
  const name = body.username.trim().toLowerCase().slice(0, 64);
  const from = clientOf(req);
  const start = ctx.signInBackoff.begin(name, from);
  if ('waitUntil' in start) {
    const wait = (new Date(start.waitUntil).getTime() - Date.now()) / 1000;
    throw withRetryAfter(
      withReason(
        new HadirError('RATE_LIMITED', `too many failed sign-ins; try again in ${Math.max(1, Math.ceil(wait))} s`),
        'SIGN_IN_BACKOFF',
      ),
      wait,
    );
  }
  if (start.backoffStarted) {
    await recordAudit(ctx.pool, {
      actor: { type: 'system', id: null },
      action: 'operator.sign_in_backoff',
      targetType: 'operator',
      targetId: name,
      details: { from, failures: start.attempt },
    });
  }
  const who: Actor = { type: 'operator', id: name || null };
  const found = name ? await operatorByUsername(ctx.pool, name) : null;
  const usable = found?.active ? found : null;
  // The same work for a missing or inactive name as for a real check.
  const ok = await verifySecret(body.secret, usable ? usable.secret_hash : await dummy(ctx.scrypt));
  if (!usable || !ok) {
    await recordAudit(ctx.pool, {
      actor: who,
      action: 'operator.sign_in_failed',
      targetType: 'operator',
      targetId: name,
      details: { reason: !found ? 'unknown' : !found.active ? 'inactive' : 'wrong_secret', from, via: 'console' },
    });
    throw withReason(new HadirError('UNAUTHORIZED', UNKNOWN), 'SIGN_IN_FAILED');
  }
  ctx.signInBackoff.succeeded(name, from);
  const rehash = needsRehash(usable.secret_hash, ctx.scrypt) ? await hashSecret(body.secret, ctx.scrypt) : null;
  const token = randomBytes(32).toString('base64url');
  const opened = await inTransaction(ctx.pool, async (tx) => {
    await purgeExpiredSessions(tx);
    if (rehash) await tx.query('UPDATE operators SET secret_hash = $2 WHERE id = $1', [usable.id, rehash]);
    const row = await insertSession(tx, { tokenHash: sha256Hex(token), operatorId: usable.id, clientAddress: from });
    await recordAudit(tx, {
      actor: who,
      action: 'operator.sign_in',
      targetType: 'operator',
      targetId: name,
      details: { from, via: 'console' },
    });
    return row;
  });
  setSessionCookie(reply, req, token, SESSION_ABSOLUTE_HOURS * 3600);
  const { secret_hash: _h, active: _a, ...operator } = usable;
  return consoleSessionView({ operator, expires_at: opened.expires_at }, req);
}

/** GET /api/v1/hub/session: the signed-in operator, or 401. */
export async function currentSession(ctx: HubContext, req: FastifyRequest): Promise<ConsoleSession> {
  const token = sessionToken(req);
  const s = token ? await useSession(ctx.pool, sha256Hex(token)) : null;
  if (!s) throw withReason(new HadirError('UNAUTHORIZED', 'not signed in'), 'NO_SESSION');
  return consoleSessionView(s, req);
}

/** DELETE /api/v1/hub/session: end the session (if any) and clear the cookie. */
export async function signOut(ctx: HubContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = sessionToken(req);
  if (token) {
    checkConsoleOrigin(req);
    await inTransaction(ctx.pool, async (tx) => {
      const username = await deleteSession(tx, sha256Hex(token));
      if (username) {
        await recordAudit(tx, {
          actor: { type: 'operator', id: username },
          action: 'operator.sign_out',
          targetType: 'operator',
          targetId: username,
          details: { from: clientOf(req) },
        });
      }
    });
  }
  clearSessionCookie(reply, req);
}
