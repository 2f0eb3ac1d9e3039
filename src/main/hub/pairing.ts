import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { type JoinRequest, type JoinResponse, SYNC_PROTOCOL_VERSION } from '../../shared/sync-protocol';
import { requireSite, syncSite } from './sites';
import { recordAudit } from './store/audit';
import { inTransaction } from './store/db';
import * as devices from './store/devices';
import { readHubMeta } from './store/meta';
import { siteById } from './store/sites';

/** Letters and digits nobody misreads on a screen or mistypes from one: no 0/O, 1/I/L. */
export const PAIRING_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Every device credential starts with this (hadir device, version 1): recognisable when it leaks. */
export const DEVICE_CREDENTIAL_PREFIX = 'hdv1_';

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The code as stored: upper case, without dashes or spaces; null when it cannot be one of ours. */
export function normalizePairingCode(input: string): string | null {
  const c = input.toUpperCase().replace(/[\s-]/g, '');
  if (c.length !== CODE_LENGTH) return null;
  for (const ch of c) if (!PAIRING_ALPHABET.includes(ch)) return null;
  return c;
}

/** XXXXX-XXXXX */
export function formatPairingCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/**
 * A one-time code for a kiosk of the site to join with, valid 10 minutes. About 50 bits: with the
 * join route's rate limit per address a guess succeeds with negligible odds in that time.
 */
export async function createPairingCode(
  pool: pg.Pool,
  siteCode: string,
  actor: Actor,
): Promise<{ code: string; expires_at: string; site: string }> {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)];
  return inTransaction(pool, async (tx) => {
    const site = await requireSite(tx, siteCode);
    const { expires_at } = await devices.insertPairingCode(tx, {
      codeHash: sha256Hex(code),
      siteId: site.id,
      validForMs: PAIRING_CODE_TTL_MS,
    });
    await recordAudit(tx, { actor, action: 'device.pair', targetType: 'site', targetId: site.code });
    return { code: formatPairingCode(code), expires_at: expires_at.toISOString(), site: site.code };
  });
}

const UNKNOWN_CODE = 'unknown, used or expired pairing code';

/** Exchange a pairing code for a device credential (shown once; the hub keeps its hash). */
export async function joinDevice(pool: pg.Pool, req: JoinRequest): Promise<Omit<JoinResponse, 'server_time'>> {
  if (req.protocol !== SYNC_PROTOCOL_VERSION) {
    throw new HadirError(
      'BAD_REQUEST',
      `this hub speaks sync protocol ${SYNC_PROTOCOL_VERSION}, the kiosk ${String(req.protocol)}: update the older side`,
    );
  }
  const code = normalizePairingCode(req.code);
  if (!code) throw new HadirError('NOT_FOUND', UNKNOWN_CODE);
  const name = req.name.trim() || 'kiosk';
  return inTransaction(pool, async (tx) => {
    const used = await devices.consumePairingCode(tx, sha256Hex(code));
    if (!used) throw new HadirError('NOT_FOUND', UNKNOWN_CODE);
    const site = await siteById(tx, used.site_id);
    if (!site) throw new HadirError('NOT_FOUND', UNKNOWN_CODE);
    const id = randomUUID();
    const credential = DEVICE_CREDENTIAL_PREFIX + randomBytes(32).toString('base64url');
    await devices.insertDevice(tx, {
      id,
      siteId: site.id,
      name,
      credentialHash: sha256Hex(credential),
      packId: req.pack_id,
      appVersion: req.app_version,
    });
    await devices.linkPairingCode(tx, sha256Hex(code), id);
    await recordAudit(tx, {
      actor: { type: 'kiosk', id },
      action: 'device.join',
      targetType: 'device',
      targetId: id,
      details: { site: site.code, name, pack_id: req.pack_id, app_version: req.app_version },
    });
    const meta = await readHubMeta(tx);
    return { device_id: id, credential, site: await syncSite(tx, site), hub_id: meta.hubId };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Shut a device out: its next request is refused with DEVICE_REVOKED. */
export async function revokeDevice(pool: pg.Pool, id: string, actor: Actor): Promise<{ already: boolean }> {
  if (!UUID.test(id)) throw new HadirError('NOT_FOUND', `no device ${id} (see \`hadir hub devices\`)`);
  return inTransaction(pool, async (tx) => {
    const r = await devices.revokeDevice(tx, id);
    if (!r) throw new HadirError('NOT_FOUND', `no device ${id} (see \`hadir hub devices\`)`);
    if (!r.already) await recordAudit(tx, { actor, action: 'device.revoke', targetType: 'device', targetId: id });
    return { already: r.already };
  });
}
