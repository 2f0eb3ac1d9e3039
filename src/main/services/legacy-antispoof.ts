import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { type ErrorInfo, HadirError, toErrorInfo } from '../../shared/errors';
import { type ImageAnalysis, livenessDecision, mainFaceIndex } from '../../shared/face';

/**
 * The answer of the old anti-spoofing service (port 5009), rebuilt for its clients, which read only a
 * few fields. The old service failed open; this one fails closed: every failure (no face, an
 * unreadable or missing image, a name outside the uploads folder, no liveness models) answers
 * `prediction: 'fake'` with an `error`, and its numbers are set so that a client reading any one of
 * `prediction`, `prob_real`, `prob_fake` or `confidence` refuses.
 */

export interface LegacyAntiSpoofBody {
  prediction: 'real' | 'fake';
  /** Probability of the predicted class (1 on failures: the refusal is certain). */
  confidence: number;
  prob_real: number;
  prob_fake: number;
  /** The p_real threshold the prediction was made at. */
  threshold_used: number;
  error?: ErrorInfo;
}

export interface LegacyAntiSpoofPolicy {
  /** The p_real threshold in effect (the pipeline's `livenessThreshold`). */
  threshold: number;
  /** Judge the main face (largest box) of a photo with several faces (default), or refuse it. */
  allowMultipleFaces?: boolean;
}

/** What the route produced: an analysis with liveness requested, or the error that stopped it. */
export type LegacyAntiSpoofInput = { analysis: ImageAnalysis } | { error: unknown };

export function legacyAntiSpoofFailure(error: unknown, threshold: number): LegacyAntiSpoofBody {
  return {
    prediction: 'fake',
    confidence: 1,
    prob_real: 0,
    prob_fake: 1,
    threshold_used: threshold,
    error: toErrorInfo(error),
  };
}

/** Build the 200 body from an analysis (or its failure) under the site's policy. */
export function legacyAntiSpoofAnswer(input: LegacyAntiSpoofInput, policy: LegacyAntiSpoofPolicy): LegacyAntiSpoofBody {
  const { threshold } = policy;
  if ('error' in input) return legacyAntiSpoofFailure(input.error, threshold);
  const { analysis } = input;
  if (analysis.livenessAvailable !== true) {
    return legacyAntiSpoofFailure(
      new HadirError('LIVENESS_UNAVAILABLE', 'liveness models are not installed or could not be loaded; refusing'),
      threshold,
    );
  }
  const i = mainFaceIndex(analysis.faces);
  if (i < 0) return legacyAntiSpoofFailure(new HadirError('NO_FACE', 'no face found in the image'), threshold);
  if (analysis.faces.length > 1 && policy.allowMultipleFaces === false) {
    return legacyAntiSpoofFailure(
      new HadirError('MULTIPLE_FACES', `${analysis.faces.length} faces found; exactly one is allowed`),
      threshold,
    );
  }
  const live = analysis.faces[i].liveness;
  if (!live || !Number.isFinite(live.p_real)) {
    return legacyAntiSpoofFailure(
      new HadirError('LIVENESS_UNAVAILABLE', 'the main face was not judged; refusing'),
      threshold,
    );
  }
  const probReal = live.p_real;
  const real = livenessDecision(probReal, threshold) === 'real';
  return {
    prediction: real ? 'real' : 'fake',
    confidence: real ? probReal : 1 - probReal,
    prob_real: probReal,
    prob_fake: 1 - probReal,
    threshold_used: threshold,
  };
}

const NOT_FOUND_MESSAGE = 'no readable image of that name in the uploads folder';

/**
 * Resolve a client-supplied upload name to a file inside `uploadsDir`. Only a plain file name is
 * accepted: no separators, no `.`/`..`, not absolute, no NUL, no `:` (a Windows drive or stream), at
 * most 255 bytes. The folder and the file are then resolved through symlinks, and the file must still
 * lie directly inside the folder. Missing, unreadable, not a regular file and a link leading out all
 * answer the same NOT_FOUND, so the route cannot be used to learn what exists elsewhere.
 */
export async function resolveUploadName(uploadsDir: string, name: string): Promise<string> {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    Buffer.byteLength(name) > 255 ||
    name === '.' ||
    name === '..' ||
    /[/\\:\0]/.test(name) ||
    path.isAbsolute(name) ||
    path.basename(name) !== name
  ) {
    throw new HadirError('BAD_REQUEST', 'the image name must be a plain file name inside the uploads folder');
  }
  let dir: string;
  let file: string;
  try {
    dir = await realpath(uploadsDir);
    file = await realpath(path.join(dir, name));
  } catch (e) {
    throw new HadirError('NOT_FOUND', NOT_FOUND_MESSAGE, { cause: e });
  }
  if (path.dirname(file) !== dir) throw new HadirError('NOT_FOUND', NOT_FOUND_MESSAGE);
  return file;
}

/** The most read from the uploads folder when the caller gives no limit (the API passes its upload limit). */
export const DEFAULT_UPLOAD_READ_LIMIT = 10 * 1024 * 1024;

/**
 * Read an upload by name (see {@link resolveUploadName}). The resolved path is opened without
 * following a symlink, so a link swapped in after the check is refused too, and only a regular file
 * is read.
 */
export async function readUpload(
  uploadsDir: string,
  name: string,
  /** Larger files are refused before being read (the folder is another program's: no trusting its sizes). */
  maxBytes: number = DEFAULT_UPLOAD_READ_LIMIT,
): Promise<Uint8Array> {
  const file = await resolveUploadName(uploadsDir, name);
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    throw new HadirError('NOT_FOUND', NOT_FOUND_MESSAGE, { cause: e });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new HadirError('NOT_FOUND', NOT_FOUND_MESSAGE);
    if (st.size > maxBytes) {
      throw new HadirError(
        'PAYLOAD_TOO_LARGE',
        `the named upload is larger than the upload limit of ${maxBytes} bytes`,
      );
    }
    // Read at most one byte past the limit: a file that grows after the check is still refused.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > maxBytes) {
      throw new HadirError(
        'PAYLOAD_TOO_LARGE',
        `the named upload is larger than the upload limit of ${maxBytes} bytes`,
      );
    }
    return new Uint8Array(buf.subarray(0, bytesRead));
  } catch (e) {
    if (e instanceof HadirError) throw e;
    throw new HadirError('NOT_FOUND', NOT_FOUND_MESSAGE, { cause: e });
  } finally {
    await handle.close();
  }
}

/**
 * The whole route minus HTTP: read the named upload, analyse it with liveness (the caller's engine),
 * and answer. Never throws: every failure becomes a `fake` answer with its error.
 */
export async function answerUpload(
  uploadsDir: string,
  name: string,
  analyze: (bytes: Uint8Array) => Promise<ImageAnalysis>,
  policy: LegacyAntiSpoofPolicy,
  maxBytes: number = DEFAULT_UPLOAD_READ_LIMIT,
): Promise<LegacyAntiSpoofBody> {
  try {
    const bytes = await readUpload(uploadsDir, name, maxBytes);
    return legacyAntiSpoofAnswer({ analysis: await analyze(bytes) }, policy);
  } catch (e) {
    return legacyAntiSpoofFailure(e, policy.threshold);
  }
}
