/**
 * The console's only way to the hub: same-origin fetch with the session cookie, the header that marks a
 * console request (the hub refuses a cookie-signed change without it: a cross-site form cannot set it),
 * and the hub's error body turned into a value the screens can show in the interface language.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        'x-hadir-console': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'UNREACHABLE', 'the hub did not answer', null);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string }; request_id?: string } | null) ?? {};
    throw new ApiError(
      res.status,
      e.error?.code ?? 'INTERNAL',
      e.error?.message ?? res.statusText,
      e.request_id ?? null,
    );
  }
  return json as T;
}
