import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';

/** SHA-256 of a file as lowercase hex, streamed so 300 MB models never sit in memory. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface CachedHash {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

const cache = new Map<string, CachedHash>();

/**
 * SHA-256 of a file, remembered per path while its size, mtime and inode stay the same. Every
 * worker and every `resolvePack` verifies the weights it loads; without the cache each of them
 * would re-read tens of megabytes. A replaced or rewritten file changes the stamp and is re-hashed.
 */
export async function sha256FileCached(file: string): Promise<string> {
  const abs = path.resolve(file);
  const st = await stat(abs);
  const hit = cache.get(abs);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino) return hit.sha256;
  const sha256 = await sha256File(abs);
  cache.set(abs, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 });
  return sha256;
}

/** Forget every cached hash (tests that rewrite a file within the mtime resolution). */
export function clearHashCache(): void {
  cache.clear();
}

/**
 * A pass-through that hashes what flows through it, so a copy, an unzip or a download is verified
 * on the bytes actually written rather than on a second read. A Transform rather than an async
 * generator: yauzl's stored-entry streams never emit 'close', which stalls a generator stage of `pipeline`.
 */
export function hashingStream(onChunk?: (bytesSoFar: number) => void): {
  stream: Transform;
  result: () => { sha256: string; bytes: number };
} {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onChunk?.(bytes);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), bytes }) };
}
