import type { Operator, OperatorRole, SignInResult } from '../../shared/access';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { type OperatorWithSecret, OperatorsRepo, publicOperator } from '../store/operators-repo';
import { type Clock, systemClock } from './clock';
import { DEFAULT_SCRYPT, type ScryptParams, hashSecret, needsRehash, verifySecret } from './secret-hash';
import { type BackoffPolicy, DEFAULT_BACKOFF, SignInBackoff } from './sign-in-backoff';
import { checkUsername } from './validation';

export interface OperatorServiceOptions {
  db: Db;
  clock?: Clock;
  /** Waits after failed sign-ins, per (user name, client address). */
  backoff?: BackoffPolicy;
  /** Hash cost for new secrets (tests use a cheap one). */
  scrypt?: ScryptParams;
  /** The hash functions (default secret-hash.ts); a test may wrap them to count the hashing done. */
  secrets?: SecretHasher;
}

export interface SecretHasher {
  hash(secret: string, params: ScryptParams): Promise<string>;
  verify(secret: string, stored: string): Promise<boolean>;
}

const SCRYPT_HASHER: SecretHasher = { hash: hashSecret, verify: verifySecret };

export interface NewOperator {
  username: string;
  displayName: string;
  role: OperatorRole;
  /** A PIN (digits only, at least 6) or a password (at least 8 characters). */
  secret: string;
}

/** Refuse weak secrets: a PIN of at least 6 digits (back-off makes guessing 10^6 impractical) or a password of at least 8 characters. */
export function checkSecretStrength(secret: string): void {
  if (typeof secret !== 'string' || secret.length > 256)
    throw new HadirError('BAD_REQUEST', 'the secret must be at most 256 characters', {
      reason: 'secret_too_long',
      params: { max: 256 },
    });
  if (/^\d+$/.test(secret)) {
    if (secret.length < 6)
      throw new HadirError('BAD_REQUEST', 'a PIN must have at least 6 digits', {
        reason: 'pin_too_short',
        params: { min: 6 },
      });
    if (/^(\d)\1+$/.test(secret) || '01234567890'.includes(secret) || '09876543210'.includes(secret)) {
      throw new HadirError('BAD_REQUEST', 'that PIN is too easy to guess', { reason: 'pin_too_easy' });
    }
  } else if (secret.length < 8) {
    throw new HadirError('BAD_REQUEST', 'a password must have at least 8 characters', {
      reason: 'password_too_short',
      params: { min: 8 },
    });
  }
}

/**
 * Operator accounts: roles (admin, operator), secrets hashed with scrypt, growing waits after repeated
 * failures from one address (sign-in-backoff.ts), and an audit entry naming the operator for every
 * sign-in failure, back-off and change.
 * Managing accounts needs an admin (or the CLI, whose user already holds the database file); an
 * operator may change only their own secret.
 */
export class OperatorService {
  readonly repo: OperatorsRepo;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly audit: AuditRepo;
  private readonly backoff: SignInBackoff;
  private readonly scrypt: ScryptParams;
  private readonly secrets: SecretHasher;
  private dummyHash: Promise<string> | null = null;

  constructor(opts: OperatorServiceOptions) {
    this.db = opts.db;
    this.clock = opts.clock ?? systemClock;
    this.repo = new OperatorsRepo(this.db);
    this.audit = new AuditRepo(this.db, () => this.clock.now());
    this.backoff = new SignInBackoff(opts.backoff ?? DEFAULT_BACKOFF, this.clock);
    this.scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
    this.secrets = opts.secrets ?? SCRYPT_HASHER;
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
    const username = checkUsername(input.username);
    if (!['admin', 'operator'].includes(input.role))
      throw new HadirError('BAD_REQUEST', 'role must be admin or operator');
    const displayName = input.displayName?.trim() || username;
    checkSecretStrength(input.secret);
    if (this.repo.getByUsername(username)) throw new HadirError('BAD_REQUEST', `operator "${username}" already exists`);
    const secretHash = await this.secrets.hash(input.secret, this.scrypt);
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
   * Check a username and secret, as seen from the client address `from` (an IP address, or the app
   * window's id). Unknown names, inactive accounts and wrong secrets get the same answer, after the
   * same work (a hash of the same cost), so the answer tells nothing about which names exist. Failed
   * attempts from one address at one name earn growing waits ({@link SignInBackoff}), during which that
   * pair is refused without hashing; the account itself is never locked, so nobody can lock the
   * administrator out from elsewhere.
   */
  async signIn(username: string, secret: string, from = 'local'): Promise<SignInResult> {
    const name = (username ?? '').trim().toLowerCase().slice(0, 64);
    const who: Actor = { type: 'operator', id: name || null };
    const start = this.backoff.begin(name, from);
    if ('waitUntil' in start) return { ok: false, reason: 'locked', locked_until: start.waitUntil };
    if (start.backoffStarted) {
      this.audit.record({
        actor: { type: 'system', id: null },
        action: 'operator.sign_in_backoff',
        targetType: 'operator',
        targetId: name,
        details: { from, failures: start.attempt },
      });
    }
    const found = this.repo.getByUsername(name);
    const usable = found && found.active ? found : null;
    // Spend the same time on a missing or inactive name as on a real check.
    const ok = await this.secrets.verify(secret ?? '', usable ? usable.secret_hash : await this.dummy());
    if (usable && ok) {
      this.backoff.succeeded(name, from);
      const rehash = needsRehash(usable.secret_hash, this.scrypt) ? await this.secrets.hash(secret, this.scrypt) : null;
      this.db
        .transaction(() => {
          this.repo.setLock(usable.id, 0, null);
          if (rehash) this.repo.setSecretHash(usable.id, rehash);
          this.audit.record({
            actor: who,
            action: 'operator.sign_in',
            targetType: 'operator',
            targetId: name,
            details: { from },
          });
        })
        .immediate();
      return { ok: true, operator: publicOperator(this.repo.get(usable.id)!) };
    }
    this.db
      .transaction(() => {
        // Counted for the accounts list (an admin sees guessing); it locks nothing.
        const failures = usable ? this.repo.addFailure(usable.id) : null;
        this.audit.record({
          actor: who,
          action: 'operator.sign_in_failed',
          targetType: 'operator',
          targetId: name,
          details: { reason: !found ? 'unknown' : !found.active ? 'inactive' : 'wrong_secret', from, failures },
        });
      })
      .immediate();
    return { ok: false, reason: 'invalid', attempts_left: null };
  }

  /**
   * Set a new secret. An operator changing their own must give the current one; an admin (or the CLI)
   * may reset anyone's. Clears a lock.
   */
  async changeSecret(id: number, newSecret: string, actor: Actor, currentSecret?: string): Promise<void> {
    const o = this.require(id);
    const self = actor.type === 'operator' && actor.id === o.username;
    if (self) {
      if (currentSecret === undefined || !(await this.secrets.verify(currentSecret, o.secret_hash))) {
        throw new HadirError('BAD_REQUEST', 'the current secret is wrong');
      }
    } else {
      this.requireAdmin(actor, "reset another operator's secret");
    }
    checkSecretStrength(newSecret);
    const hash = await this.secrets.hash(newSecret, this.scrypt);
    this.db
      .transaction(() => {
        this.repo.setSecretHash(id, hash);
        this.repo.setLock(id, 0, null);
        this.backoff.clear(o.username);
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

  /** Lift the sign-in waits on an account (from every address) and clear its failure count. */
  unlock(id: number, actor: Actor): Operator {
    this.requireAdmin(actor, 'unlock operators');
    return this.change(id, actor, 'operator.unlock', (o) => {
      this.repo.setLock(id, 0, null);
      this.backoff.clear(o.username);
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
    this.dummyHash ??= this.secrets.hash('not a real secret', this.scrypt);
    return this.dummyHash;
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }
}
