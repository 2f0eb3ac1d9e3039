import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HadirError } from '../../shared/errors';

/** What `hadir join` keeps to talk to the hub. The credential is a secret: never in SQLite, never logged. */
export interface HubCredential {
  hub_url: string;
  device_id: string;
  credential: string;
  hub_id: string;
  /** SHA-256 of the hub's TLS certificate ("AB:CD:…"), pinned when the hub uses a self-signed one. */
  fingerprint?: string;
}

export const CREDENTIAL_FILE = 'hub-credential.json';

/** The credential file of a data folder (the folder the SQLite file lives in). */
export function credentialPath(dataDir: string): string {
  return path.join(dataDir, CREDENTIAL_FILE);
}

/**
 * Write the credential readable by its owner only (0600), atomically: a temp file created 0600 beside
 * it, then renamed over it, so no reader and no crash ever sees half a credential or a moment in
 * which it is readable by others.
 */
export function writeCredential(dataDir: string, c: HubCredential): string {
  const file = credentialPath(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const tmp = path.join(dataDir, `.${CREDENTIAL_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(c, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    // The mode given at creation is filtered by the umask; set it exactly (a no-op on Windows).
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return file;
}

/** The stored credential, or null when the kiosk never joined. A damaged file is an error, not "standalone". */
export function readCredential(dataDir: string): HubCredential | null {
  const file = credentialPath(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HadirError('INTERNAL', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HadirError('INTERNAL', `${file} is not valid JSON; join the hub again`, { cause: e });
  }
  const c = v as Partial<HubCredential> | null;
  const str = (x: unknown) => typeof x === 'string' && x !== '';
  if (!c || !str(c.hub_url) || !str(c.device_id) || !str(c.credential) || !str(c.hub_id)) {
    throw new HadirError('INTERNAL', `${file} lacks hub_url, device_id, credential or hub_id; join the hub again`);
  }
  if (c.fingerprint !== undefined && !str(c.fingerprint)) {
    throw new HadirError('INTERNAL', `${file}: fingerprint must be a string`);
  }
  return {
    hub_url: c.hub_url!,
    device_id: c.device_id!,
    credential: c.credential!,
    hub_id: c.hub_id!,
    ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}),
  };
}
