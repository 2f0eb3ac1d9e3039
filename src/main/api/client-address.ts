/**
 * Who is on the other end of a request: the one place that decides a client's address and whether it
 * is on this machine. Every loopback, rate-limit and sign-in decision reads its answer.
 *
 * Behind a reverse proxy on the same host (nginx, Caddy) every connection comes from 127.0.0.1, so the
 * peer alone cannot be believed once a request carries `Forwarded` or `X-Forwarded-For`:
 * - from a peer that is not a trusted proxy, a forwarding header means "someone else sent this through
 *   me": the request is treated as remote (never loopback), under the peer's own address;
 * - from a trusted proxy (setting `api.trustedProxies`, env `HADIR_TRUSTED_PROXIES`), the client is the
 *   right-most address of the chain that is not itself a trusted proxy (the left part of the chain is
 *   whatever the client wrote, so only the hops the proxies appended are believed).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { HadirError } from '../../shared/errors';
import { isLoopbackAddress } from './config';

export interface ClientAddress {
  /** The address rate limits and sign-in back-off are keyed by (never empty). */
  address: string;
  /** Whether the client runs on this machine: keyless kiosk frames and old routes need it. */
  loopback: boolean;
  /** The request came through a trusted proxy (its forwarded address was used). */
  proxied: boolean;
}

/** Trusted proxy addresses and networks ("127.0.0.1", "::1", "10.0.0.0/8"); none by default. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[] = []) {
    let n = 0;
    for (const raw of entries) {
      const entry = raw.trim();
      if (!entry) continue;
      const [addr, bits] = entry.split('/');
      const a = normalizeAddress(addr);
      const family = isIP(a);
      if (family === 0)
        throw new HadirError('BAD_REQUEST', `trusted proxy "${entry}" is not an IP address or CIDR network`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(a, type);
      else {
        const prefix = Number(bits);
        if (!/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32)) {
          throw new HadirError('BAD_REQUEST', `trusted proxy "${entry}" has a bad prefix length`);
        }
        this.list.addSubnet(a, prefix, type);
      }
      n++;
    }
    this.size = n;
  }

  has(address: string | undefined): boolean {
    if (!address || this.size === 0) return false;
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Without brackets, zone or port-less IPv4-mapped prefix: "::ffff:127.0.0.1" → "127.0.0.1". */
function normalizeAddress(a: string): string {
  let s = a.trim().toLowerCase();
  if (s.startsWith('[') && s.includes(']')) s = s.slice(1, s.indexOf(']'));
  s = s.split('%')[0];
  if (s.startsWith('::ffff:') && isIP(s.slice(7)) === 4) s = s.slice(7);
  return s;
}

/** A `for=` node of RFC 7239 or an X-Forwarded-For entry, as an address ("unknown" and obfuscated ids kept). */
function nodeAddress(node: string): string {
  let s = node.trim().replace(/^"|"$/g, '');
  if (s.startsWith('[')) return normalizeAddress(s); // [v6] or [v6]:port
  // IPv4 with a port ("192.0.2.1:4711"); a bare IPv6 has several colons and no port.
  if (/^[\d.]+:\d+$/.test(s)) s = s.slice(0, s.indexOf(':'));
  return normalizeAddress(s) || 'unknown';
}

function headerList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v])
    .flatMap((h) => h.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The chain of client addresses a request's forwarding headers give, left (origin) to right (nearest). */
function forwardedChains(headers: IncomingHttpHeaders): { xff: string[]; forwarded: string[] } | null {
  const xffRaw = headers['x-forwarded-for'];
  const fwdRaw = headers.forwarded;
  if (xffRaw === undefined && fwdRaw === undefined) return null;
  const xff = headerList(xffRaw).map(nodeAddress);
  const forwarded = headerList(fwdRaw).map((element) => {
    const pair = element
      .split(';')
      .map((p) => p.trim())
      .find((p) => p.toLowerCase().startsWith('for='));
    return pair ? nodeAddress(pair.slice(4)) : 'unknown';
  });
  return { xff, forwarded };
}

/** The right-most address of `chain` + peer that is not a trusted proxy (all trusted: the left-most). */
function rightmostUntrusted(chain: readonly string[], peer: string, trusted: TrustedProxies): string {
  const hops = [...chain, peer];
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted.has(hops[i])) return hops[i];
  return hops[0];
}

/** Decide the client of a request from its socket peer and headers (see the module comment). */
export function clientAddress(
  peer: string | undefined,
  headers: IncomingHttpHeaders,
  trusted: TrustedProxies,
): ClientAddress {
  const socket = normalizeAddress(peer ?? '') || 'unknown';
  const chains = forwardedChains(headers);
  if (!chains) return { address: socket, loopback: isLoopbackAddress(socket), proxied: false };
  if (!trusted.has(socket)) return { address: socket, loopback: false, proxied: false };
  const fromXff = chains.xff.length ? rightmostUntrusted(chains.xff, socket, trusted) : null;
  const fromFwd = chains.forwarded.length ? rightmostUntrusted(chains.forwarded, socket, trusted) : null;
  const address = fromXff ?? fromFwd ?? socket;
  // Both headers present and telling different stories: believe the address for rate limits, but do
  // not let either make the client local.
  const agree = fromXff === null || fromFwd === null || fromXff === fromFwd;
  return { address, loopback: agree && isLoopbackAddress(address), proxied: true };
}
