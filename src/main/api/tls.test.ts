import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthBody } from '../../shared/http-api';
import { repoRoot } from '../testing/paths';
import { type RunningServer, startServer } from './server';
import { ensureSelfSigned, loadTlsFiles } from './tls';

/** HTTPS for LAN kiosks: the self-signed certificate, its fingerprint, and a real server over TLS. */

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-tls-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** GET over HTTPS trusting only `ca`; answers the body and the peer certificate's fingerprint. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string; peer: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peer }));
    });
    req.on('error', reject);
  });
}

describe('the self-signed certificate', () => {
  it('is made once for the configured names, with a private key only the owner reads', async () => {
    const tlsDir = path.join(dir, 'once');
    const first = await ensureSelfSigned(tlsDir, ['kiosk.lan', '192.168.1.20']);
    const x509 = new X509Certificate(first.cert);
    expect(x509.checkHost('kiosk.lan')).toBe('kiosk.lan');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('192.168.1.20')).toBe('192.168.1.20');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('other.lan')).toBeUndefined();
    expect(first.fingerprint256).toBe(x509.fingerprint256);
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    if (process.platform !== 'win32') expect(statSync(path.join(tlsDir, 'key.pem')).mode & 0o777).toBe(0o600);
    // Start-up again: the same certificate (a pinned fingerprint stays valid).
    const again = await ensureSelfSigned(tlsDir, ['kiosk.lan']);
    expect(again.fingerprint256).toBe(first.fingerprint256);
    // A new name the certificate does not cover: made again, for it too.
    const renamed = await ensureSelfSigned(tlsDir, ['kiosk.lan', 'pintu.lan']);
    expect(renamed.fingerprint256).not.toBe(first.fingerprint256);
    expect(new X509Certificate(renamed.cert).checkHost('pintu.lan')).toBe('pintu.lan');
  });

  it('refuses a missing file, a file that is not a certificate, and a key of another certificate', async () => {
    const a = await ensureSelfSigned(path.join(dir, 'a'), []);
    const b = await ensureSelfSigned(path.join(dir, 'b'), []);
    expect(() => loadTlsFiles(path.join(dir, 'nope.pem'), path.join(dir, 'a', 'key.pem'))).toThrow(
      /cannot read the TLS certificate .*nope\.pem: no such file/,
    );
    const junk = path.join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    expect(() => loadTlsFiles(junk, path.join(dir, 'a', 'key.pem'))).toThrow(/is not a PEM certificate/);
    expect(() => loadTlsFiles(path.join(dir, 'a', 'cert.pem'), path.join(dir, 'b', 'key.pem'))).toThrow(
      /does not belong to the certificate/,
    );
    expect(loadTlsFiles(path.join(dir, 'b', 'cert.pem'), path.join(dir, 'b', 'key.pem')).fingerprint256).toBe(
      b.fingerprint256,
    );
    expect(a.fingerprint256).not.toBe(b.fingerprint256);
  });
});

describe('the server over HTTPS (real engine, loopback port)', () => {
  let running: RunningServer;
  const out: string[] = [];

  beforeAll(async () => {
    running = await startServer({
      config: { host: '127.0.0.1', port: 0, tls: { mode: 'self-signed' } },
      dataDir: path.join(dir, 'data'),
      pool: { workers: 1, intraOpNumThreads: 1 },
      out: (l) => out.push(l),
      log: () => {},
    });
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  it('prints the https address and the fingerprint, and health reports it', async () => {
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const cert = readFileSync(path.join(dir, 'data', 'tls', 'cert.pem'), 'utf8');
    const fingerprint = new X509Certificate(cert).fingerprint256;
    expect(out.join('\n')).toContain(`listening on ${running.url}`);
    expect(out.join('\n')).toContain(`TLS certificate SHA-256 fingerprint ${fingerprint}`);
    // Trusting exactly that certificate (as a pinned client does): the handshake succeeds for 127.0.0.1.
    const r = await httpsGet(`${running.url}/api/v1/health`, cert);
    expect(r.status).toBe(200);
    expect(r.peer).toBe(fingerprint);
    const body = JSON.parse(r.body) as HealthBody;
    expect(body.tls).toEqual({ enabled: true, fingerprint_sha256: fingerprint });
  });

  it('does not answer plain HTTP as if it were', async () => {
    const port = new URL(running.url).port;
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow();
  });
});

describe('hadir serve with a bad certificate', () => {
  const bin = path.join(repoRoot, 'bin', 'hadir.mjs');
  const serve = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, 'serve', '--port', '0', ...args],
        { cwd: repoRoot, env: { ...process.env, HADIR_DATA_DIR: path.join(dir, 'cli-data') }, timeout: 60_000 },
        (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });

  it('exits 1 with the reason when the certificate file is missing', async () => {
    const r = await serve(['--tls-cert', path.join(dir, 'missing.pem'), '--tls-key', path.join(dir, 'missing.key')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read the TLS certificate .*missing\.pem: no such file/);
  }, 60_000);

  it('exits 2 (usage) for a certificate without its key', async () => {
    const r = await serve(['--tls-cert', path.join(dir, 'a', 'cert.pem')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tls-cert and --tls-key go together');
  }, 60_000);
});
