import { type ErrorCode, type ErrorInfo, HadirError, isHadirError } from '../../shared/errors';

/**
 * HTTP status of each error code. The choices that need a reason:
 * - CORRUPT_IMAGE and EMPTY_IMAGE are 400: the upload itself is broken (truncated, zero bytes), like a
 *   malformed field; 422 is kept for a sound image that lacks what the route needs (NO_FACE).
 * - UNSUPPORTED_FORMAT is 415 (the bytes are not an image Hadir can read) as is UNSUPPORTED_MEDIA_TYPE
 *   (the body is not multipart/JSON as the route takes).
 * - IMAGE_TOO_LARGE is 413 like an oversized body: too many pixels is "too large" from the client's view.
 * - MISDIRECTED_REQUEST (a Host header this server does not answer for) is 421.
 * - BUSY, TIMEOUT, WORKER_CRASHED, SHUT_DOWN, LIVENESS_UNAVAILABLE and WARMING are 503: the request was
 *   fine and may succeed later (BUSY and WARMING with Retry-After).
 * - HUB_UNREACHABLE and HUB_REFUSED are 502: this server is a gateway to the hub it was asked to join,
 *   and the hub did not answer, or answered with something this server cannot pass on as the caller's fault.
 */
const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  CORRUPT_IMAGE: 400,
  EMPTY_IMAGE: 400,
  UNSUPPORTED_FORMAT: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IMAGE_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ENROLLMENT_REFUSED: 422,
  NO_FACE: 422,
  MULTIPLE_FACES: 422,
  DEGENERATE_LANDMARKS: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  MISDIRECTED_REQUEST: 421,
  RATE_LIMITED: 429,
  BUSY: 503,
  TIMEOUT: 503,
  WORKER_CRASHED: 503,
  SHUT_DOWN: 503,
  LIVENESS_UNAVAILABLE: 503,
  WARMING: 503,
  HUB_UNREACHABLE: 502,
  HUB_REFUSED: 502,
  MODEL_MISSING: 500,
  MODEL_CHECKSUM_MISMATCH: 500,
  MODEL_INVALID: 500,
  PACK_UNKNOWN: 500,
  PROVIDER_UNAVAILABLE: 500,
  DOWNLOAD_FAILED: 500,
  INTERNAL: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** Seconds a client should wait before retrying, for the statuses that say "later". */
export function retryAfterSeconds(code: ErrorCode): number | null {
  if (code === 'WARMING') return 2;
  return code === 'BUSY' || code === 'TIMEOUT' || code === 'WORKER_CRASHED' ? 1 : null;
}

/** The error fastify (or a plugin, or busboy) raised, or one of ours, as a stable code and message. */
export function classifyError(e: unknown): ErrorInfo {
  if (isHadirError(e)) return e.toInfo();
  const err = e as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
    validation?: unknown;
    validationContext?: unknown;
  };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (err && Array.isArray(err.validation)) return { code: 'BAD_REQUEST', message };
  switch (err?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than this server accepts' };
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return { code: 'PAYLOAD_TOO_LARGE', message: `the multipart body is over a limit: ${message}` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported Content-Type for this route' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'BAD_REQUEST', message: 'the JSON body is empty' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'BAD_REQUEST', message: 'the body is not valid JSON' };
  }
  const status = typeof err?.statusCode === 'number' ? err.statusCode : 0;
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message };
  if (status === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', message };
  if (status >= 400 && status < 500) return { code: 'BAD_REQUEST', message };
  // Busboy's parse errors carry no status: a malformed multipart body.
  if (/multipart|boundary|part terminated|unexpected end of form/i.test(message)) {
    return { code: 'BAD_REQUEST', message: `malformed multipart body: ${message}` };
  }
  return { code: 'INTERNAL', message: 'internal error' };
}

/**
 * The error as a client may see it: a server-side failure (5xx but 503, whose messages say what to wait
 * for, and 502, the hub's failure to answer a join) keeps its stable code, but its message — an SQLite
 * error, a file path — stays in the log; the client gets the request id to quote instead.
 */
export function clientSafeError(info: ErrorInfo, status: number, requestId: string): ErrorInfo {
  // 502: the hub's own failure, in a sentence written for the admin who asked (no path, no SQL).
  if (status < 500 || status === 502 || status === 503) return info;
  return { code: info.code, message: `internal error (request ${requestId}); the server's log has the details` };
}

export const badRequest = (message: string) => new HadirError('BAD_REQUEST', message);
