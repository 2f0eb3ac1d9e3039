import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  dataKeyFromBytes,
  DataKeyError,
  ENVELOPE_OVERHEAD,
  envelopeKeyId,
  Keyring,
  newDataKeyBytes,
  templateAad,
} from './data-cipher';
import {
  addKeyToKeyFile,
  createKeyFile,
  dataKeyFileFor,
  hubKeyring,
  keyFileKeyring,
  readKeyFile,
} from './data-key-file';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hadir-cipher-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const value = Buffer.from(new Float32Array([0.6, 0.8, 0, 0]).buffer);

describe('sealed values', () => {
  it('are version, key id, nonce, tag and ciphertext, with a fresh nonce every time', () => {
    const key = dataKeyFromBytes(newDataKeyBytes());
    const ring = new Keyring([key]);
    const aad = templateAad('embedding', 1, 2);
    const a = ring.seal(value, aad);
    const b = ring.seal(value, aad);
    expect(a.length).toBe(value.length + ENVELOPE_OVERHEAD);
    expect(ENVELOPE_OVERHEAD).toBe(1 + 4 + 12 + 16);
    expect(a[0]).toBe(1);
    expect(envelopeKeyId(a)).toBe(key.id);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
    expect(a.includes(value)).toBe(false);
    expect(ring.open(a, aad)).toEqual(value);
  });

  it('do not open in another row, for another person, in the other column, tampered, or under another key', () => {
    const ring = new Keyring([dataKeyFromBytes(newDataKeyBytes())]);
    const sealed = ring.seal(value, templateAad('embedding', 1, 2));
    expect(() => ring.open(sealed, templateAad('embedding', 3, 2))).toThrow(DataKeyError);
    expect(() => ring.open(sealed, templateAad('embedding', 1, 4))).toThrow(/failed authentication/);
    expect(() => ring.open(sealed, templateAad('thumbnail', 1, 2))).toThrow(DataKeyError);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] ^= 1;
    expect(() => ring.open(flipped, templateAad('embedding', 1, 2))).toThrow(DataKeyError);
    const other = new Keyring([dataKeyFromBytes(newDataKeyBytes())]);
    expect(() => other.open(sealed, templateAad('embedding', 1, 2))).toThrow(/does not hold/);
  });

  it('derive the key id and check value from the key, revealing neither', () => {
    const raw = newDataKeyBytes();
    const a = dataKeyFromBytes(raw);
    expect(dataKeyFromBytes(raw)).toMatchObject({ id: a.id, check: a.check });
    expect(a.check).toMatch(/^[0-9a-f]{32}$/);
    expect(raw.toString('hex').includes(a.check)).toBe(false);
    expect(() => dataKeyFromBytes(raw.subarray(0, 16))).toThrow(DataKeyError);
  });
});

describe('the key file', () => {
  it('is made 0600 in a 0700 folder; a rotation puts a new key first and keeps the old', () => {
    const file = path.join(tempDir(), 'hadir-keys', 'data.key');
    const [first] = createKeyFile(file);
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    }
    // Made once: a second first use reads the same key.
    expect(createKeyFile(file)[0].id).toBe(first.id);
    const ring = keyFileKeyring(file, readKeyFile(file)!);
    const old = ring.seal(value, templateAad('embedding', 1, 1));
    const added = addKeyToKeyFile(file);
    expect(readKeyFile(file)!.map((k) => k.id)).toEqual([added.id, first.id]);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    // A keyring over the file follows it: new values under the new key, old ones still open.
    expect(ring.current.id).toBe(added.id);
    expect(ring.open(old, templateAad('embedding', 1, 1))).toEqual(value);
  });

  it('is refused inside the data folder', () => {
    const dataDir = tempDir();
    expect(() =>
      dataKeyFileFor(path.join(dataDir, 'hadir.db'), { HADIR_DATA_KEY_FILE: path.join(dataDir, 'k', 'data.key') }),
    ).toThrow(/inside the data folder/);
    expect(
      dataKeyFileFor(path.join(dataDir, 'hadir.db'), { HADIR_DATA_KEY_FILE: path.join(tempDir(), 'data.key') }),
    ).toMatch(/data\.key$/);
  });

  it("the hub's keys come from its environment, never from a default", () => {
    const a = newDataKeyBytes();
    const b = newDataKeyBytes();
    const ring = hubKeyring({ HADIR_HUB_DATA_KEY: `${a.toString('base64')}, ${b.toString('base64')}` });
    expect(ring.current.id).toBe(dataKeyFromBytes(a).id);
    expect(ring.all.map((k) => k.id)).toEqual([dataKeyFromBytes(a).id, dataKeyFromBytes(b).id]);
    expect(() => hubKeyring({})).toThrow(/HADIR_HUB_DATA_KEY/);
    expect(() => hubKeyring({ HADIR_HUB_DATA_KEY: 'c2hvcnQ=' })).toThrow(/not 32 bytes/);
    const file = path.join(tempDir(), 'hub.key');
    const [k] = createKeyFile(file);
    expect(hubKeyring({ HADIR_HUB_DATA_KEY_FILE: file }).current.id).toBe(k.id);
  });
});
