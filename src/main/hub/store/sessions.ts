import type { HubRole } from './access';
import type { Sql } from './db';

/** How long a console session lives: 8 h after its last use, and never past 12 h after sign-in. */
export const SESSION_IDLE_HOURS = 8;
export const SESSION_ABSOLUTE_HOURS = 12;
/** A session's last use is written at most this often (every request reads it). */
const TOUCH_EVERY_S = 60;

export interface OperatorAccount {
  id: number;
  username: string;
  display_name: string;
  role: HubRole;
  active: boolean;
  secret_hash: string;
  /** Codes of the operator's sites, in code order (an admin's are ignored: an admin acts on all). */
  sites: string[];
}

const ACCOUNT = `o.id, o.username, o.display_name, o.role, o.active, o.secret_hash,
  coalesce((SELECT array_agg(s.code ORDER BY s.code) FROM operator_sites os JOIN sites s ON s.id = os.site_id
             WHERE os.operator_id = o.id), '{}') AS sites`;

export async function operatorByUsername(sql: Sql, username: string): Promise<OperatorAccount | null> {
  const { rows } = await sql.query<OperatorAccount>(`SELECT ${ACCOUNT} FROM operators o WHERE o.username = $1`, [
    username,
  ]);
  return rows[0] ?? null;
}

export async function insertSession(
  sql: Sql,
  s: { tokenHash: string; operatorId: number; clientAddress: string | null },
): Promise<{ created_at: Date; expires_at: Date }> {
  const { rows } = await sql.query<{ created_at: Date; expires_at: Date }>(
    `INSERT INTO operator_sessions (token_hash, operator_id, expires_at, client_address)
     VALUES ($1, $2, now() + make_interval(hours => $4), $3)
     RETURNING created_at, least(expires_at, last_seen_at + make_interval(hours => $5)) AS expires_at`,
    [s.tokenHash, s.operatorId, s.clientAddress, SESSION_ABSOLUTE_HOURS, SESSION_IDLE_HOURS],
  );
  return rows[0];
}

export interface LiveSession {
  operator: Omit<OperatorAccount, 'secret_hash' | 'active'>;
  /** When the session ends if not used again (the sliding end, capped by the absolute one). */
  expires_at: Date;
}

/**
 * The session of a token hash when it is live and its operator active, its last use moved to now
 * (written at most once a minute). Null for an unknown, ended or expired session.
 */
export async function useSession(sql: Sql, tokenHash: string): Promise<LiveSession | null> {
  const { rows } = await sql.query<Omit<OperatorAccount, 'secret_hash' | 'active'> & { expires_at: Date }>(
    `WITH live AS (
       SELECT s.token_hash, s.last_seen_at FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
        WHERE s.token_hash = $1 AND o.active AND s.expires_at > now()
          AND s.last_seen_at + make_interval(hours => $2) > now()
     ), touched AS (
       UPDATE operator_sessions t SET last_seen_at = now() FROM live
        WHERE t.token_hash = live.token_hash AND live.last_seen_at < now() - make_interval(secs => $3)
       RETURNING t.token_hash
     )
     SELECT ${ACCOUNT},
            least(s.expires_at, (CASE WHEN s.last_seen_at < now() - make_interval(secs => $3) THEN now()
                                      ELSE s.last_seen_at END) + make_interval(hours => $2)) AS expires_at
       FROM live JOIN operator_sessions s ON s.token_hash = live.token_hash JOIN operators o ON o.id = s.operator_id`,
    [tokenHash, SESSION_IDLE_HOURS, TOUCH_EVERY_S],
  );
  const r = rows[0];
  if (!r) return null;
  const { expires_at, ...operator } = r;
  return { operator, expires_at };
}

/** End a session; the operator's username when there was one. */
export async function deleteSession(sql: Sql, tokenHash: string): Promise<string | null> {
  const { rows } = await sql.query<{ username: string }>(
    `DELETE FROM operator_sessions s USING operators o
      WHERE s.token_hash = $1 AND o.id = s.operator_id RETURNING o.username`,
    [tokenHash],
  );
  return rows[0]?.username ?? null;
}

/** Forget sessions that can no longer be used (run at each sign-in: the table stays small). */
export async function purgeExpiredSessions(sql: Sql): Promise<void> {
  await sql.query(
    `DELETE FROM operator_sessions
      WHERE expires_at <= now() OR last_seen_at + make_interval(hours => $1) <= now()`,
    [SESSION_IDLE_HOURS],
  );
}
