import type { Operator, OperatorRole } from '../../shared/access';
import type { Db } from './db';

/** An operator row with its secret hash; the hash never leaves the operators service. */
export interface OperatorWithSecret extends Operator {
  secret_hash: string;
}

interface OperatorRow extends Omit<OperatorWithSecret, 'active'> {
  active: number;
}

/** Operator columns plus the latest successful sign-in, read from the audit log (indexed by target). */
const SELECT = `SELECT o.*, (SELECT max(a.at) FROM audit_log a
                  WHERE a.target_type = 'operator' AND a.target_id = o.username AND a.action = 'operator.sign_in') AS last_sign_in_at
                FROM operators o`;

const toOperator = (r: OperatorRow): OperatorWithSecret => ({ ...r, active: r.active === 1 });

/** Strip the secret hash. */
export function publicOperator({ secret_hash: _hash, ...o }: OperatorWithSecret): Operator {
  return o;
}

/** The SQL of operator accounts. */
export class OperatorsRepo {
  constructor(private readonly db: Db) {}

  insert(o: {
    username: string;
    display_name: string;
    role: OperatorRole;
    secret_hash: string;
    at: string;
  }): OperatorWithSecret {
    const info = this.db
      .prepare(
        `INSERT INTO operators (username, display_name, role, secret_hash, created_at)
         VALUES (@username, @display_name, @role, @secret_hash, @at)`,
      )
      .run(o);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): OperatorWithSecret | undefined {
    const r = this.db.prepare(`${SELECT} WHERE o.id = ?`).get(id) as OperatorRow | undefined;
    return r && toOperator(r);
  }

  getByUsername(username: string): OperatorWithSecret | undefined {
    const r = this.db.prepare(`${SELECT} WHERE o.username = ?`).get(username) as OperatorRow | undefined;
    return r && toOperator(r);
  }

  list(): Operator[] {
    return (this.db.prepare(`${SELECT} ORDER BY o.username`).all() as OperatorRow[]).map((r) =>
      publicOperator(toOperator(r)),
    );
  }

  /** Admin accounts, active or not: first-run setup stays closed once any was made. */
  countAdmins(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM operators WHERE role = 'admin'").get() as { n: number }).n;
  }

  countActiveAdmins(): number {
    return (
      this.db.prepare("SELECT count(*) AS n FROM operators WHERE role = 'admin' AND active = 1").get() as { n: number }
    ).n;
  }

  /** One more failed attempt, counted in SQL so two attempts at once both count; returns the new count. */
  addFailure(id: number): number {
    const r = this.db
      .prepare('UPDATE operators SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts')
      .get(id) as { failed_attempts: number };
    return r.failed_attempts;
  }

  setLock(id: number, failedAttempts: number, lockedUntil: string | null): void {
    this.db
      .prepare('UPDATE operators SET failed_attempts = ?, locked_until = ? WHERE id = ?')
      .run(failedAttempts, lockedUntil, id);
  }

  setSecretHash(id: number, secretHash: string): void {
    this.db.prepare('UPDATE operators SET secret_hash = ? WHERE id = ?').run(secretHash, id);
  }

  setRole(id: number, role: OperatorRole): void {
    this.db.prepare('UPDATE operators SET role = ? WHERE id = ?').run(role, id);
  }

  setActive(id: number, active: boolean): void {
    this.db.prepare('UPDATE operators SET active = ? WHERE id = ?').run(active ? 1 : 0, id);
  }

  setDisplayName(id: number, displayName: string): void {
    this.db.prepare('UPDATE operators SET display_name = ? WHERE id = ?').run(displayName, id);
  }
}
