import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type {
  ChangesPage,
  DeviceStatusReport,
  EnrollmentUploadRequest,
  EnrollmentUploadResponse,
  HubDaysResponse,
  JoinRequest,
  JoinResponse,
  PushRequest,
  PushResponse,
} from '../../shared/sync-protocol';
import { normalizeFingerprint } from './hub-certificate';
import {
  anyBody,
  type Check,
  checkChangesPage,
  checkEnrollmentUploadResponse,
  checkHubDaysResponse,
  checkJoinResponse,
  checkPushResponse,
} from './protocol-checks';

/**
 * Why a call to the hub failed, as a value the loops decide on:
 * - `unreachable`: no answer (refused, reset, timed out, DNS, TLS, a pinned fingerprint that differs);
 * - `http`: the hub answered with an error body (`code`, and `reason` such as DEVICE_REVOKED);
 * - `invalid`: the hub answered 2xx with a body that does not fit the protocol.
 */
export type HubFailure =
  | { kind: 'unreachable'; message: string }
  | { kind: 'http'; status: number; code: string; reason: string | null; message: string; retryAfterS: number | null }
  | { kind: 'invalid'; message: string };

/** An answer with the kiosk's clock around it (ms since the epoch), for the clock-offset estimate. */
export type HubResult<T> =
  { ok: true; value: T; sentAt: number; receivedAt: number } | { ok: false; failure: HubFailure };

export interface HubClientOptions {
  hubUrl: string;
  /** The device credential; absent for `join`. */
  credential?: string;
  /** Pin the hub's certificate by its SHA-256 fingerprint ("AB:CD:…") instead of trusting a CA. */
  fingerprint?: string;
  /** The kiosk's clock (ms). */
  now?: () => number;
}

/** Long polls are held up to `wait` s by the hub: the socket may stay quiet that long plus this margin. */
const QUIET_MARGIN_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 30_000;

export function failureText(f: HubFailure): string {
  switch (f.kind) {
    case 'unreachable':
      return `hub unreachable: ${f.message}`;
    case 'http':
      return `hub answered ${f.status} ${f.code}${f.reason ? ` (${f.reason})` : ''}: ${f.message}`;
    case 'invalid':
      return `hub answered a body this kiosk does not understand: ${f.message}`;
  }
}

/** The `/api/v1/sync/*` routes of one hub, over node:http(s) (a pinned certificate needs the TLS socket). */
export class HubClient {
  readonly hubUrl: string;
  private readonly agent: http.Agent;
  private readonly now: () => number;

  constructor(private readonly opts: HubClientOptions) {
    this.hubUrl = opts.hubUrl.replace(/\/+$/, '');
    this.now = opts.now ?? Date.now;
    const url = new URL(this.hubUrl);
    if (url.protocol === 'https:') {
      const agent = new https.Agent({ keepAlive: true });
      if (opts.fingerprint) {
        const want = normalizeFingerprint(opts.fingerprint);
        // Nothing is written on the socket until the certificate is the pinned one: the Authorization
        // header must never reach an impostor. (A self-signed hub fails CA verification, hence the pin.)
        (agent as unknown as { createConnection: unknown }).createConnection = (
          o: tls.ConnectionOptions,
          cb: (err: Error | null, s?: tls.TLSSocket) => void,
        ) => {
          const socket = tls.connect({ ...o, rejectUnauthorized: false });
          socket.once('secureConnect', () => {
            const got = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
            if (got === want) cb(null, socket);
            else {
              socket.destroy();
              cb(new Error(`the hub's certificate fingerprint ${got || '?'} is not the pinned one`));
            }
          });
          socket.once('error', (e) => cb(e));
          return undefined;
        };
      }
      this.agent = agent;
    } else if (url.protocol === 'http:') {
      this.agent = new http.Agent({ keepAlive: true });
    } else {
      throw new Error(`the hub URL must be http:// or https:// (got ${opts.hubUrl})`);
    }
  }

  join(body: JoinRequest, signal?: AbortSignal): Promise<HubResult<JoinResponse>> {
    return this.call('POST', '/api/v1/sync/join', body, checkJoinResponse, { signal, auth: false });
  }

  changes(
    q: { cursor: string | null; wait: number; limit?: number },
    signal?: AbortSignal,
  ): Promise<HubResult<ChangesPage>> {
    const params = new URLSearchParams();
    if (q.cursor !== null) params.set('cursor', q.cursor);
    params.set('wait', String(q.wait));
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    return this.call('GET', `/api/v1/sync/changes?${params}`, undefined, checkChangesPage, {
      signal,
      timeoutMs: q.wait * 1000 + QUIET_MARGIN_MS,
    });
  }

  push(body: PushRequest, signal?: AbortSignal): Promise<HubResult<PushResponse>> {
    return this.call('POST', '/api/v1/sync/events', body, checkPushResponse, { signal });
  }

  uploadEnrollment(body: EnrollmentUploadRequest, signal?: AbortSignal): Promise<HubResult<EnrollmentUploadResponse>> {
    return this.call('POST', '/api/v1/sync/enrollments', body, checkEnrollmentUploadResponse, { signal });
  }

  /** The hub's record of the site's people's days of [from, to] (at most 31 dates). */
  days(q: { from: string; to: string }, signal?: AbortSignal): Promise<HubResult<HubDaysResponse>> {
    const params = new URLSearchParams({ from: q.from, to: q.to });
    return this.call('GET', `/api/v1/sync/days?${params}`, undefined, checkHubDaysResponse, { signal });
  }

  status(body: DeviceStatusReport, signal?: AbortSignal): Promise<HubResult<unknown>> {
    return this.call('POST', '/api/v1/sync/status', body, anyBody, { signal });
  }

  /** Close idle keep-alive sockets (the process can then exit). */
  close(): void {
    this.agent.destroy();
  }

  private call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    check: Check<T>,
    o: { signal?: AbortSignal; timeoutMs?: number; auth?: boolean },
  ): Promise<HubResult<T>> {
    const url = new URL(this.hubUrl + path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (o.auth !== false) {
      if (!this.opts.credential) throw new Error('this call needs the device credential');
      headers.authorization = `Bearer ${this.opts.credential}`;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const sentAt = this.now();
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: HubResult<T>) => {
        if (settled) return;
        settled = true;
        o.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const unreachable = (message: string) => done({ ok: false, failure: { kind: 'unreachable', message } });
      const req = lib.request(url, { method, headers, agent: this.agent });
      const onAbort = () => {
        req.destroy();
        unreachable('stopped');
      };
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => {
        req.destroy();
        unreachable('no answer in time');
      });
      req.on('error', (e) => unreachable(e.message));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => unreachable(e.message));
        res.on('end', () => {
          const receivedAt = this.now();
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = undefined;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            // Judged below: an error answer without a JSON body still has its status.
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            const c = check(json);
            if (c.ok) done({ ok: true, value: c.value, sentAt, receivedAt });
            else done({ ok: false, failure: { kind: 'invalid', message: c.error } });
            return;
          }
          const err = (json as { error?: { code?: unknown; message?: unknown; reason?: unknown } } | undefined)?.error;
          const retry = Number(res.headers['retry-after']);
          done({
            ok: false,
            failure: {
              kind: 'http',
              status,
              code: typeof err?.code === 'string' ? err.code : `HTTP_${status}`,
              reason: typeof err?.reason === 'string' ? err.reason : null,
              message: typeof err?.message === 'string' ? err.message : text.slice(0, 200) || `HTTP ${status}`,
              retryAfterS: Number.isFinite(retry) && retry > 0 ? retry : null,
            },
          });
        });
      });
      req.end(payload);
    });
  }
}

/**
 * hub − kiosk in ms, from an exchange: the hub's clock is taken to be read half-way between sending
 * and receiving. Only from quick exchanges: a long poll held at the hub would put the midpoint
 * seconds away from the moment the hub read its clock.
 */
export function estimateClockOffset(serverTime: string, sentAt: number, receivedAt: number): number | undefined {
  const server = Date.parse(serverTime);
  if (Number.isNaN(server) || receivedAt - sentAt > 2000) return undefined;
  return Math.round(server - (sentAt + receivedAt) / 2);
}
