import type { Operator, OperatorRole, SignInResult } from '../../shared/access';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { type OperatorWithSecret, OperatorsRepo, publicOperator } from '../store/operators-repo';
import { type Clock, systemClock } from './clock';
import { DEFAULT_SCRYPT, type ScryptParams, hashSecret, needsRehash, verifySecret } from './secret-hash';

export interface LockoutPolicy {
  /** Consecutive failed sign-ins that lock the account (default 5). */
  maxFailures: number;
  /** How long a locked account refuses every sign-in, the right secret included (default 15 min). */
  lockoutMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockoutMs: 15 * 60_000 };

export interface OperatorServiceOptions {
  db: Db;
  clock?: Clock;
  lockout?: LockoutPolicy;
  /** Hash cost for new secrets (tests use a cheap one). */
  scrypt?: ScryptParams;
}

export interface NewOperator {
  username: string;
  displayName: string;
  role: OperatorRole;
  /** A PIN (digits only, at least 6) or a password (at least 8 characters). */
  secret: string;
}

const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,31}$/;

/** Refuse weak secrets: a PIN of at least 6 digits (lockout makes guessing 10^6 impractical) or a password of at least 8 characters. */
export function checkSecretStrength(secret: string): void {
  if (typeof secret !== 'string' || secret.length > 256)
    throw new HadirError('BAD_REQUEST', 'the secret must be at most 256 characters');
  if (/^\d+$/.test(secret)) {
    if (secret.length < 6) throw new HadirError('BAD_REQUEST', 'a PIN must have at least 6 digits');
    if (/^(\d)\1+$/.test(secret) || '01234567890'.includes(secret) || '09876543210'.includes(secret)) {
      throw new HadirError('BAD_REQUEST', 'that PIN is too easy to guess');
    }
  } else if (secret.length < 8) {
    throw new HadirError('BAD_REQUEST', 'a password must have at least 8 characters');
  }
}

/**
 * Operator accounts: roles (admin, operator), secrets hashed with scrypt, lockout after repeated
 * failures, and an audit entry naming the operator for every sign-in failure, lockout and change.
 * Managing accounts needs an admin (or the CLI, whose user already holds the database file); an
 * operator may change only their own secret.
 */
export class OperatorService {
  readonly repo: OperatorsRepo;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly audit: AuditRepo;
  private readonly lockout: LockoutPolicy;
  private readonly scrypt: ScryptParams;
  private dummyHash: Promise<string> | null = null;

  constructor(opts: OperatorServiceOptions) {
    this.db = opts.db;
    this.clock = opts.clock ?? systemClock;
    this.repo = new OperatorsRepo(this.db);
    this.audit = new AuditRepo(this.db, () => this.clock.now());
    this.lockout = opts.lockout ?? DEFAULT_LOCKOUT;
    this.scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
  }

  list(): Operator[] {
    return this.repo.list();
  }

  get(id: number): Operator | null {
    const o = this.repo.get(id);
    return o ? publicOperator(o) : null;
  }

  /**
   * Create an account. `onlyIfNoAdmin` (first-run setup): refuse with FORBIDDEN when an admin account
   * exists by the time the row is written, so two wizards racing cannot both create one.
   */
  async create(input: NewOperator, actor: Actor, opts: { onlyIfNoAdmin?: boolean } = {}): Promise<Operator> {
    this.requireAdmin(actor, 'create operators');
    const username = input.username?.trim().toLowerCase();
    if (!username || !USERNAME_RE.test(username)) {
      throw new HadirError('BAD_REQUEST', 'a username is 2–32 characters: lower-case letters, digits, ".", "_" or "-"');
    }
    if (!['admin', 'operator'].includes(input.role))
      throw new HadirError('BAD_REQUEST', 'role must be admin or operator');
    const displayName = input.displayName?.trim() || username;
    checkSecretStrength(input.secret);
    if (this.repo.getByUsername(username)) throw new HadirError('BAD_REQUEST', `operator "${username}" already exists`);
    const secretHash = await hashSecret(input.secret, this.scrypt);
    return this.db
      .transaction(() => {
        if (opts.onlyIfNoAdmin && this.repo.countAdmins() > 0) {
          throw new HadirError('FORBIDDEN', 'an admin account exists: first-run setup is closed');
        }
        if (this.repo.getByUsername(username))
          throw new HadirError('BAD_REQUEST', `operator "${username}" already exists`);
        const o = this.repo.insert({
          username,
          display_name: displayName,
          role: input.role,
          secret_hash: secretHash,
          at: this.nowIso(),
        });
        this.audit.record({
          actor,
          action: 'operator.create',
          targetType: 'operator',
          targetId: username,
          details: { role: input.role, display_name: displayName },
        });
        return publicOperator(o);
      })
      .immediate();
  }

  /**
   * Check a username and secret. A locked account refuses without checking the secret (no guessing
   * while locked); the lock ends by itself after the lockout period, with a fresh count. Each attempt
   * is counted *before* the (slow) secret check, so firing many attempts at once cannot get more than
   * the allowed number checked; a success clears the count.
   */
  async signIn(username: string, secret: string): Promise<SignInResult> {
    const name = (username ?? '').trim().toLowerCase();
    const who: Actor = { type: 'operator', id: name || null };
    const found = this.repo.getByUsername(name);
    if (!found || !found.active) {
      // Spend the same time as a real check, so a missing name is not told apart by timing.
      await verifySecret(secret ?? '', await this.dummy());
      this.audit.record({
        actor: who,
        action: 'operator.sign_in_failed',
        targetType: 'operator',
        targetId: name,
        details: { reason: found ? 'inactive' : 'unknown' },
      });
      return { ok: false, reason: 'invalid', attempts_left: null };
    }
    const max = this.lockout.maxFailures;
    const start = this.db
      .transaction((): { locked: string } | { attempt: number; hash: string } => {
        const o = this.repo.get(found.id)!;
        const now = this.clock.now();
        if (o.locked_until && o.locked_until > now.toISOString()) {
          this.audit.record({
            actor: who,
            action: 'operator.sign_in_refused',
            targetType: 'operator',
            targetId: name,
            details: { reason: 'locked', locked_until: o.locked_until },
          });
          return { locked: o.locked_until };
        }
        if (o.locked_until) this.repo.setLock(o.id, 0, null); // the lock has run out: count afresh
        const attempt = this.repo.addFailure(o.id);
        if (attempt > max) {
          // Attempts already under way used up the allowance: lock without checking this one.
          return { locked: this.lock(o.username, o.id, attempt - 1) };
        }
        return { attempt, hash: o.secret_hash };
      })
      .immediate();
    if ('locked' in start) return { ok: false, reason: 'locked', locked_until: start.locked };

    const ok = await verifySecret(secret ?? '', start.hash);
    if (ok) {
      const rehash = needsRehash(start.hash, this.scrypt) ? await hashSecret(secret, this.scrypt) : null;
      this.db
        .transaction(() => {
          this.repo.setLock(found.id, 0, null);
          if (rehash) this.repo.setSecretHash(found.id, rehash);
          this.audit.record({ actor: who, action: 'operator.sign_in', targetType: 'operator', targetId: name });
        })
        .immediate();
      return { ok: true, operator: publicOperator(this.repo.get(found.id)!) };
    }
    return this.db
      .transaction((): SignInResult => {
        this.audit.record({
          actor: who,
          action: 'operator.sign_in_failed',
          targetType: 'operator',
          targetId: name,
          details: { reason: 'wrong_secret', failures: start.attempt },
        });
        if (start.attempt >= max)
          return { ok: false, reason: 'locked', locked_until: this.lock(name, found.id, start.attempt) };
        return { ok: false, reason: 'invalid', attempts_left: max - start.attempt };
      })
      .immediate();
  }

  private lock(username: string, id: number, failures: number): string {
    const until = new Date(this.clock.now().getTime() + this.lockout.lockoutMs).toISOString();
    this.repo.setLock(id, failures, until);
    this.audit.record({
      actor: { type: 'system', id: null },
      action: 'operator.locked',
      targetType: 'operator',
      targetId: username,
      details: { failures, locked_until: until },
    });
    return until;
  }

  /**
   * Set a new secret. An operator changing their own must give the current one; an admin (or the CLI)
   * may reset anyone's. Clears a lock.
   */
  async changeSecret(id: number, newSecret: string, actor: Actor, currentSecret?: string): Promise<void> {
    const o = this.require(id);
    const self = actor.type === 'operator' && actor.id === o.username;
    if (self) {
      if (currentSecret === undefined || !(await verifySecret(currentSecret, o.secret_hash))) {
        throw new HadirError('BAD_REQUEST', 'the current secret is wrong');
      }
    } else {
      this.requireAdmin(actor, "reset another operator's secret");
    }
    checkSecretStrength(newSecret);
    const hash = await hashSecret(newSecret, this.scrypt);
    this.db
      .transaction(() => {
        this.repo.setSecretHash(id, hash);
        this.repo.setLock(id, 0, null);
        this.audit.record({
          actor,
          action: 'operator.secret_change',
          targetType: 'operator',
          targetId: o.username,
          details: { self },
        });
      })
      .immediate();
  }

  setRole(id: number, role: OperatorRole, actor: Actor): Operator {
    this.requireAdmin(actor, 'change roles');
    if (!['admin', 'operator'].includes(role)) throw new HadirError('BAD_REQUEST', 'role must be admin or operator');
    return this.change(id, actor, 'operator.role', (o) => {
      if (o.role === 'admin' && role !== 'admin' && o.active) this.keepAnAdmin();
      this.repo.setRole(id, role);
      return { before: o.role, after: role };
    });
  }

  setActive(id: number, active: boolean, actor: Actor): Operator {
    this.requireAdmin(actor, 'activate or deactivate operators');
    return this.change(id, actor, active ? 'operator.activate' : 'operator.deactivate', (o) => {
      if (!active && o.role === 'admin' && o.active) this.keepAnAdmin();
      this.repo.setActive(id, active);
      return { before: o.active, after: active };
    });
  }

  /**
   * Change what is given — display name, role, active, secret (which also lifts a lock) — each audited.
   * Changing one's own secret needs `currentSecret`.
   */
  async update(
    id: number,
    patch: { displayName?: string; role?: OperatorRole; active?: boolean; secret?: string; currentSecret?: string },
    actor: Actor,
  ): Promise<Operator> {
    if (patch.displayName !== undefined) {
      const name = patch.displayName.trim();
      if (!name) throw new HadirError('BAD_REQUEST', 'the display name cannot be empty');
      this.requireAdmin(actor, 'rename operators');
      this.change(id, actor, 'operator.rename', (o) => {
        this.repo.setDisplayName(id, name);
        return { before: o.display_name, after: name };
      });
    }
    if (patch.role !== undefined) this.setRole(id, patch.role, actor);
    if (patch.active !== undefined) this.setActive(id, patch.active, actor);
    if (patch.secret !== undefined) await this.changeSecret(id, patch.secret, actor, patch.currentSecret);
    return publicOperator(this.require(id));
  }

  /** Lift a lockout before it runs out. */
  unlock(id: number, actor: Actor): Operator {
    this.requireAdmin(actor, 'unlock operators');
    return this.change(id, actor, 'operator.unlock', (o) => {
      this.repo.setLock(id, 0, null);
      return { locked_until: o.locked_until, failed_attempts: o.failed_attempts };
    });
  }

  private change(id: number, actor: Actor, action: string, apply: (o: OperatorWithSecret) => unknown): Operator {
    return this.db
      .transaction(() => {
        const o = this.require(id);
        const details = apply(o);
        this.audit.record({ actor, action, targetType: 'operator', targetId: o.username, details });
        return publicOperator(this.repo.get(id)!);
      })
      .immediate();
  }

  /** Never leave the site without an active admin. */
  private keepAnAdmin(): void {
    if (this.repo.countActiveAdmins() <= 1) throw new HadirError('BAD_REQUEST', 'this is the last active admin');
  }

  private requireAdmin(actor: Actor, what: string): void {
    if (actor.type === 'cli' || actor.type === 'system') return;
    if (actor.type === 'operator') {
      const o = actor.id ? this.repo.getByUsername(actor.id) : undefined;
      if (o?.active && o.role === 'admin') return;
    }
    // API keys are checked by scope at the API's edge; the service trusts an admin-scoped key's call.
    if (actor.type === 'api_key') return;
    throw new HadirError('FORBIDDEN', `only an admin may ${what}`);
  }

  private require(id: number): OperatorWithSecret {
    const o = this.repo.get(id);
    if (!o) throw new HadirError('NOT_FOUND', `no operator ${id}`);
    return o;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashSecret('not a real secret', this.scrypt);
    return this.dummyHash;
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }
}
