import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { HadirError } from '../../shared/errors';

/**
 * Biometric data at rest (UU PDP treats it as specific personal data): face templates and thumbnails
 * are sealed with AES-256-GCM under a data key kept outside the data folder, so a copied database or
 * backup yields ciphertext only.
 *
 * A sealed value is an envelope:
 *
 *   version (1 byte) | key id (4 bytes, big-endian) | nonce (12 bytes) | tag (16 bytes) | ciphertext
 *
 * The nonce is random per value (2^-32 collision odds only after ~2^32 values under one key: far beyond
 * any gallery). The caller's associated data names the row and what the value is (see
 * {@link templateAad}), so a ciphertext moved to another row, another person or the other column fails
 * authentication instead of decrypting. The key id is derived from the key itself, so two sites' keys
 * never share an id and a wrong key file is named as such.
 *
 * This module holds no SQL and reads no files: the kiosk's SQLite store and the hub's PostgreSQL store
 * both seal with it.
 */

export const ENVELOPE_VERSION = 1;
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + 4 + NONCE_BYTES + TAG_BYTES;
/** How many bytes sealing adds to a value. */
export const ENVELOPE_OVERHEAD = HEADER_BYTES;

/**
 * The data key is missing, is not the key the data was sealed with, or a sealed value does not
 * authenticate. Never crosses HTTP (the server refuses to start instead); the CLI exits with
 * {@link DATA_KEY_EXIT_CODE}.
 */
export class DataKeyError extends HadirError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
    this.name = 'DataKeyError';
  }
}

export function isDataKeyError(e: unknown): e is DataKeyError {
  return e instanceof DataKeyError;
}

/** The `hadir` exit code when the data key is missing or wrong. */
export const DATA_KEY_EXIT_CODE = 3;

export interface DataKey {
  /** Derived from the key (HMAC), stored in every envelope and in each template row. */
  id: number;
  key: KeyObject;
  /** Key check value: proves a key is the right one without revealing it (HMAC, 128 bits, hex). */
  check: string;
}

const hmac = (raw: Uint8Array, label: string) => createHmac('sha256', raw).update(label).digest();

export function dataKeyFromBytes(raw: Uint8Array): DataKey {
  if (raw.byteLength !== KEY_BYTES) throw new DataKeyError(`a data key is ${KEY_BYTES} bytes, not ${raw.byteLength}`);
  return {
    id: hmac(raw, 'hadir data key id v1').readUInt32BE(0),
    key: createSecretKey(Buffer.from(raw)),
    check: hmac(raw, 'hadir data key check v1').subarray(0, 16).toString('hex'),
  };
}

export function newDataKeyBytes(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** A key id as people see it (logs, errors, the key file): 8 hex digits. */
export const keyIdHex = (id: number): string => id.toString(16).padStart(8, '0');

/** What a template value is bound to: its table, column, row and person. */
export function templateAad(
  kind: 'embedding' | 'thumbnail',
  rowId: number | string,
  personId: number | string,
): Buffer {
  return Buffer.from(`hadir/face_templates/${kind}/${rowId}/${personId}`);
}

/** The key id of an envelope, or null when the bytes are not one. */
export function envelopeKeyId(envelope: Uint8Array): number | null {
  if (envelope.byteLength < HEADER_BYTES || envelope[0] !== ENVELOPE_VERSION) return null;
  return Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength).readUInt32BE(1);
}

/**
 * The keys one process may use: the current key seals, every key opens what it sealed. `reload`
 * re-reads the key source when an envelope names a key not held (another process rotated) or when
 * the source changed, so a running kiosk follows a rotation without restarting.
 */
export class Keyring {
  private keys: DataKey[];
  private readonly byId = new Map<number, DataKey>();

  constructor(
    keys: readonly DataKey[],
    private readonly source?: { reload: () => readonly DataKey[] | null; changed?: () => boolean },
  ) {
    if (keys.length === 0) throw new DataKeyError('a keyring needs at least one key');
    this.keys = [...keys];
    this.index();
  }

  private index(): void {
    this.byId.clear();
    for (const k of this.keys) this.byId.set(k.id, k);
  }

  /** Re-read the key source; returns whether anything changed. */
  reload(): boolean {
    const keys = this.source?.reload();
    if (!keys || keys.length === 0) return false;
    const before = this.keys.map((k) => k.id).join();
    this.keys = [...keys];
    this.index();
    return this.keys.map((k) => k.id).join() !== before;
  }

  /** The key new values are sealed with (the key file's first). */
  get current(): DataKey {
    if (this.source?.changed?.()) this.reload();
    return this.keys[0];
  }

  get all(): readonly DataKey[] {
    return this.keys;
  }

  /** The key with `id`, re-reading the source once when it is not held. */
  get(id: number): DataKey | undefined {
    return this.byId.get(id) ?? (this.reload() ? this.byId.get(id) : undefined);
  }

  /** Seal with `key` (default the current one: pass it when its id is stored beside the value). */
  seal(plaintext: Uint8Array, aad: Uint8Array, key: DataKey = this.current): Buffer {
    const out = Buffer.allocUnsafe(HEADER_BYTES + plaintext.byteLength);
    out[0] = ENVELOPE_VERSION;
    out.writeUInt32BE(key.id, 1);
    const nonce = out.subarray(5, 5 + NONCE_BYTES);
    randomBytes(NONCE_BYTES).copy(nonce);
    const cipher = createCipheriv('aes-256-gcm', key.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    let n = HEADER_BYTES;
    n += cipher.update(plaintext).copy(out, n);
    n += cipher.final().copy(out, n);
    cipher.getAuthTag().copy(out, 5 + NONCE_BYTES);
    return n === out.length ? out : out.subarray(0, n);
  }

  /** The plaintext of an envelope; throws {@link DataKeyError} naming what is wrong. */
  open(envelope: Uint8Array, aad: Uint8Array): Buffer {
    const keyId = envelopeKeyId(envelope);
    if (keyId === null) throw new DataKeyError('not a sealed value (unknown envelope version or too short)');
    const key = this.get(keyId);
    if (!key) {
      throw new DataKeyError(
        `sealed with data key ${keyIdHex(keyId)}, which the key file does not hold (it holds ${this.keys.map((k) => keyIdHex(k.id)).join(', ')})`,
      );
    }
    const b = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', key.key, b.subarray(5, 5 + NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(b.subarray(5 + NONCE_BYTES, HEADER_BYTES));
    const body = decipher.update(b.subarray(HEADER_BYTES));
    try {
      decipher.final();
    } catch (e) {
      throw new DataKeyError('a sealed value failed authentication (tampered, or moved from another row)', {
        cause: e,
      });
    }
    return body;
  }
}

// The keyring a database connection was opened with. Kept beside the connection rather than passed to
// every repository, so the many places that build a TemplatesRepo over a Db need not change.
const KEYRINGS = new WeakMap<object, Keyring>();

export function attachKeyring(db: object, keyring: Keyring): void {
  KEYRINGS.set(db, keyring);
}

export function keyringOf(db: object): Keyring | undefined {
  return KEYRINGS.get(db);
}
