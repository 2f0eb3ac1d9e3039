import type { FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import { HadirError } from '../../shared/errors';
import type {
  ChangesPage,
  DeviceStatusReport,
  DeviceStatusResponse,
  EnrollmentUploadRequest,
  EnrollmentUploadResponse,
  HubDaysResponse,
  JoinRequest,
  JoinResponse,
  PushRequest,
  PushResponse,
} from '../../shared/sync-protocol';
import { acceptEnrollmentUpload } from './enrollment-uploads';
import { pushEvents } from './ingest';
import { joinDevice, sha256Hex } from './pairing';
import { longPollChanges, MAX_PAGE, type ReplicaDevice } from './replication';
import { checkDaysRange, siteVisibleDays } from './site-days';
import { type HubContext, serverTime, withReason, withRetryAfter } from './http';
import { recordDeviceStatus, touchDeviceByCredential } from './store/devices';
import { siteById } from './store/sites';
import * as schemas from './sync-schemas';

export interface HubRoute {
  method: HTTPMethods;
  url: string;
  schema?: FastifySchema;
  /** Runs before the body is read: refuse a stranger without parsing what it sent. */
  guard?: (ctx: HubContext, req: FastifyRequest) => Promise<void>;
  handler: (ctx: HubContext, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

const deviceOf = new WeakMap<FastifyRequest, ReplicaDevice>();

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

/** The device whose credential the request carries; revoked devices are told so (DEVICE_REVOKED). */
async function authenticateDevice(ctx: HubContext, req: FastifyRequest): Promise<void> {
  const credential = bearer(req);
  if (!credential) {
    throw new HadirError('UNAUTHORIZED', 'a device credential is required (Authorization: Bearer <credential>)');
  }
  const device = await touchDeviceByCredential(ctx.pool, sha256Hex(credential));
  if (!device) throw new HadirError('UNAUTHORIZED', 'unknown device credential');
  if (device.revoked_at) {
    throw withReason(
      new HadirError('UNAUTHORIZED', 'this device was revoked at the hub; pair it again'),
      'DEVICE_REVOKED',
    );
  }
  deviceOf.set(req, { id: device.id, site_id: device.site_id, pack_id: device.pack_id });
}

function device(req: FastifyRequest): ReplicaDevice {
  const d = deviceOf.get(req);
  if (!d) throw new HadirError('UNAUTHORIZED', 'no device');
  return d;
}

const SYNC = '/api/v1/sync';

export const hubRoutes: readonly HubRoute[] = [
  {
    method: 'POST',
    url: `${SYNC}/join`,
    schema: { body: schemas.joinBody },
    guard: async (ctx, req) => {
      const wait = ctx.joinLimiter.take(`ip:${req.socket.remoteAddress ?? '?'}`);
      if (wait > 0) {
        throw withRetryAfter(
          new HadirError('RATE_LIMITED', `too many pairing attempts; retry in ${Math.ceil(wait)} s`),
          wait,
        );
      }
    },
    handler: async (ctx, req) => {
      const joined = await joinDevice(ctx.pool, req.body as JoinRequest);
      return { ...joined, server_time: serverTime() } satisfies JoinResponse;
    },
  },
  {
    method: 'GET',
    url: `${SYNC}/changes`,
    schema: { querystring: schemas.changesQuery },
    guard: authenticateDevice,
    handler: async (ctx, req, reply) => {
      const d = device(req);
      const q = req.query as { cursor?: string; wait?: string; limit?: string; site?: string };
      if (q.site !== undefined) {
        const own = await siteById(ctx.pool, d.site_id);
        if (own?.code !== q.site) throw new HadirError('FORBIDDEN', "a device receives its own site's people only");
      }
      const limit = q.limit === undefined ? MAX_PAGE : Number(q.limit);
      const wait = q.wait === undefined ? 0 : Number(q.wait);
      if (limit < 1 || limit > MAX_PAGE) throw new HadirError('BAD_REQUEST', `limit must be 1-${MAX_PAGE}`);
      if (wait > 30) throw new HadirError('BAD_REQUEST', 'wait must be 0-30 seconds');
      // A kiosk that hangs up stops its long-poll here too.
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const page = await longPollChanges(ctx.pool, ctx.notifier, ctx.meta.cursorSecret, d, q.cursor ?? null, {
        limit,
        waitS: wait,
        signal: gone.signal,
      });
      return { ...page, server_time: serverTime() } satisfies ChangesPage;
    },
  },
  {
    method: 'POST',
    url: `${SYNC}/events`,
    schema: { body: schemas.pushBody },
    guard: authenticateDevice,
    handler: async (ctx, req) => {
      const r = await pushEvents(ctx.pool, device(req).id, (req.body as PushRequest).events);
      return { ...r, server_time: serverTime() } satisfies PushResponse;
    },
  },
  {
    method: 'POST',
    url: `${SYNC}/enrollments`,
    schema: { body: schemas.enrollmentUploadBody },
    guard: authenticateDevice,
    handler: async (ctx, req) => {
      const r = await acceptEnrollmentUpload(
        ctx.pool,
        device(req).id,
        req.body as EnrollmentUploadRequest,
        ctx.gallery,
      );
      return { ...r, server_time: serverTime() } satisfies EnrollmentUploadResponse;
    },
  },
  {
    method: 'GET',
    url: `${SYNC}/days`,
    schema: { querystring: schemas.daysQuery },
    guard: authenticateDevice,
    handler: async (ctx, req) => {
      const d = device(req);
      const q = req.query as { from: string; to: string };
      const { from, to } = checkDaysRange(q.from, q.to);
      const site = await siteById(ctx.pool, d.site_id);
      if (!site) throw new Error(`device ${d.id} names a missing site`);
      const days = await siteVisibleDays(ctx.pool, d.site_id, from, to);
      return { from, to, site: site.code, days, server_time: serverTime() } satisfies HubDaysResponse;
    },
  },
  {
    method: 'POST',
    url: `${SYNC}/status`,
    schema: { body: schemas.statusBody },
    guard: authenticateDevice,
    handler: async (ctx, req) => {
      const s = req.body as DeviceStatusReport;
      await recordDeviceStatus(ctx.pool, device(req).id, { appVersion: s.app_version, packId: s.pack_id, status: s });
      return { server_time: serverTime() } satisfies DeviceStatusResponse;
    },
  },
];
