import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialPath, readCredential, writeCredential } from './credential-file';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hadir-credential-'));
  dirs.push(d);
  return d;
};

const credential = {
  hub_url: 'http://127.0.0.1:5020',
  device_id: 'dev-1',
  credential: 'hdv1_secret',
  hub_id: 'hub-1',
};

describe('the hub credential file', () => {
  it('is absent for a standalone kiosk', () => {
    expect(readCredential(tempDir())).toBeNull();
  });

  it.skipIf(process.platform === 'win32')('is written 0600, atomically, whatever the umask', () => {
    const dir = tempDir();
    const old = process.umask(0o000);
    try {
      const file = writeCredential(dir, credential);
      expect(file).toBe(credentialPath(dir));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // Replacing it keeps the mode and leaves no temp file behind.
      writeCredential(dir, { ...credential, fingerprint: 'AB:CD' });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['hub-credential.json']);
      expect(readCredential(dir)).toEqual({ ...credential, fingerprint: 'AB:CD' });
    } finally {
      process.umask(old);
    }
  });

  it('refuses a damaged file instead of treating the kiosk as standalone', () => {
    const dir = tempDir();
    writeFileSync(credentialPath(dir), '{"hub_url": "http://x"');
    expect(() => readCredential(dir)).toThrow(/not valid JSON/);
    writeFileSync(credentialPath(dir), JSON.stringify({ hub_url: 'http://x', device_id: 'd' }));
    expect(() => readCredential(dir)).toThrow(/lacks/);
  });
});
