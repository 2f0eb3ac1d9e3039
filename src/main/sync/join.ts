import type { Actor } from '../../shared/people';
import { SYNC_PROTOCOL_VERSION, type JoinResponse } from '../../shared/sync-protocol';
import { HADIR_VERSION } from '../../shared/version';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { type HubLink, HubLinkRepo } from '../store/hub-link-repo';
import { credentialPath, writeCredential } from './credential-file';
import { normalizeFingerprint, probeHubCertificate } from './hub-certificate';
import { estimateClockOffset, failureText, HubClient } from './hub-client';

export interface JoinOptions {
  db: Db;
  /** Where the credential file goes: the folder of the SQLite file. */
  dataDir: string;
  hubUrl: string;
  code: string;
  /** The pack the kiosk runs: it will receive that pack's templates. */
  packId: string;
  /** The name in the hub's device list. */
  name: string;
  fingerprint?: string;
  /** Who joined (the CLI, an admin on the settings screen): the join is audited in their name. */
  actor?: Actor;
  now?: () => Date;
}

export type JoinOutcome =
  | {
      ok: true;
      link: HubLink;
      response: JoinResponse;
      credentialFile: string;
      /** The certificate fingerprint pinned at this join because the system's CAs did not vouch for it. */
      pinnedOnFirstUse: string | null;
    }
  | {
      ok: false;
      /**
       * ALREADY_JOINED, CODE_REJECTED (wrong, used or expired), FINGERPRINT_MISMATCH (the hub presents
       * another certificate than the given fingerprint), UNREACHABLE, REFUSED (any other answer), INVALID.
       */
      reason: 'ALREADY_JOINED' | 'CODE_REJECTED' | 'FINGERPRINT_MISMATCH' | 'UNREACHABLE' | 'REFUSED' | 'INVALID';
      message: string;
    };

/**
 * Pair this kiosk with a hub: exchange the one-time code for a device credential, keep the credential
 * in its 0600 file and the link (hub, device, site) in the store. A kiosk that already has a link is
 * refused — unless the hub revoked it, and then only to pair with the same hub again. People enrolled
 * here before stay as they are (local, no hub id); the first sync adopts those the hub knows by their
 * employee number.
 */
export async function joinHub(o: JoinOptions): Promise<JoinOutcome> {
  const now = o.now ?? (() => new Date());
  const links = new HubLinkRepo(o.db);
  const hubUrl = o.hubUrl.replace(/\/+$/, '');
  const existing = links.get();
  if (existing && !existing.revoked_at) {
    return {
      ok: false,
      reason: 'ALREADY_JOINED',
      message: `this kiosk is already joined to the hub ${existing.hub_url} as device ${existing.device_id} (site ${existing.site_code})`,
    };
  }
  if (existing && existing.hub_url !== hubUrl) {
    return {
      ok: false,
      reason: 'ALREADY_JOINED',
      message: `this kiosk belonged to another hub (${existing.hub_url}, revoked); it can only join that hub again`,
    };
  }
  // Over https without a given fingerprint: a certificate the system's CAs vouch for needs no pin; any
  // other (a hub's self-signed one) is pinned as seen now, trust on first use, and every later request
  // goes to that certificate only. The operator compares it with what `hadir hub serve` printed.
  let fingerprint = o.fingerprint;
  let pinnedOnFirstUse: string | null = null;
  if (fingerprint && hubUrl.startsWith('https:')) {
    // Looked at before the code is sent: a mistyped fingerprint, or another server answering at that
    // address, is told apart from a hub that cannot be reached, and the code is not spent on it.
    let seen: string;
    try {
      seen = (await probeHubCertificate(hubUrl)).fingerprint;
    } catch (e) {
      return {
        ok: false,
        reason: 'UNREACHABLE',
        message: `cannot reach the hub at ${hubUrl}: ${(e as Error).message}`,
      };
    }
    if (normalizeFingerprint(seen) !== normalizeFingerprint(fingerprint)) {
      return {
        ok: false,
        reason: 'FINGERPRINT_MISMATCH',
        message: `the server at ${hubUrl} presents a certificate with fingerprint ${seen}, not the given ${fingerprint}`,
      };
    }
  } else if (!fingerprint && hubUrl.startsWith('https:')) {
    try {
      const seen = await probeHubCertificate(hubUrl);
      if (!seen.trusted) fingerprint = pinnedOnFirstUse = seen.fingerprint;
    } catch (e) {
      return {
        ok: false,
        reason: 'UNREACHABLE',
        message: `cannot reach the hub at ${hubUrl}: ${(e as Error).message}`,
      };
    }
  }
  let client: HubClient;
  try {
    client = new HubClient({ hubUrl, fingerprint, now: () => now().getTime() });
  } catch (e) {
    return { ok: false, reason: 'REFUSED', message: (e as Error).message };
  }
  try {
    const r = await client.join({
      code: o.code,
      name: o.name,
      app_version: HADIR_VERSION,
      pack_id: o.packId,
      protocol: SYNC_PROTOCOL_VERSION,
    });
    if (!r.ok) {
      const f = r.failure;
      if (f.kind === 'unreachable') {
        return { ok: false, reason: 'UNREACHABLE', message: `cannot reach the hub at ${hubUrl}: ${f.message}` };
      }
      if (f.kind === 'http' && f.status === 404) {
        return {
          ok: false,
          reason: 'CODE_REJECTED',
          message: 'the hub does not accept this pairing code (wrong, already used or expired); ask for a new one',
        };
      }
      return { ok: false, reason: f.kind === 'invalid' ? 'INVALID' : 'REFUSED', message: failureText(f) };
    }
    const response = r.value;
    // The credential first: it is shown once, and without it the device the hub just made is lost.
    writeCredential(o.dataDir, {
      hub_url: hubUrl,
      device_id: response.device_id,
      credential: response.credential,
      hub_id: response.hub_id,
      ...(fingerprint ? { fingerprint } : {}),
    });
    const at = now().toISOString();
    o.db
      .transaction(() => {
        links.create({
          hub_url: hubUrl,
          hub_id: response.hub_id,
          device_id: response.device_id,
          site: response.site,
          pack_id: o.packId,
          joined_at: at,
          clock_offset_ms: estimateClockOffset(response.server_time, r.sentAt, r.receivedAt) ?? null,
        });
        links.markContact(at);
        if (o.actor) {
          new AuditRepo(o.db, now).record({
            actor: o.actor,
            action: 'hub.join',
            targetType: 'hub_device',
            targetId: response.device_id,
            details: {
              hub_url: hubUrl,
              hub_id: response.hub_id,
              site: response.site.code,
              ...(fingerprint ? { fingerprint, pinned_on_first_use: pinnedOnFirstUse !== null } : {}),
            },
          });
        }
      })
      .immediate();
    return { ok: true, link: links.get()!, response, credentialFile: credentialPath(o.dataDir), pinnedOnFirstUse };
  } finally {
    client.close();
  }
}
