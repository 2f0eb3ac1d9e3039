import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HadirError } from '../../shared/errors';
import type { TlsConfig } from './tls';

/** The old Flask matching service's port, kept so its caller needs no change. */
export const DEFAULT_PORT = 5010;
/** The old anti-spoofing service's port, for the optional second listener. */
export const DEFAULT_LEGACY_ANTISPOOF_PORT = 5009;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** JSON bodies (embeddings, upload names) are small; a larger one is refused before it is parsed. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

export interface RateLimitSettings {
  /** Sustained requests per second per client (its key, or its address without one). */
  perSecond: number;
  /** Requests a client may send at once before the sustained rate applies. */
  burst: number;
}

/** Generous for one office's clients; the engine's own queue answers BUSY long before this matters. */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perSecond: 20, burst: 40 };

/**
 * Sign-in attempts per client address: a few at once (a mistyped PIN, a colleague after another),
 * then one every 5 s. Each attempt costs a scrypt hash (~128 MiB, a few hundred ms), so this is what
 * keeps a flood from one address off the CPU.
 */
export const DEFAULT_SIGN_IN_RATE_LIMIT: RateLimitSettings = { perSecond: 0.2, burst: 10 };

export interface ServerConfig {
  host: string;
  port: number;
  /** Largest accepted uploaded file (each file of a multipart body), bytes. */
  uploadLimitBytes: number;
  /** Images with more pixels than this are refused from their header (decompression bombs). */
  maxPixels?: number;
  /** Names besides localhost, the loopback addresses and the bind host that the Host header may carry. */
  allowedHosts: string[];
  /** Serve the old Flask services' routes (off by default). */
  legacyRoutes: boolean;
  /** Folder the old `verify-uploads` and `uploads` routes read plain file names from; null: those routes refuse. */
  uploadsDir: string | null;
  /** Port of the optional second listener for the old anti-spoofing routes; null: none. */
  legacyAntispoofPort: number | null;
  /** null: no rate limit. */
  rateLimit: RateLimitSettings | null;
  /** Sign-in attempts per client address, checked before any hashing; null: none (tests). */
  signInRateLimit: RateLimitSettings | null;
  /** Per-request socket deadline (slow or endless uploads), ms. */
  requestTimeoutMs: number;
  /** HTTPS (the web kiosk on a LAN needs a secure context for the camera); null: plain HTTP. */
  tls: TlsConfig | null;
  /**
   * Reverse proxies whose `Forwarded`/`X-Forwarded-For` are believed (addresses or CIDR networks; none
   * by default). A forwarding header from any other peer makes the request remote (client-address.ts).
   */
  trustedProxies: string[];
}

export function defaultServerConfig(): ServerConfig {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    uploadLimitBytes: DEFAULT_UPLOAD_LIMIT_BYTES,
    allowedHosts: [],
    legacyRoutes: false,
    uploadsDir: null,
    legacyAntispoofPort: null,
    rateLimit: DEFAULT_RATE_LIMIT,
    signInRateLimit: DEFAULT_SIGN_IN_RATE_LIMIT,
    requestTimeoutMs: 60_000,
    tls: null,
    trustedProxies: [],
  };
}

/** A host name or address the server treats as loopback-only: `localhost`, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host).toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isLoopbackAddress(h);
}

/** A socket address on the loopback interface (IPv4, IPv6, or IPv4-mapped IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = stripBrackets(address).toLowerCase();
  if (a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** An unspecified bind address: every interface. */
export function isWildcardHost(host: string): boolean {
  const h = stripBrackets(host);
  return h === '0.0.0.0' || h === '::' || h === '';
}

/**
 * The host names the Host header may carry (lower case, IPv6 without brackets). Against DNS rebinding a
 * browser page on another site reaches this server only under its own name, which is not in the list.
 * A wildcard bind adds this machine's addresses and host name, since remote clients use those.
 */
export function allowedHostNames(config: Pick<ServerConfig, 'host' | 'allowedHosts'>): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  const add = (n: string) => n && names.add(stripBrackets(n.trim()).toLowerCase());
  add(config.host);
  for (const n of config.allowedHosts) add(n);
  if (isWildcardHost(config.host)) {
    add(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) {
      for (const i of list ?? []) add(i.address.split('%')[0]);
    }
  }
  names.delete('');
  return names;
}

/** The host name of a Host header value ("example.com:5010", "[::1]:5010"), lower case, brackets removed. */
export function hostHeaderName(value: string | undefined): string | null {
  if (!value) return null;
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    return end > 0 ? v.slice(1, end) : null;
  }
  const colon = v.indexOf(':');
  // More than one colon without brackets is not a valid Host value.
  if (colon >= 0 && v.indexOf(':', colon + 1) >= 0) return null;
  const name = colon >= 0 ? v.slice(0, colon) : v;
  return name.replace(/\.$/, '') || null;
}

export function parsePort(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new HadirError('BAD_REQUEST', `${what} must be a port number 0-65535 (got "${value}")`);
  }
  return n;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);

/**
 * The environment's settings over the defaults: HADIR_HOST, HADIR_PORT, HADIR_LEGACY_ROUTES,
 * HADIR_UPLOADS_DIR, HADIR_LEGACY_ANTISPOOF_PORT, HADIR_ALLOWED_HOSTS (comma-separated),
 * HADIR_UPLOAD_LIMIT_MB, HADIR_MAX_PIXELS, HADIR_RATE_LIMIT ("20" or "20/40" = per second/burst; "0" = off),
 * HADIR_TLS_CERT + HADIR_TLS_KEY (PEM files) or HADIR_TLS_SELF_SIGNED=1, HADIR_TRUSTED_PROXIES
 * (comma-separated addresses or networks of reverse proxies on whose word the client's address is taken).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, base = defaultServerConfig()): ServerConfig {
  const c = { ...base, allowedHosts: [...base.allowedHosts], trustedProxies: [...base.trustedProxies] };
  if (env.HADIR_HOST) c.host = env.HADIR_HOST;
  if (env.HADIR_PORT) c.port = parsePort(env.HADIR_PORT, 'HADIR_PORT');
  if (env.HADIR_LEGACY_ROUTES !== undefined) c.legacyRoutes = TRUE.has(env.HADIR_LEGACY_ROUTES.toLowerCase());
  if (env.HADIR_UPLOADS_DIR) c.uploadsDir = env.HADIR_UPLOADS_DIR;
  if (env.HADIR_LEGACY_ANTISPOOF_PORT) {
    c.legacyAntispoofPort = parsePort(env.HADIR_LEGACY_ANTISPOOF_PORT, 'HADIR_LEGACY_ANTISPOOF_PORT');
  }
  if (env.HADIR_ALLOWED_HOSTS) c.allowedHosts.push(...env.HADIR_ALLOWED_HOSTS.split(',').filter(Boolean));
  if (env.HADIR_UPLOAD_LIMIT_MB)
    c.uploadLimitBytes = parseUploadLimitMb(env.HADIR_UPLOAD_LIMIT_MB, 'HADIR_UPLOAD_LIMIT_MB');
  if (env.HADIR_MAX_PIXELS) {
    const n = Number(env.HADIR_MAX_PIXELS);
    if (!Number.isInteger(n) || n < 1)
      throw new HadirError('BAD_REQUEST', 'HADIR_MAX_PIXELS must be a positive integer');
    c.maxPixels = n;
  }
  if (env.HADIR_TRUSTED_PROXIES !== undefined) c.trustedProxies = splitList(env.HADIR_TRUSTED_PROXIES);
  if (env.HADIR_RATE_LIMIT) c.rateLimit = parseRateLimit(env.HADIR_RATE_LIMIT, 'HADIR_RATE_LIMIT');
  if (env.HADIR_TLS_SELF_SIGNED !== undefined && TRUE.has(env.HADIR_TLS_SELF_SIGNED.toLowerCase())) {
    c.tls = { mode: 'self-signed' };
  }
  if (env.HADIR_TLS_CERT || env.HADIR_TLS_KEY) {
    c.tls = tlsFiles(env.HADIR_TLS_CERT, env.HADIR_TLS_KEY, 'HADIR_TLS_CERT', 'HADIR_TLS_KEY');
  }
  return c;
}

/** A comma-separated list, entries trimmed, empty ones dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The operator's certificate and key: both or neither. */
export function tlsFiles(
  certFile: string | undefined,
  keyFile: string | undefined,
  certWhat: string,
  keyWhat: string,
): TlsConfig {
  if (!certFile || !keyFile) {
    throw new HadirError('BAD_REQUEST', `${certWhat} and ${keyWhat} go together: give both files or neither`);
  }
  return { mode: 'files', certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}

export function parseUploadLimitMb(value: string, what: string): number {
  const mb = Number(value);
  if (!Number.isFinite(mb) || mb <= 0 || mb > 1024) {
    throw new HadirError('BAD_REQUEST', `${what} must be a size in MB between 0 and 1024 (got "${value}")`);
  }
  return Math.round(mb * 1024 * 1024);
}

export function parseRateLimit(value: string, what: string): RateLimitSettings | null {
  const [rate, burst] = value.split('/').map((s) => Number(s.trim()));
  if (rate === 0) return null;
  if (!(rate > 0) || (burst !== undefined && !(burst >= 1))) {
    throw new HadirError(
      'BAD_REQUEST',
      `${what} must be "N" or "N/BURST" requests per second, or 0 for none (got "${value}")`,
    );
  }
  return { perSecond: rate, burst: burst ?? Math.max(1, Math.ceil(rate * 2)) };
}

/** How to show a listening address: IPv6 in brackets. */
export function formatAddress(host: string, port: number, secure = false): string {
  const h = isIP(stripBrackets(host)) === 6 ? `[${stripBrackets(host)}]` : host;
  return `${secure ? 'https' : 'http'}://${h}:${port}`;
}
