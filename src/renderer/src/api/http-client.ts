/**
 * The contract over HTTP, for the page served by the local server (web mode: a tablet at the door, and
 * the browser e2e tests). Routes and encodings come from `HTTP_ROUTES` in src/shared/contract.ts; the
 * base URL is the page's own origin, so the strict CSP (`connect-src 'self'`) holds.
 */
import {
  HTTP_ROUTES,
  SESSION_HEADER,
  SETUP_HEADER,
  type ContractMethod,
  type ContractRequest,
  type ContractResponse,
  type FileDownload,
  type HadirApi,
  type HttpRoute,
} from '../../../shared/contract';
import { ERROR_CODES, type ErrorCode, type ErrorInfo, type Result } from '../../../shared/errors';
import { carriesSession } from './session-scope';

export interface HttpClientOptions {
  /** Origin (and optional prefix) of the server; '' = the page's own origin. */
  baseUrl?: string;
  getToken: () => string | null;
  /** An API key for a paired door tablet (sent as X-API-Key), when the kiosk has one. */
  getApiKey?: () => string | null;
  /** The first-run token from the setup link (sent only with the setup calls), when the page has one. */
  getSetupToken?: () => string | null;
  fetch?: typeof fetch;
}

type Fields = Record<string, unknown>;

/** What a request becomes on the wire: the URL (path + query) and the body. */
export interface EncodedRequest {
  url: string;
  body: BodyInit | undefined;
  contentType: string | undefined;
}

/** Encodes a request for its route (exported for tests: this is the HTTP mapping, executable). */
export function encodeRequest(route: HttpRoute, req: unknown, baseUrl = ''): EncodedRequest {
  const fields: Fields = req && typeof req === 'object' ? { ...(req as Fields) } : {};
  const path = route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = fields[name];
    delete fields[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  let body: BodyInit | undefined;
  let contentType: string | undefined;
  let queryFields: Fields = {};
  if (route.method === 'GET' || route.method === 'DELETE') {
    queryFields = fields;
  } else if (route.body === 'jpeg') {
    const { jpeg, ...rest } = fields;
    body = jpeg as ArrayBuffer;
    contentType = 'image/jpeg';
    queryFields = rest;
  } else {
    body = JSON.stringify(fields);
    contentType = 'application/json';
  }
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(queryFields)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') throw new Error(`${key}: objects cannot travel in a query string`);
    query.set(key, String(value));
  }
  const qs = query.toString();
  return { url: `${baseUrl}${path}${qs ? `?${qs}` : ''}`, body, contentType };
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  421: 'MISDIRECTED_REQUEST',
  422: 'NO_FACE',
  429: 'RATE_LIMITED',
  503: 'BUSY',
  504: 'TIMEOUT',
};

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** An error reply as ErrorInfo: the body's own `{error: {code, message}}` when it has one. */
export async function decodeError(res: Response): Promise<ErrorInfo> {
  const fallback: ErrorInfo = {
    code: STATUS_CODES[res.status] ?? 'INTERNAL',
    message: `HTTP ${res.status} ${res.statusText}`.trim(),
  };
  try {
    const body = (await res.json()) as {
      error?: { code?: unknown; message?: unknown; reason?: unknown; params?: unknown };
    };
    const code = body.error?.code;
    if (isErrorCode(code)) {
      const { reason, params } = body.error ?? {};
      return {
        code,
        message: typeof body.error?.message === 'string' ? body.error.message : fallback.message,
        // The reason a screen translates (a PIN too short…), when the server gave one.
        ...(typeof reason === 'string' ? { reason } : {}),
        ...(params && typeof params === 'object' && !Array.isArray(params)
          ? { params: params as Record<string, string | number> }
          : {}),
      };
    }
  } catch {
    // Not JSON (a proxy's page, an empty body): the status says enough.
  }
  return fallback;
}

function filenameFrom(disposition: string | null, fallback: string): string {
  const star = disposition?.match(/filename\*=UTF-8''([^;]+)/i);
  if (star) return decodeURIComponent(star[1]);
  const plain = disposition?.match(/filename="?([^";]+)"?/i);
  return plain ? plain[1] : fallback;
}

async function decodeSuccess(route: HttpRoute, res: Response): Promise<unknown> {
  if (route.response === 'bytes') {
    const download: FileDownload = {
      filename: filenameFrom(res.headers.get('Content-Disposition'), 'download'),
      mime: res.headers.get('Content-Type') ?? 'application/octet-stream',
      bytes: new Uint8Array(await res.arrayBuffer()),
    };
    return download;
  }
  if (res.status === 204) return null;
  const text = await res.text();
  return text === '' ? null : (JSON.parse(text) as unknown);
}

export function createHttpClient(opts: HttpClientOptions): HadirApi {
  const baseUrl = opts.baseUrl ?? '';
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));

  async function call<M extends ContractMethod>(
    method: M,
    req: ContractRequest<M>,
  ): Promise<Result<ContractResponse<M>>> {
    const route: HttpRoute = HTTP_ROUTES[method];
    let encoded: EncodedRequest;
    try {
      encoded = encodeRequest(route, req, baseUrl);
    } catch (e) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: (e as Error).message } };
    }
    const headers: Record<string, string> = { Accept: route.response === 'bytes' ? '*/*' : 'application/json' };
    if (encoded.contentType) headers['Content-Type'] = encoded.contentType;
    const token = carriesSession(method) ? opts.getToken() : null;
    if (token) headers[SESSION_HEADER] = token;
    const apiKey = opts.getApiKey?.();
    if (apiKey) headers['X-API-Key'] = apiKey;
    const setupToken = route.auth === 'setup' ? opts.getSetupToken?.() : null;
    if (setupToken) headers[SETUP_HEADER] = setupToken;
    let res: Response;
    try {
      res = await doFetch(encoded.url, {
        method: route.method,
        headers,
        body: encoded.body,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      return {
        ok: false,
        error: { code: 'SHUT_DOWN', message: `the server cannot be reached (${(e as Error).message})` },
      };
    }
    if (!res.ok) return { ok: false, error: await decodeError(res) };
    try {
      return { ok: true, value: (await decodeSuccess(route, res)) as ContractResponse<M> };
    } catch (e) {
      return { ok: false, error: { code: 'INTERNAL', message: `unreadable reply: ${(e as Error).message}` } };
    }
  }

  return Object.fromEntries(
    (Object.keys(HTTP_ROUTES) as ContractMethod[]).map((method) => [
      method,
      (req: ContractRequest<typeof method>) => call(method, req),
    ]),
  ) as unknown as HadirApi;
}

/** Where a paired door tablet keeps its `kiosk` key. */
export const KIOSK_KEY_STORAGE = 'hadir.kioskApiKey';
/** The query parameter of the pairing link (`/app/?pair=<code>`). */
export const PAIR_QUERY_PARAM = 'pair';
/** The route that trades a one-time pairing code for a `kiosk` key (web mode only: the app window needs no key). */
export const PAIR_PATH = '/api/v1/kiosk/pair';

/**
 * Trade a pairing code for the tablet's key and keep it (`store`). A refused code (wrong, used,
 * expired: one 404) or an unreachable server leaves any key already kept as it is.
 */
export async function exchangePairingCode(
  code: string,
  store: (key: string) => void,
  opts: { baseUrl?: string; fetch?: typeof fetch } = {},
): Promise<Result<{ keyId: number; name: string }>> {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  let res: Response;
  try {
    res = await doFetch(`${opts.baseUrl ?? ''}${PAIR_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ code }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    return {
      ok: false,
      error: { code: 'SHUT_DOWN', message: `the server cannot be reached (${(e as Error).message})` },
    };
  }
  if (!res.ok) return { ok: false, error: await decodeError(res) };
  const body = (await res.json()) as { key: string; key_id: number; name: string };
  store(body.key);
  return { ok: true, value: { keyId: body.key_id, name: body.name } };
}
