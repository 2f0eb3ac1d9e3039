import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { HadirError } from '../../shared/errors';
import { userModelsDir } from '../paths';
import { hashingStream } from './file-hash';
import type { ModelPack } from './manifest';
import { checksumMismatchError, packFiles } from './model-files';
import { fileRefsByName, installStaged, type InstallCheck, type InstalledFile } from './model-install';
import { addPins, readPins } from './model-pins';
import { extractZipMembers } from './zip-reader';

/**
 * `hadir models fetch`: download a pack's zip, check it, unpack only the pack's files, check them,
 * and install them into `<dataDir>/models/<packId>/`. Everything happens in a staging folder inside
 * the destination, so a failed or tampered download leaves the installed files untouched.
 */

export interface FetchProgress {
  received: number;
  /** Null when the server sends no usable Content-Length. */
  total: number | null;
}

export interface FetchOptions {
  /** Download from here instead of `pack.url` (mirrors, tests). */
  url?: string;
  /** Install here instead of `<dataDir>/models/<packId>`. */
  dest?: string;
  onProgress?: (p: FetchProgress) => void;
}

export interface FetchReport {
  pack: ModelPack;
  url: string;
  dest: string;
  archive: { sha256: string; bytes: number; check: InstallCheck };
  files: InstalledFile[];
}

function downloadFailed(pack: ModelPack, url: string, why: string, cause?: unknown): HadirError {
  return new HadirError(
    'DOWNLOAD_FAILED',
    `could not download pack ${pack.id} from ${url}: ${why}. If this machine cannot reach that address ` +
      `(offline site, proxy, firewall), get the zip another way and run \`hadir models import <zip> --pack ${pack.id}\`, ` +
      `or pass a reachable mirror with --url.`,
    { cause },
  );
}

/** Node's fetch hides the useful part (ECONNREFUSED, ENOTFOUND, certificate errors) in `cause`. */
function describeNetworkError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const message = cause?.message ?? (e as Error).message;
  return cause?.code && !message.includes(cause.code) ? `${cause.code} ${message}` : message;
}

async function download(pack: ModelPack, url: string, to: string, onProgress?: FetchOptions['onProgress']) {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    throw downloadFailed(pack, url, describeNetworkError(e), e);
  }
  if (!res.ok || !res.body) throw downloadFailed(pack, url, `HTTP ${res.status} ${res.statusText}`.trim());
  // With Content-Encoding, fetch decodes the body and Content-Length counts encoded bytes: unusable.
  const length = Number(res.headers.get('content-length'));
  const total = !res.headers.get('content-encoding') && length > 0 ? length : null;
  let received = 0;
  const hashing = hashingStream((bytes) => {
    received = bytes;
    onProgress?.({ received, total });
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), hashing.stream, createWriteStream(to));
  } catch (e) {
    throw downloadFailed(pack, url, `the transfer broke off after ${received} bytes (${describeNetworkError(e)})`, e);
  }
  if (total !== null && received !== total) {
    throw downloadFailed(pack, url, `got ${received} of ${total} bytes`);
  }
  return hashing.result();
}

export async function fetchPack(pack: ModelPack, opts: FetchOptions = {}): Promise<FetchReport> {
  const url = opts.url ?? pack.url;
  if (!url) {
    throw new HadirError(
      'DOWNLOAD_FAILED',
      `pack ${pack.id} has no download address (source: ${pack.source}).` +
        (pack.sourceNote
          ? ` ${pack.sourceNote}`
          : ` Import its files with \`hadir models import <folder|zip> --pack ${pack.id}\`.`),
    );
  }
  const dest = path.resolve(opts.dest ?? path.join(userModelsDir(), pack.id));
  const created = await mkdir(dest, { recursive: true });
  const stagingDir = await mkdtemp(path.join(dest, '.fetch-'));
  let ok = false;
  try {
    const archivePath = path.join(stagingDir, 'pack.zip');
    const archive = await download(pack, url, archivePath, opts.onProgress);

    const pins = await readPins();
    const archivePin = pins.archives[pack.id];
    const expected = pack.archiveSha256
      ? { sha256: pack.archiveSha256.toLowerCase(), from: 'manifest' as const }
      : archivePin
        ? { sha256: archivePin.sha256, from: 'pin' as const }
        : null;
    if (expected && expected.sha256 !== archive.sha256) {
      throw checksumMismatchError(`the ${pack.id} archive`, url, expected, archive.sha256, {
        kind: 'archives',
        key: pack.id,
      });
    }

    const refs = fileRefsByName([pack]);
    const members = await extractZipMembers(archivePath, (n) => refs.has(n), stagingDir);
    const absent = packFiles(pack).filter((f) => !f.optional && !members.has(f.ref.file));
    if (absent.length > 0) {
      throw new HadirError(
        'MODEL_INVALID',
        `the archive from ${url} lacks ${absent.map((f) => f.ref.file).join(', ')}: it is not pack ${pack.id}`,
      );
    }
    const files = await installStaged(
      [...members.values()].map((m) => ({
        name: m.name,
        path: m.path,
        sha256: m.sha256,
        source: `${url}!${m.entryName}`,
      })),
      refs,
      dest,
    );
    // Pin the archive only once its contents checked out: a bad first download must not become the reference.
    if (!expected) await addPins({ archives: { [pack.id]: { sha256: archive.sha256, source: url } } });
    ok = true;
    return {
      pack,
      url,
      dest,
      archive: { ...archive, check: !expected ? 'newly-pinned' : expected.from === 'pin' ? 'pinned' : 'verified' },
      files,
    };
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
    // Leave no empty folder behind when this call created it and nothing was installed.
    if (!ok && created) await rmdir(dest).catch(() => undefined);
  }
}
