/**
 * Who is calling, and whether they may: the one place the HTTP API (and the IPC layer, through the
 * transport-neutral {@link resolveCredentials} and {@link checkAccess}) decides access.
 *
 * A caller presents at most one credential:
 * - an API key (`Authorization: Bearer …` or `X-API-Key`) → its scopes (`read`, `write`, `admin`, `kiosk`);
 * - an operator session (the {@link SESSION_HEADER} header, never a cookie, so a cross-site page
 *   cannot ride on it) → the operator's current role (`operator`, `admin`);
 * - nothing → anonymous, and whether it connects over loopback (client-address.ts decides, proxies
 *   included).
 *
 * Levels (the contract's `auth` column, plus the scope-based ones of the public API):
 * | level      | who passes                                                                         |
 * |------------|------------------------------------------------------------------------------------|
 * | `public`   | anyone                                                                             |
 * | `kiosk`    | a loopback client, any operator session, or a key with `kiosk` (a paired tablet) or `read` |
 * | `setup`    | only while no admin account exists (first run), and then the app's own window (IPC), a caller with the one-time setup token ({@link SETUP_HEADER}), or a key with `admin` |
 * | `read`     | any operator session, or a key with `read`                                          |
 * | `write`    | any operator session, or a key with `write`                                         |
 * | `operator` | any operator session (role operator or admin), or a key with `write`                |
 * | `session`  | any operator session (role operator or admin), never an API key: face pictures     |
 * | `admin`    | an admin's session, or a key with `admin`                                           |
 *
 * Refusals: 401 UNAUTHORIZED without a usable credential (none, unknown, revoked, expired), 403
 * FORBIDDEN with a valid one that is not enough. Scopes are independent (an `admin` key does not read).
 * A `kiosk` key (what pairing a door tablet gives) passes only the `kiosk` level: every other level,
 * and the analysis and old routes (auth.ts), want a scope it lacks.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_HEADER, SETUP_HEADER } from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import type { ActiveSession } from '../services/sessions';
import { type ApiPrincipal, type ApiScope, hasScope, type KeyVerifier, requestKey } from './auth';
import { type ClientAddress, clientAddress, TrustedProxies } from './client-address';

export type AccessLevel = 'public' | 'kiosk' | 'setup' | 'read' | 'write' | 'operator' | 'session' | 'admin';

export const ACCESS_LEVELS = ['public', 'kiosk', 'setup', 'read', 'write', 'operator', 'session', 'admin'] as const;

export type Principal = (
  | { kind: 'api_key'; key: ApiPrincipal; loopback: boolean }
  | { kind: 'session'; session: ActiveSession; loopback: boolean }
  | { kind: 'anonymous'; loopback: boolean }
) & {
  /**
   * May run first-run setup: the app's own window, or a caller that presented the one-time setup
   * token. Never a mere loopback connection: behind a local reverse proxy everyone is loopback.
   */
  setupGrant?: boolean;
};

/** The one-time first-run token `hadir serve` prints (setup-token.ts); checked in constant time. */
export interface SetupTokenCheck {
  check(token: string | null): boolean;
}

/** What resolves a session token; {@link SessionService} is one. */
export interface SessionResolver {
  /** `touch: false` looks the session up without counting it as activity (its idle timer runs on). */
  resolve(token: string | null | undefined, opts?: { touch?: boolean }): ActiveSession | null;
}

/** The credential stores access is decided against. */
export interface AccessControl {
  keys: KeyVerifier | null;
  sessions: SessionResolver | null;
  /** Whether first-run setup is still open: no admin account exists yet. */
  setupOpen: () => boolean;
  /** The first-run token of this server; null/absent: setup over HTTP needs an `admin` key. */
  setupToken?: SetupTokenCheck | null;
  /** Whose forwarding headers are believed (none by default). */
  trustedProxies?: TrustedProxies;
}

/** The session token a request carries in {@link SESSION_HEADER}; null when it carries none. */
export function sessionToken(headers: IncomingHttpHeaders): string | null {
  const v = headers[SESSION_HEADER.toLowerCase()];
  if (Array.isArray(v)) throw new HadirError('BAD_REQUEST', `send one ${SESSION_HEADER} header`);
  if (typeof v !== 'string' || v.trim() === '') return null;
  return v.trim();
}

/**
 * The principal behind the given credentials. Strict: a key or token that is present but not valid is
 * 401 (a client with a stale session learns it must sign in again, rather than silently becoming
 * anonymous). A paired door tablet sends its key with every request and an operator's session once
 * someone signs in on it: a live session then acts (the operator is who changes things), and the key
 * when the session has ended.
 */
export async function resolveCredentials(
  cred: {
    apiKey: string | null;
    sessionToken: string | null;
    loopback: boolean;
    touch?: boolean;
    /** The first-run token the caller presented (HTTP: the {@link SETUP_HEADER} header). */
    setupToken?: string | null;
    /** The app's own window (IPC): trusted like the CLI for first-run setup. */
    appWindow?: boolean;
  },
  control: AccessControl,
): Promise<Principal> {
  const { apiKey, sessionToken: token, loopback } = cred;
  const grant =
    cred.appWindow === true ||
    (cred.setupToken != null && control.setupOpen() && (control.setupToken?.check(cred.setupToken) ?? false));
  const setupGrant = grant ? { setupGrant: true } : {};
  if (token !== null) {
    const session = control.sessions?.resolve(token, { touch: cred.touch !== false }) ?? null;
    if (session) return { kind: 'session', session, loopback, ...setupGrant };
    if (apiKey === null) {
      throw new HadirError('UNAUTHORIZED', 'the session has expired or was signed out; sign in again');
    }
  }
  if (apiKey !== null) {
    const key = control.keys ? await control.keys.verify(apiKey) : null;
    if (!key) throw new HadirError('UNAUTHORIZED', 'unknown or revoked API key');
    return { kind: 'api_key', key, loopback, ...setupGrant };
  }
  return { kind: 'anonymous', loopback, ...setupGrant };
}

const SCOPE_OF: Partial<Record<AccessLevel, ApiScope>> = {
  kiosk: 'kiosk',
  read: 'read',
  write: 'write',
  operator: 'write',
  admin: 'admin',
  setup: 'admin',
};

const NEEDS = (level: AccessLevel) =>
  level === 'admin'
    ? 'an admin\'s session or an API key with the "admin" scope'
    : level === 'session'
      ? "an operator's session"
      : `an operator session or an API key with the "${SCOPE_OF[level]}" scope`;

/** Throws 401/403 unless `p` may use a route of `level`. Transport-neutral: IPC calls it too. */
export function checkAccess(p: Principal, level: AccessLevel, control: Pick<AccessControl, 'setupOpen'>): void {
  if (level === 'public') return;
  if (level === 'setup') {
    if (!control.setupOpen()) {
      throw new HadirError('FORBIDDEN', 'setup is finished: an admin account exists (sign in as an admin instead)');
    }
    if (p.setupGrant === true || (p.kind === 'api_key' && hasScope(p.key, 'admin'))) return;
    throw new HadirError(
      'FORBIDDEN',
      'first-run setup needs the setup link that `hadir serve` printed (…/app/?setup=<token>), the app window, ' +
        'or the command line (`hadir operators add --role admin`)',
    );
  }
  if (level === 'kiosk' && p.loopback && p.kind === 'anonymous') return;
  switch (p.kind) {
    case 'anonymous':
      throw new HadirError(
        'UNAUTHORIZED',
        `this needs ${NEEDS(level)} (${SESSION_HEADER}, Authorization: Bearer <key> or X-API-Key)`,
      );
    case 'session':
      if (level !== 'admin' || p.session.role === 'admin') return;
      throw new HadirError('FORBIDDEN', 'only an admin may do this');
    case 'api_key': {
      // Pictures of faces are for the operator at the screen: no key is least privilege enough.
      if (level === 'session') throw new HadirError('FORBIDDEN', 'this needs an operator session; API keys may not');
      const scope = SCOPE_OF[level]!;
      if (hasScope(p.key, scope)) return;
      // Tablets paired before the `kiosk` scope existed hold a `read` key: they keep streaming frames.
      if (level === 'kiosk' && hasScope(p.key, 'read')) return;
      throw new HadirError('FORBIDDEN', `this API key lacks the "${scope}" scope`);
    }
  }
}

/** Who the audit log names for a change made by `p`. */
export function actorOf(p: Principal): Actor {
  switch (p.kind) {
    case 'api_key':
      // By id: names are free text and need not be unique.
      return { type: 'api_key', id: String(p.key.id) };
    case 'session':
      return { type: 'operator', id: p.session.username };
    case 'anonymous':
      // Only setup (first run, with the token) and kiosk routes let an anonymous caller change anything.
      return { type: 'system', id: p.setupGrant ? 'setup' : p.loopback ? 'loopback' : null };
  }
}

// ─── The fastify side ──────────────────────────────────────────────────────────────────────────────

declare module 'fastify' {
  interface FastifyInstance {
    hadirAccess: AccessControl;
  }
  interface FastifyRequest {
    /** The resolved caller, once {@link resolvePrincipal} has run for this request. */
    caller: Principal | null;
    /** The client's address and whether it is local, once {@link requestClient} has run. */
    client: ClientAddress | null;
  }
}

/** Install the credential stores on a server; `createServer` does this. */
export function installAccess(app: FastifyInstance, control: AccessControl): void {
  app.decorate('hadirAccess', control);
  app.decorateRequest('caller', null);
  app.decorateRequest('client', null);
}

const NO_PROXIES = new TrustedProxies();

/** The request's client (decided once, then cached): every loopback and per-address decision reads it. */
export function requestClient(req: FastifyRequest): ClientAddress {
  req.client ??= clientAddress(
    req.socket.remoteAddress,
    req.headers,
    req.server.hadirAccess.trustedProxies ?? NO_PROXIES,
  );
  return req.client;
}

/** The first-run token a request carries in {@link SETUP_HEADER}; null when none. */
export function setupTokenOf(headers: IncomingHttpHeaders): string | null {
  const v = headers[SETUP_HEADER.toLowerCase()];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/**
 * The request's principal (resolved once, then cached on the request); strict like {@link resolveCredentials}.
 * `touch: false`: a session it carries is not counted as activity (see {@link requireAccess}).
 */
export async function resolvePrincipal(req: FastifyRequest, opts: { touch?: boolean } = {}): Promise<Principal> {
  if (req.caller) return req.caller;
  const p = await resolveCredentials(
    {
      apiKey: requestKey(req.headers),
      sessionToken: sessionToken(req.headers),
      loopback: requestClient(req).loopback,
      touch: opts.touch,
      setupToken: setupTokenOf(req.headers),
    },
    req.server.hadirAccess,
  );
  req.caller = p;
  if (p.kind === 'api_key') req.principal = p.key;
  return p;
}

/**
 * Resolve the caller and throw 401/403 unless they may use a route of `level`; returns the principal.
 * Kiosk-level requests (camera frames, several a second) never keep an operator signed in: an operator
 * who walks away from the door tablet is signed out after the idle time although the kiosk streams on.
 */
export async function requireAccess(req: FastifyRequest, level: AccessLevel): Promise<Principal> {
  const p = await resolvePrincipal(req, { touch: level !== 'kiosk' });
  checkAccess(p, level, req.server.hadirAccess);
  return p;
}

/** The caller for a `public` route: a stale or unknown credential counts as anonymous there. */
export async function optionalPrincipal(req: FastifyRequest): Promise<Principal> {
  try {
    return await resolvePrincipal(req);
  } catch (e) {
    if (e instanceof HadirError && e.code === 'UNAUTHORIZED') {
      return { kind: 'anonymous', loopback: requestClient(req).loopback };
    }
    throw e;
  }
}

/** The audit actor of a request whose access was checked; throws if it was not (a wiring mistake). */
export function requestActor(req: FastifyRequest): Actor {
  if (!req.caller) throw new HadirError('INTERNAL', 'the caller was not resolved before a change');
  return actorOf(req.caller);
}
