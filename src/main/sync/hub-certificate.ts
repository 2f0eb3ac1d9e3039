import net from 'node:net';
import tls from 'node:tls';

/** "AB:CD:…" from any spelling of a SHA-256 fingerprint (case, separators). */
export function normalizeFingerprint(f: string): string {
  return f.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

export interface HubCertificate {
  /** The system's CAs vouch for it (a public certificate): no pin is needed. */
  trusted: boolean;
  /** SHA-256 of the certificate, "AB:CD:…". */
  fingerprint: string;
}

/**
 * Look at the certificate an https hub presents, without sending it anything: a TLS handshake only,
 * closed at once. `hadir join` pins what it sees when the system's CAs do not vouch for it (a hub with
 * a self-signed certificate), so every later request goes to that hub and no other.
 */
export function probeHubCertificate(hubUrl: string, timeoutMs = 10_000): Promise<HubCertificate> {
  const url = new URL(hubUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      // SNI takes names only.
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      const out = { trusted: socket.authorized, fingerprint: cert.fingerprint256 ?? '' };
      socket.destroy();
      if (!out.fingerprint) reject(new Error('the hub presented no certificate'));
      else resolve(out);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
