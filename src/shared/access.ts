/** Operator accounts and API keys as the UI, the HTTP API and the CLI see them: never a secret or a hash. */

export type OperatorRole = 'admin' | 'operator';

export interface Operator {
  id: number;
  username: string;
  display_name: string;
  role: OperatorRole;
  active: boolean;
  failed_attempts: number;
  /** ISO instant until which sign-in is refused, or null. */
  locked_until: string | null;
  /** The latest successful sign-in (from the audit log, so within its retention), or null. */
  last_sign_in_at: string | null;
  created_at: string;
}

export type SignInResult =
  | { ok: true; operator: Operator }
  /** Wrong username or secret (or an inactive account: not told apart, so names cannot be probed). */
  | { ok: false; reason: 'invalid'; attempts_left: number | null }
  | { ok: false; reason: 'locked'; locked_until: string };

/**
 * `kiosk`: a door tablet's key (made by pairing): camera frames and its site's schedule, nothing else.
 * The others: see the HTTP API's key routes. Scopes are independent: none implies another.
 */
export const API_KEY_SCOPES = ['read', 'write', 'admin', 'kiosk'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyInfo {
  id: number;
  name: string;
  /** The key's first characters, to tell keys apart in a list. */
  prefix: string;
  scopes: ApiKeyScope[];
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}
