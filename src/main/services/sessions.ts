import { createHash, randomBytes } from 'node:crypto';
import type { Operator, OperatorRole } from '../../shared/access';
import type { Session, SignInOutcome } from '../../shared/contract';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { type Clock, systemClock } from './clock';
import type { OperatorService } from './operators';

/** Signed out after this long without a request (the contract's `idleSignOutMinutes` default). */
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
/** Signed out this long after signing in, however active: a stolen token is not good forever. */
export const DEFAULT_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;
/** Live sessions kept at most; the oldest go first (a kiosk has a handful of operators). */
const MAX_SESSIONS = 1000;

/** A live operator session as the access layer sees it: never the token itself. */
export interface ActiveSession {
  /** SHA-256 of the token (the map key; also a stable id for logs and rate limiting). */
  id: string;
  operatorId: number;
  username: string;
  displayName: string;
  /** The operator's role now: re-read on every lookup, so a demotion takes effect at once. */
  role: OperatorRole;
  createdAt: string;
  /** The absolute expiry (ISO); the idle timeout may end the session sooner. */
  expiresAt: string;
}

interface Entry {
  operatorId: number;
  createdAt: string;
  expiresAt: string;
  /** Monotonic ms: idle and absolute ages are measured on it, so setting the wall clock changes neither. */
  createdMono: number;
  lastSeenMono: number;
}

export interface SessionServiceOptions {
  db: Db;
  operators: OperatorService;
  clock?: Clock;
  /** Idle timeout in ms, or a function read at every lookup (a site setting). */
  idleTimeoutMs?: number | (() => number);
  absoluteTimeoutMs?: number;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Operator sessions: created on a successful {@link OperatorService.signIn}, identified by an opaque
 * random token (256 bits) that is kept only as its SHA-256 hash, in memory — a restart signs everyone
 * out, which a kiosk can afford and which leaves nothing on disk to steal. A session ends after the
 * idle timeout, at its absolute expiry, on sign-out, or when its operator is deactivated; its role is
 * the operator's current role, looked up on each use.
 */
export class SessionService {
  private readonly sessions = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly audit: AuditRepo;
  private readonly operators: OperatorService;
  private readonly idle: () => number;
  private readonly absoluteMs: number;

  constructor(opts: SessionServiceOptions) {
    this.clock = opts.clock ?? systemClock;
    this.operators = opts.operators;
    this.audit = new AuditRepo(opts.db, () => this.clock.now());
    const idle = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.idle = typeof idle === 'function' ? idle : () => idle;
    this.absoluteMs = opts.absoluteTimeoutMs ?? DEFAULT_ABSOLUTE_TIMEOUT_MS;
  }

  /**
   * Check the name and secret from the client address `from` (back-off and its audit are the operator
   * service's) and open a session. A wrong secret and an unknown name answer alike.
   */
  async signIn(username: string, secret: string, from?: string): Promise<SignInOutcome> {
    const r = await this.operators.signIn(username, secret, from);
    if (!r.ok) {
      return r.reason === 'locked'
        ? { kind: 'locked', until: r.locked_until }
        : { kind: 'invalid', attemptsLeft: null };
    }
    return { kind: 'signed_in', session: this.open(r.operator) };
  }

  /**
   * A session for an operator whose identity was just proven another way (the first admin, created
   * with their secret in the setup wizard).
   */
  open(operator: Operator): Session {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const mono = this.clock.monotonicMs();
    const entry: Entry = {
      operatorId: operator.id,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.absoluteMs).toISOString(),
      createdMono: mono,
      lastSeenMono: mono,
    };
    this.sessions.set(sha256(token), entry);
    return {
      token,
      username: operator.username,
      displayName: operator.display_name,
      role: operator.role,
      expiresAt: entry.expiresAt,
      idleTimeoutSeconds: Math.round(this.idle() / 1000),
    };
  }

  /**
   * The live session a token names, refreshing its idle timer; null for an unknown, expired or
   * signed-out token, or one whose operator is no longer active (the session is dropped then).
   */
  resolve(token: string | null | undefined, opts: { touch?: boolean } = {}): ActiveSession | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null;
    const id = sha256(token);
    const e = this.sessions.get(id);
    if (!e) return null;
    const mono = this.clock.monotonicMs();
    if (this.expired(e, mono)) {
      this.sessions.delete(id);
      return null;
    }
    const o = this.operators.get(e.operatorId);
    if (!o || !o.active) {
      this.sessions.delete(id);
      return null;
    }
    if (opts.touch !== false) e.lastSeenMono = mono;
    return {
      id,
      operatorId: o.id,
      username: o.username,
      displayName: o.display_name,
      role: o.role,
      createdAt: e.createdAt,
      expiresAt: e.expiresAt,
    };
  }

  /** The contract's view of the session a token names (with the token the caller already holds). */
  describe(token: string): Session | null {
    const s = this.resolve(token);
    if (!s) return null;
    return {
      token,
      username: s.username,
      displayName: s.displayName,
      role: s.role,
      expiresAt: s.expiresAt,
      idleTimeoutSeconds: Math.round(this.idle() / 1000),
    };
  }

  /** End the session a token names; audited. False when there was none (already ended). */
  signOut(token: string | null | undefined): boolean {
    const s = this.resolve(token, { touch: false });
    if (!s) return false;
    this.sessions.delete(s.id);
    const actor: Actor = { type: 'operator', id: s.username };
    this.audit.record({ actor, action: 'operator.sign_out', targetType: 'operator', targetId: s.username });
    return true;
  }

  /** End every session of an operator (deactivated, secret reset by an admin); returns how many. */
  revokeOperator(operatorId: number): number {
    let n = 0;
    for (const [id, e] of this.sessions) {
      if (e.operatorId === operatorId) {
        this.sessions.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Live sessions (for tests and status). */
  get size(): number {
    this.sweep();
    return this.sessions.size;
  }

  idleTimeoutMs(): number {
    return this.idle();
  }

  private expired(e: Entry, mono: number): boolean {
    return mono - e.createdMono >= this.absoluteMs || mono - e.lastSeenMono >= this.idle();
  }

  private sweep(): void {
    const mono = this.clock.monotonicMs();
    for (const [id, e] of this.sessions) if (this.expired(e, mono)) this.sessions.delete(id);
    // Still too many: drop the least recently used (Map keeps insertion order; re-sorting is not worth it).
    while (this.sessions.size >= MAX_SESSIONS) {
      let oldest: string | null = null;
      let at = Infinity;
      for (const [id, e] of this.sessions) {
        if (e.lastSeenMono < at) {
          at = e.lastSeenMono;
          oldest = id;
        }
      }
      if (oldest === null) break;
      this.sessions.delete(oldest);
    }
  }
}
