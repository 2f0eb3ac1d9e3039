/**
 * Error codes that cross a boundary (CLI exit messages, HTTP bodies, IPC replies).
 * They are part of the public contract: never rename one, only add.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'EMPTY_IMAGE',
  'IMAGE_TOO_LARGE',
  'NOT_FOUND',
  'NO_FACE',
  'MODEL_MISSING',
  'MODEL_CHECKSUM_MISMATCH',
  'MODEL_INVALID',
  'PACK_UNKNOWN',
  'DEGENERATE_LANDMARKS',
  'PROVIDER_UNAVAILABLE',
  'BUSY',
  'TIMEOUT',
  'WORKER_CRASHED',
  'SHUT_DOWN',
  'DOWNLOAD_FAILED',
  'INTERNAL',
  /** Liveness was required but the pack has no (loadable) liveness models: the caller must refuse. */
  'LIVENESS_UNAVAILABLE',
  /** More than one face where the policy allows exactly one. */
  'MULTIPLE_FACES',
  /** HTTP: no API key, or a key that is unknown or revoked. */
  'UNAUTHORIZED',
  /** HTTP: a valid key without the scope the route needs. */
  'FORBIDDEN',
  /** HTTP: the request body or an uploaded file is over the configured limit. */
  'PAYLOAD_TOO_LARGE',
  /** HTTP: a body in a media type the route does not take (e.g. raw image/jpeg instead of multipart). */
  'UNSUPPORTED_MEDIA_TYPE',
  /** HTTP: the client sent more requests than its rate allows. */
  'RATE_LIMITED',
  /** HTTP: the Host header names a host this server does not answer for (DNS rebinding). */
  'MISDIRECTED_REQUEST',
  /** The change would clash with existing data (an employee number already in use). */
  'CONFLICT',
  /** An enrollment was refused (too few usable samples, inconsistent, a duplicate…): the answer says why, per sample. */
  'ENROLLMENT_REFUSED',
  /** The gallery is still loading (a hub at start): retry after Retry-After; nothing is wrong with the request. */
  'WARMING',
  /** A kiosk's call to its hub (joining one) got no answer: refused, timed out, a TLS failure. */
  'HUB_UNREACHABLE',
  /** The hub answered a kiosk's call with a refusal that is not the caller's to fix, or with nonsense. */
  'HUB_REFUSED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The serialisable shape of an error, as sent over HTTP, IPC and worker messages. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /**
   * For a refusal a person can fix (a PIN too short, a schedule whose windows overlap): a stable,
   * machine-readable reason (`pin_too_short`, `schedule_windows_overlap`…) that screens translate,
   * with the values the sentence needs (`{ min: 6 }`, `{ day: 'mon' }`). `message` stays English.
   */
  reason?: string;
  params?: Record<string, string | number>;
}

/** An error that knows its stable code. Thrown inside main; converted to {@link ErrorInfo} at boundaries. */
export class HadirError extends Error {
  readonly code: ErrorCode;
  readonly reason?: string;
  readonly params?: Record<string, string | number>;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; reason?: string; params?: Record<string, string | number> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HadirError';
    this.code = code;
    if (options?.reason) this.reason = options.reason;
    if (options?.params) this.params = options.params;
  }

  toInfo(): ErrorInfo {
    return {
      code: this.code,
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.params ? { params: this.params } : {}),
    };
  }
}

export function isHadirError(e: unknown): e is HadirError {
  return e instanceof HadirError;
}

/** Any thrown value as an {@link ErrorInfo}; unknown failures become INTERNAL. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (isHadirError(e)) return e.toInfo();
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) {
      return { code: code as ErrorCode, message: String((e as { message: unknown }).message) };
    }
  }
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** Result type for boundaries where errors travel as values. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
