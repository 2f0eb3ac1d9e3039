import type { Sql } from './db';

export async function insertPairingCode(
  sql: Sql,
  p: { codeHash: string; siteId: number; validForMs: number },
): Promise<{ expires_at: Date }> {
  // The database's clock decides expiry, as it does when the code is used: hub processes on
  // machines with different clocks agree.
  const { rows } = await sql.query<{ expires_at: Date }>(
    `INSERT INTO pairing_codes (code_hash, site_id, expires_at)
     VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000)) RETURNING expires_at`,
    [p.codeHash, p.siteId, p.validForMs],
  );
  return rows[0];
}

/**
 * Use a pairing code, if it is known, unused and unexpired: one statement, so two kiosks racing with
 * the same code cannot both get it. Null says nothing about which of the three it was.
 */
export async function consumePairingCode(sql: Sql, codeHash: string): Promise<{ site_id: number } | null> {
  const { rows } = await sql.query<{ site_id: number }>(
    `UPDATE pairing_codes SET used_at = now()
      WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
      RETURNING site_id`,
    [codeHash],
  );
  return rows[0] ?? null;
}

export async function linkPairingCode(sql: Sql, codeHash: string, deviceId: string): Promise<void> {
  await sql.query('UPDATE pairing_codes SET device_id = $2 WHERE code_hash = $1', [codeHash, deviceId]);
}

export interface NewDevice {
  id: string;
  siteId: number;
  name: string;
  credentialHash: string;
  packId: string;
  appVersion: string;
}

export async function insertDevice(sql: Sql, d: NewDevice): Promise<void> {
  await sql.query(
    `INSERT INTO devices (id, site_id, name, credential_hash, pack_id, app_version, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())`,
    [d.id, d.siteId, d.name, d.credentialHash, d.packId, d.appVersion],
  );
}

export interface DeviceAuth {
  id: string;
  site_id: number;
  pack_id: string;
  revoked_at: Date | null;
}

/**
 * The device a credential belongs to, marking it seen. A revoked device is returned too (and marked
 * seen: the list then shows that it still knocks); the caller refuses it.
 */
export async function touchDeviceByCredential(sql: Sql, credentialHash: string): Promise<DeviceAuth | null> {
  const { rows } = await sql.query<DeviceAuth>(
    `UPDATE devices SET last_seen_at = now() WHERE credential_hash = $1
     RETURNING id, site_id, pack_id, revoked_at`,
    [credentialHash],
  );
  return rows[0] ?? null;
}

export interface DeviceRow {
  id: string;
  site: string;
  name: string;
  pack_id: string;
  app_version: string;
  created_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
  acked_seq: number;
  clock_offset_ms: number | null;
  last_status: unknown | null;
}

export async function listDevices(sql: Sql): Promise<DeviceRow[]> {
  const { rows } = await sql.query<DeviceRow>(
    `SELECT d.id, s.code AS site, d.name, d.pack_id, d.app_version, d.created_at, d.last_seen_at,
            d.revoked_at, d.acked_seq, d.clock_offset_ms, d.last_status
       FROM devices d JOIN sites s ON s.id = d.site_id
      ORDER BY s.code, d.created_at`,
  );
  return rows;
}

/** Revoke a device; false when it does not exist. Revoking twice keeps the first time. */
export async function revokeDevice(sql: Sql, id: string): Promise<{ site_id: number; already: boolean } | null> {
  const { rows } = await sql.query<{ site_id: number; already: boolean }>(
    `UPDATE devices d SET revoked_at = coalesce(d.revoked_at, now())
       FROM (SELECT id, revoked_at FROM devices WHERE id = $1 FOR UPDATE) before
      WHERE d.id = before.id
     RETURNING d.site_id, before.revoked_at IS NOT NULL AS already`,
    [id],
  );
  return rows[0] ?? null;
}

export async function recordDeviceStatus(
  sql: Sql,
  id: string,
  s: { appVersion: string; packId: string; status: unknown },
): Promise<void> {
  await sql.query(
    `UPDATE devices SET app_version = $2, pack_id = $3, last_status = $4, last_seen_at = now() WHERE id = $1`,
    [id, s.appVersion, s.packId, JSON.stringify(s.status)],
  );
}

/** The device row locked until the transaction ends: pushes from one device take turns. */
export async function lockDevice(
  tx: Sql,
  id: string,
): Promise<{ site_id: number; acked_seq: number; time_zone: string } | null> {
  const { rows } = await tx.query<{ site_id: number; acked_seq: number; time_zone: string }>(
    `SELECT d.site_id, d.acked_seq, s.time_zone FROM devices d JOIN sites s ON s.id = d.site_id
      WHERE d.id = $1 FOR UPDATE OF d`,
    [id],
  );
  return rows[0] ?? null;
}

export async function updateAck(tx: Sql, id: string, ackedSeq: number, clockOffsetMs: number | null): Promise<void> {
  await tx.query(
    `UPDATE devices SET acked_seq = $2, clock_offset_ms = coalesce($3, clock_offset_ms), last_seen_at = now()
      WHERE id = $1`,
    [id, ackedSeq, clockOffsetMs],
  );
}
