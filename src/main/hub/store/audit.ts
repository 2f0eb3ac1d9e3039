import type { Actor } from '../../../shared/people';
import type { Sql } from './db';

export interface AuditEntry {
  actor: Actor;
  action: string;
  targetType?: string;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
}

/** One line of the audit log; written in the same transaction as the change it describes. */
export async function recordAudit(sql: Sql, e: AuditEntry): Promise<void> {
  await sql.query(
    `INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, details)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      e.actor.type,
      e.actor.id,
      e.action,
      e.targetType ?? null,
      e.targetId === undefined || e.targetId === null ? null : String(e.targetId),
      e.details ? JSON.stringify(e.details) : null,
    ],
  );
}
