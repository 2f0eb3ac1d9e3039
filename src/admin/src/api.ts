/**
 * The console's only way to the hub: same-origin fetch with the session cookie, the header that marks a
 * console request (the hub refuses a cookie-signed change without it: a cross-site form cannot set it),
 * and the hub's error body turned into a value the screens can show in the interface language
 * (lib/errors.ts). A 401 from any call but the session's own ends the session: the shell goes back to
 * the sign-in screen.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    /** Seconds to wait before trying again (Retry-After, or the body's `retry_after_s`), when the hub said. */
    readonly retryAfterS: number | null = null,
    /** The hub's machine-readable reason for a refusal a person can fix, when it gave one. */
    readonly reason: string | null = null,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

/** The session's own route: its 401 means "not signed in" or "wrong secret", not "the session ended". */
export const SESSION_PATH = '/api/v1/hub/session';

let onUnauthorized: (() => void) | null = null;

/** Called by the shell: what happens when the hub says the session is no longer valid. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

function retryAfterOf(res: Response, body: { retry_after_s?: unknown } | null): number | null {
  const header = res.headers.get('retry-after');
  if (header && /^\d+$/.test(header.trim())) return Number(header.trim());
  if (header) {
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, Math.round((at - Date.now()) / 1000));
  }
  return typeof body?.retry_after_s === 'number' ? body.retry_after_s : null;
}

/**
 * `raw`: send `body` (a File or Blob: an uploaded zip) as it is, in that media type, instead of as JSON.
 */
export async function api<T>(method: string, path: string, body?: unknown, raw?: { type: string }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'x-hadir-console': '1',
        ...(body === undefined ? {} : { 'content-type': raw?.type ?? 'application/json' }),
      },
      body: body === undefined ? undefined : raw ? (body as Blob) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'UNREACHABLE', 'the hub did not answer', null);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  if (!res.ok) {
    const e =
      (json as {
        error?: { code?: string; message?: string; reason?: string };
        request_id?: string;
        retry_after_s?: unknown;
      } | null) ?? {};
    const error = new ApiError(
      res.status,
      e.error?.code ?? (res.status >= 500 ? 'INTERNAL' : 'HTTP_' + res.status),
      e.error?.message ?? res.statusText,
      e.request_id ?? res.headers.get('x-request-id'),
      retryAfterOf(res, e),
      e.error?.reason ?? null,
    );
    if (res.status === 401 && !path.startsWith(SESSION_PATH)) onUnauthorized?.();
    throw error;
  }
  return json as T;
}
