import { createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { HadirError } from '../../shared/errors';
import { unsafeZipEntryName } from '../engine/zip-reader';
import { IMAGE_EXTENSIONS } from '../services/bulk-import';

/**
 * A zip of photos uploaded to the console, saved and unpacked for the bulk import. The archive comes
 * from a browser and is treated as hostile: the body is counted as it is written (not trusted to say
 * its length), every entry is checked before anything is unpacked (one unsafe path or link refuses the
 * whole archive), the declared sizes are held to limits and yauzl holds each entry to its declared
 * size as it inflates (a zip bomb stops at the limit, not at the disk's end). Only photos and a CSV are
 * written, under a fresh folder, readable by this user only.
 */

export interface PhotoZipLimits {
  /** The upload itself. */
  maxBodyBytes: number;
  /** Entries in the archive (folders not counted). */
  maxFiles: number;
  /** Everything unpacked, together. */
  maxUnpackedBytes: number;
  /** One photo unpacked. */
  maxEntryBytes: number;
}

/** HR archives: ~10,000 people with a photo or two each, JPEGs that do not compress. */
export const PHOTO_ZIP_LIMITS: PhotoZipLimits = {
  maxBodyBytes: 200 * 1024 * 1024,
  maxFiles: 30_000,
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxEntryBytes: 40 * 1024 * 1024,
};

/** A refusal of the archive: 400 with a reason the console translates. */
export function zipRefused(reason: string, message: string): HadirError {
  return new HadirError('BAD_REQUEST', message, { reason });
}

/** Writes the request body to `file` (created, 0600), refusing it past `maxBytes` (413). */
export async function saveUpload(body: Readable, file: string, maxBytes: number): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(new HadirError('PAYLOAD_TOO_LARGE', `the zip is over ${Math.round(maxBytes / 1024 / 1024)} MB`));
      } else done(null, chunk);
    },
  });
  await pipeline(body, counter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  return bytes;
}

const ZIP_MAGIC = [0x50, 0x4b]; // "PK": a local file header, or the end record of an empty archive

async function startsLikeZip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head[0] === ZIP_MAGIC[0] && head[1] === ZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

/** Every entry of the central directory, without reading any data. */
function listEntries(zip: yauzl.ZipFile, maxFiles: number): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    let files = 0;
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      if (!e.fileName.endsWith('/')) files++;
      if (files > maxFiles) {
        reject(zipRefused('zip_too_many_files', `the zip holds more than ${maxFiles} files`));
        return;
      }
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    // Kept for the whole unpacking (a late 'error' with no listener would throw out of the process).
    zip.on('error', reject);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))),
  );
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** A symbolic link as Unix zip tools store one (the mode in the high half of the external attributes). */
const isSymlink = (e: yauzl.Entry) => ((e.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;

/** What the import reads: photos and a CSV mapping them to people. macOS resource forks and dot files are not. */
function wanted(name: string): boolean {
  const parts = name.split('/');
  if (parts[0] === '__MACOSX' || parts.some((p) => p.startsWith('.'))) return false;
  const ext = path.posix.extname(name).toLowerCase();
  return IMAGE_EXTENSIONS.has(ext) || ext === '.csv';
}

/** yauzl's own refusals of a name, as ours. */
function asRefusal(e: unknown): unknown {
  if (e instanceof HadirError) return e;
  const msg = (e as Error).message ?? String(e);
  if (/^(invalid relative path|absolute path|invalid characters in fileName)/.test(msg)) {
    return zipRefused('zip_unsafe_path', `the zip has an entry with an unsafe path (${msg})`);
  }
  if (/too many bytes|too few bytes|overflow/i.test(msg)) {
    return zipRefused('zip_too_large', `an entry of the zip is not the size it declares (${msg})`);
  }
  return zipRefused('not_a_zip', `the upload is not a readable zip archive: ${msg}`);
}

export interface UnpackedZip {
  /** Photos and CSV files written. */
  files: number;
  bytes: number;
}

/**
 * Unpacks the photos (and a CSV) of `zipFile` into `dest` (an existing, private folder) under their
 * paths in the archive. Refuses (400, with a reason) what is not a zip, an entry outside `dest` or a
 * link, an encrypted entry, and archives over `limits`.
 */
export async function unpackPhotoZip(zipFile: string, dest: string, limits: PhotoZipLimits): Promise<UnpackedZip> {
  if (!(await startsLikeZip(zipFile))) throw zipRefused('not_a_zip', 'the upload is not a zip archive');
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipFile);
  } catch (e) {
    throw asRefusal(e);
  }
  try {
    const entries = await listEntries(zip, limits.maxFiles);
    // Everything is checked before anything is written: a hostile archive leaves nothing behind.
    let declared = 0;
    const todo: yauzl.Entry[] = [];
    for (const e of entries) {
      if (unsafeZipEntryName(e.fileName)) {
        throw zipRefused('zip_unsafe_path', `the zip has an entry with an unsafe path (${e.fileName})`);
      }
      if (isSymlink(e)) throw zipRefused('zip_symlink', `the zip holds a link (${e.fileName}); links are refused`);
      if (e.fileName.endsWith('/') || !wanted(e.fileName)) continue;
      if (e.isEncrypted())
        throw zipRefused('zip_encrypted', `${e.fileName} is encrypted; upload a zip without a password`);
      if (e.uncompressedSize > limits.maxEntryBytes) {
        throw zipRefused(
          'zip_too_large',
          `${e.fileName} unpacks to more than ${Math.round(limits.maxEntryBytes / 1024 / 1024)} MB`,
        );
      }
      declared += e.uncompressedSize;
      if (declared > limits.maxUnpackedBytes) {
        throw zipRefused(
          'zip_too_large',
          `the zip unpacks to more than ${Math.round(limits.maxUnpackedBytes / 1024 / 1024)} MB`,
        );
      }
      todo.push(e);
    }
    const root = path.resolve(dest);
    let bytes = 0;
    for (const e of todo) {
      const to = path.resolve(root, ...e.fileName.split('/'));
      // Checked above by name; checked again on the path actually written.
      if (!to.startsWith(root + path.sep)) throw zipRefused('zip_unsafe_path', `unsafe path ${e.fileName}`);
      await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
      let written = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _enc, done) {
          written += chunk.length;
          // yauzl already holds the entry to its declared size; this is the limit should it not.
          if (written > limits.maxEntryBytes) done(zipRefused('zip_too_large', `${e.fileName} unpacks too large`));
          else done(null, chunk);
        },
      });
      // `wx`: two entries of one name are a broken or hostile archive, not a photo to overwrite.
      await pipeline(await openEntry(zip, e), limit, createWriteStream(to, { flags: 'wx', mode: 0o600 }));
      bytes += written;
    }
    return { files: todo.length, bytes };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw zipRefused('zip_duplicate_entry', 'the zip holds the same file name twice');
    }
    throw asRefusal(e);
  } finally {
    zip.close();
  }
}
