/**
 * HTTPS for the local server. Browsers give a page the camera only in a secure context, so a tablet
 * at the door needs the kiosk over HTTPS: either the operator's certificate and key (PEM files), or a
 * self-signed certificate generated once into `<data dir>/tls/`, whose SHA-256 fingerprint is shown
 * (start-up line, health answer, settings screen) so a client can pin it.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { checkPrivate } from '../store/private-files';
import { isIP } from 'node:net';
import path from 'node:path';
import { HadirError } from '../../shared/errors';

/** Where the certificate comes from: the operator's files, or one generated and kept in the data folder. */
export type TlsConfig = { mode: 'files'; certFile: string; keyFile: string } | { mode: 'self-signed' };

/** What the listener is given, and what is shown for pinning. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate, upper-case hex pairs joined by ':' (as browsers and openssl show it). */
  fingerprint256: string;
  /** Where it came from, for the start-up line. */
  certFile: string;
  selfSigned: boolean;
}

/** The TLS state the health answer and the settings screen report. */
export interface TlsStatus {
  enabled: boolean;
  fingerprint: string | null;
}

export const SELF_SIGNED_CERT = 'cert.pem';
export const SELF_SIGNED_KEY = 'key.pem';
/** Long enough not to surprise a site; a pinned fingerprint changes only when the names change. */
const SELF_SIGNED_DAYS = 825;

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new HadirError('BAD_REQUEST', `cannot read the TLS ${what} ${file}: ${reason}`);
  }
}

/** Parse and check a certificate and its key (PEM): a wrong pair fails here, not at the first handshake. */
export function tlsMaterialFrom(cert: string, key: string, certFile: string, selfSigned: boolean): TlsMaterial {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new HadirError('BAD_REQUEST', `${certFile} is not a PEM certificate (${(e as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw new HadirError('BAD_REQUEST', `the TLS key is not a readable PEM private key (${(e as Error).message})`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new HadirError('BAD_REQUEST', `the TLS key does not belong to the certificate ${certFile}`);
  }
  return { cert, key, fingerprint256: x509.fingerprint256, certFile, selfSigned };
}

/** Load the operator's certificate and key. */
export function loadTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  return tlsMaterialFrom(readPem(certFile, 'certificate'), readPem(keyFile, 'key'), certFile, false);
}

/** The names a self-signed certificate is made for: loopback always, plus the bind host and allowed names. */
export function certificateNames(names: readonly string[]): string[] {
  const all = new Set(['localhost', '127.0.0.1', '::1']);
  for (const n of names) {
    const h = n
      .trim()
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    // A wildcard bind is not a name a client can use; the machine's own names come in through `names`.
    if (h && h !== '0.0.0.0' && h !== '::') all.add(h);
  }
  return [...all];
}

function covers(x509: X509Certificate, names: readonly string[]): boolean {
  const now = Date.now();
  if (now < Date.parse(x509.validFrom) || now > Date.parse(x509.validTo) - 24 * 3600_000) return false;
  return names.every((n) =>
    isIP(n) ? x509.checkIP(n) !== undefined : x509.checkHost(n, { wildcards: false }) !== undefined,
  );
}

/**
 * The self-signed certificate in `dir` (created on first use, mode 0600 for the key). It is generated
 * again only when it expires or does not cover one of `names` (the bind or an allowed host changed),
 * so a pinned fingerprint stays valid across restarts.
 */
export async function ensureSelfSigned(dir: string, names: readonly string[]): Promise<TlsMaterial> {
  const certFile = path.join(dir, SELF_SIGNED_CERT);
  const keyFile = path.join(dir, SELF_SIGNED_KEY);
  const wanted = certificateNames(names);
  if (existsSync(certFile) && existsSync(keyFile)) {
    checkPrivate(keyFile);
    const existing = loadTlsFiles(certFile, keyFile);
    if (covers(new X509Certificate(existing.cert), wanted)) return { ...existing, selfSigned: true };
  }
  // The key from node:crypto; the certificate's ASN.1 from `selfsigned` (no openssl needed, on Windows too).
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'Hadir kiosk' }], {
    keyType: 'ec',
    keyPair: { privateKey, publicKey },
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + SELF_SIGNED_DAYS * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: wanted.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written beside and renamed: a crash mid-write leaves the old pair, never half a file.
  writeFileSync(keyFile + '.tmp', privateKey, { mode: 0o600 });
  chmodSync(keyFile + '.tmp', 0o600);
  // The certificate is public, but nothing in the data folder needs to be readable by others.
  writeFileSync(certFile + '.tmp', pems.cert, { mode: 0o600 });
  renameSync(keyFile + '.tmp', keyFile);
  renameSync(certFile + '.tmp', certFile);
  return tlsMaterialFrom(pems.cert, privateKey, certFile, true);
}

/** The certificate the server listens with: the configured files, or the data folder's self-signed one. */
export async function resolveTls(
  config: TlsConfig | null,
  opts: { dataDir: string; names: readonly string[] },
): Promise<TlsMaterial | null> {
  if (!config) return null;
  if (config.mode === 'files') {
    // The operator's key: reported when others can read it, tightened only if it is ours to change.
    checkPrivate(config.keyFile);
    return loadTlsFiles(config.certFile, config.keyFile);
  }
  return ensureSelfSigned(path.join(opts.dataDir, 'tls'), opts.names);
}

export function tlsStatusOf(tls: TlsMaterial | null | undefined): TlsStatus {
  return tls ? { enabled: true, fingerprint: tls.fingerprint256 } : { enabled: false, fingerprint: null };
}
