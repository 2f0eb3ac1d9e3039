/**
 * A joined kiosk's link to its hub, as its health answer and its status show it (null: a standalone
 * kiosk). Names nobody.
 */
export interface HubStatus {
  joined: true;
  hub_url: string;
  site: { code: string; name: string };
  device_id: string;
  /**
   * `syncing`: the first (or a restarted) snapshot is still coming in; `online`: caught up with the
   * hub's last answer; `offline`: the hub has not answered since `offline_since` (attendance is still
   * recorded and waits in the outbox); `revoked`: the hub revoked this device, nothing is synced.
   */
  state: 'syncing' | 'online' | 'offline' | 'revoked';
  last_contact_at: string | null;
  offline_since: string | null;
  /** Attendance events recorded here and not yet acknowledged by the hub. */
  outbox_depth: number;
  /** The outbox is over its soft limit: nothing is dropped, but the screen should say so. */
  outbox_full: boolean;
  /** Enrollments made here since the join that the hub has not taken yet (they are retried). */
  uploads_pending: number;
  /** Enrollments the hub refused: those people stay local to this kiosk. */
  uploads_refused: number;
  /** The hub's reason for the latest refusal, and when; null when none was refused. */
  last_upload_refusal: { reason: string; at: string } | null;
  /** People received of the site's total while a snapshot runs; null otherwise. */
  snapshot_progress: { done: number; total: number } | null;
  last_error: string | null;
}
