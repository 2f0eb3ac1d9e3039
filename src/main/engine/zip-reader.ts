import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { HadirError } from '../../shared/errors';
import { hashingStream } from './file-hash';

/**
 * Reading model zips (InsightFace packs, or a site's own archive). Only wanted members are
 * extracted, by base name, because packs nest their files in a folder (`buffalo_s/det_500m.onnx`)
 * and carry extra models Hadir does not use.
 */

export interface ExtractedMember {
  /** The member's full name inside the zip. */
  entryName: string;
  /** Its base name: the model file name it is matched by. */
  name: string;
  /** Where it was written (inside the staging folder). */
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * A member name that would land outside the destination if written as is. Hadir never writes
 * members under their zip path, but an archive holding one is hostile or broken, so it is refused.
 */
export function unsafeZipEntryName(name: string): boolean {
  const n = name.replace(/\\/g, '/');
  return n.startsWith('/') || /^[a-zA-Z]:/.test(n) || n.split('/').includes('..');
}

function unsafeEntryError(zipPath: string, detail: string): HadirError {
  return new HadirError('MODEL_INVALID', `refusing ${zipPath}: it has an entry with an unsafe path (${detail})`);
}

function asHadirError(zipPath: string, e: unknown): unknown {
  if (e instanceof HadirError) return e;
  const msg = (e as Error).message ?? String(e);
  // yauzl validates names itself and reports them with these prefixes.
  if (/^(invalid relative path|absolute path|invalid characters in fileName)/.test(msg)) {
    return unsafeEntryError(zipPath, msg);
  }
  return new HadirError('MODEL_INVALID', `${zipPath} is not a readable zip archive: ${msg}`, { cause: e });
}

function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))),
  );
}

/**
 * Extracts the members whose base name `wanted` accepts into `stagingDir`, hashing them as they
 * stream. Every entry name is checked first; one unsafe name refuses the whole archive. A wanted
 * name present twice is refused too: which copy is "the" model would be a guess.
 */
export async function extractZipMembers(
  zipPath: string,
  wanted: (name: string) => boolean,
  stagingDir: string,
): Promise<Map<string, ExtractedMember>> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipPath);
  } catch (e) {
    throw asHadirError(zipPath, e);
  }
  // yauzl reports some failures as 'error' events; keep one listener for the whole walk so none is uncaught.
  let failure: unknown = null;
  let rejectPending: ((e: unknown) => void) | null = null;
  zip.on('error', (e) => {
    failure = e;
    rejectPending?.(e);
  });
  const nextEntry = () =>
    new Promise<yauzl.Entry | null>((resolve, reject) => {
      if (failure) return reject(failure);
      rejectPending = reject;
      zip.once('entry', resolve);
      zip.once('end', () => resolve(null));
      zip.readEntry();
    }).finally(() => {
      zip.removeAllListeners('entry');
      zip.removeAllListeners('end');
      rejectPending = null;
    });

  const out = new Map<string, ExtractedMember>();
  try {
    for (let entry = await nextEntry(); entry; entry = await nextEntry()) {
      if (unsafeZipEntryName(entry.fileName)) throw unsafeEntryError(zipPath, entry.fileName);
      if (entry.fileName.endsWith('/')) continue;
      const name = path.posix.basename(entry.fileName);
      if (!wanted(name)) continue;
      const previous = out.get(name);
      if (previous) {
        throw new HadirError(
          'MODEL_INVALID',
          `${zipPath} holds ${name} twice (${previous.entryName} and ${entry.fileName}); cannot tell which to use`,
        );
      }
      const dest = path.join(stagingDir, name);
      const hashing = hashingStream();
      await pipeline(await openEntry(zip, entry), hashing.stream, createWriteStream(dest));
      const { sha256, bytes } = hashing.result();
      out.set(name, { entryName: entry.fileName, name, path: dest, sha256, bytes });
    }
  } catch (e) {
    throw asHadirError(zipPath, e);
  } finally {
    zip.close();
  }
  return out;
}
