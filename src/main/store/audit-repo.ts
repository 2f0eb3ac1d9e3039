import type { Actor, ActorType } from '../../shared/people';
import type { Db } from './db';

export interface AuditEntry {
  id: number;
  at: string;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: unknown;
}

export interface AuditRecord {
  actor: Actor;
  /** Dotted verb, e.g. 'person.create', 'templates.enroll', 'attendance.correct'. */
  action: string;
  targetType?: string;
  targetId?: string | number;
  /** Stored as JSON. Never put biometric data here. */
  details?: unknown;
  /** Defaults to the repository's clock. */
  at?: Date;
}

export interface AuditQuery {
  /** ISO instants, inclusive from, exclusive to. */
  from?: string;
  to?: string;
  action?: string;
  targetType?: string;
  targetId?: string | number;
  actorType?: ActorType;
  actorId?: string;
  limit?: number;
  offset?: number;
}

interface AuditRow extends Omit<AuditEntry, 'details'> {
  details: string | null;
}

/** The audit log: who changed what, when. Append-only except for retention purges. */
export class AuditRepo {
  private readonly insertStmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, details)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(r: AuditRecord): number {
    const info = this.insertStmt.run(
      (r.at ?? this.now()).toISOString(),
      r.actor.type,
      r.actor.id,
      r.action,
      r.targetType ?? null,
      r.targetId === undefined ? null : String(r.targetId),
      r.details === undefined ? null : JSON.stringify(r.details),
    );
    return Number(info.lastInsertRowid);
  }

  /** Newest first. */
  list(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('at >= ?', q.from);
    add('at < ?', q.to);
    add('action = ?', q.action);
    add('target_type = ?', q.targetType);
    add('target_id = ?', q.targetId === undefined ? undefined : String(q.targetId));
    add('actor_type = ?', q.actorType);
    add('actor_id = ?', q.actorId);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit ?? 1000, q.offset ?? 0) as AuditRow[];
    return rows.map((r) => ({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as unknown) }));
  }

  /** Retention: delete entries older than `before` (an ISO instant); returns how many. */
  purgeBefore(before: string): number {
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(before).changes;
  }
}
