/**
 * The admin console's API (src/shared/hub-admin.ts): sign-in, and what the console's screens read and
 * do. Every route takes an operator session or an API key (console-auth.ts), is checked for its
 * permission and scoped to the principal's sites, validates its query, parameters and body (nothing
 * unknown passes), and pages its lists (at most 200 a page).
 */
import { PassThrough } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { HadirError } from '../../shared/errors';
import type { ConsoleSession, PairingCodeView } from '../../shared/hub-admin';
import { attendanceOfDate } from './attendance';
import {
  consoleGuard,
  currentSession,
  hubUrlOf,
  principalOf,
  requirePersonAccess,
  requireSiteAccess,
  signIn,
  signOut,
  sitesInView,
  clientOf,
} from './console-auth';
import {
  attendancePage,
  auditView,
  dashboardView,
  deviceList,
  MAX_PAGE_SIZE,
  peoplePage,
  siteList,
} from './console-views';
import { type HubContext, serverTime, withRetryAfter } from './http';
import { DAY_STATUSES, type DayStatus } from './org-days';
import { createPairingCode, revokeDevice } from './pairing';
import { deletePerson } from './people';
import { monthlyRecap, recordRecapExport, writeRecapXlsx } from './recap';
import { deviceSiteCode } from './store/console-devices';
import type { HubRoute } from './sync-routes';

const HUB = '/api/v1/hub';

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const SITE = { type: 'string', minLength: 1, maxLength: 64 } as const;
const UNIT = { type: 'string', minLength: 1, maxLength: 200 } as const;
const NUMBER = { type: 'string', minLength: 1, maxLength: 64 } as const;
const PAGE = { type: 'string', pattern: '^[1-9][0-9]{0,5}$' } as const;
const PAGE_SIZE = { type: 'string', pattern: '^[1-9][0-9]{0,2}$' } as const;
const STATUS = { type: 'string', pattern: `^(${DAY_STATUSES.join('|')})(,(${DAY_STATUSES.join('|')}))*$` } as const;
/** A date, or an ISO 8601 instant ("2026-03-02T08:00:00+07:00"). */
const WHEN = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$',
  maxLength: 40,
} as const;

const query = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

const noQuery = { querystring: query({}) };

/** `page` and `page_size` (default 50, at most 200) of a list. */
function paging(q: { page?: string; page_size?: string }): { page: number; pageSize: number } {
  const page = q.page === undefined ? 1 : Number(q.page);
  const pageSize = q.page_size === undefined ? 50 : Number(q.page_size);
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new HadirError('BAD_REQUEST', `page_size must be 1-${MAX_PAGE_SIZE}`);
  }
  return { page, pageSize };
}

/** A route that takes no body refuses one with something in it (an empty JSON object passes). */
function requireNoBody(req: FastifyRequest): void {
  const b = req.body;
  if (b === undefined || b === null) return;
  if (typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0) return;
  throw new HadirError('BAD_REQUEST', 'this request takes no body');
}

/**
 * What a kiosk's camera (or a phone) reads from the pairing screen's QR code: the hub's URL and the
 * code, as a URL of its own scheme, e.g. `hadir://join?hub=https%3A%2F%2Fhub.example%3A5020&code=ABCDE-FGHJK`.
 */
export function pairingQrText(hubUrl: string, code: string, fingerprint?: string): string {
  const q = new URLSearchParams({ hub: hubUrl, code, ...(fingerprint ? { fingerprint } : {}) });
  return `hadir://join?${q.toString()}`;
}

async function signInLimited(ctx: HubContext, req: FastifyRequest): Promise<void> {
  const wait = ctx.signInLimiter.take(`ip:${clientOf(req)}`);
  if (wait > 0) {
    throw withRetryAfter(new HadirError('RATE_LIMITED', `too many sign-ins; retry in ${Math.ceil(wait)} s`), wait);
  }
}

export const consoleRoutes: readonly HubRoute[] = [
  // --- Session ---------------------------------------------------------------------------------------
  {
    method: 'POST',
    url: `${HUB}/session`,
    schema: {
      ...noQuery,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'secret'],
        properties: {
          username: { type: 'string', minLength: 1, maxLength: 64 },
          secret: { type: 'string', minLength: 1, maxLength: 256 },
        },
      },
    },
    guard: signInLimited,
    handler: async (ctx, req, reply) => {
      const session = await signIn(ctx, req, reply, req.body as { username: string; secret: string });
      return { ...session, server_time: serverTime() } satisfies ConsoleSession & { server_time: string };
    },
  },
  {
    method: 'GET',
    url: `${HUB}/session`,
    schema: noQuery,
    handler: async (ctx, req, reply) => {
      void reply.header('cache-control', 'no-store');
      return { ...(await currentSession(ctx, req)), server_time: serverTime() } satisfies ConsoleSession & {
        server_time: string;
      };
    },
  },
  {
    method: 'DELETE',
    url: `${HUB}/session`,
    schema: noQuery,
    handler: async (ctx, req, reply) => {
      requireNoBody(req);
      await signOut(ctx, req, reply);
      return { ok: true, server_time: serverTime() };
    },
  },

  // --- Sites, dashboard, devices ---------------------------------------------------------------------
  {
    method: 'GET',
    url: `${HUB}/sites`,
    schema: noQuery,
    guard: consoleGuard('view'),
    handler: async (ctx, req) => ({ ...(await siteList(ctx.pool, principalOf(req).sites)), server_time: serverTime() }),
  },
  {
    method: 'GET',
    url: `${HUB}/dashboard`,
    schema: { querystring: query({ date: DATE, site: SITE }) },
    guard: consoleGuard('view'),
    handler: async (ctx, req) => {
      const q = req.query as { date?: string; site?: string };
      const p = principalOf(req);
      requireSiteAccess(p, q.site);
      return { ...(await dashboardView(ctx.pool, { ...q, sites: p.sites })), server_time: serverTime() };
    },
  },
  {
    method: 'GET',
    url: `${HUB}/devices`,
    schema: { querystring: query({ site: SITE }) },
    // Seeing whether a site's kiosks are up is part of seeing its day; pairing and revoking are an admin's.
    guard: consoleGuard('view'),
    handler: async (ctx, req) => {
      const q = req.query as { site?: string };
      const sites = sitesInView(principalOf(req), q.site);
      return { ...(await deviceList(ctx.pool, sites)), server_time: serverTime() };
    },
  },
  {
    method: 'POST',
    url: `${HUB}/sites/:code/pairing-codes`,
    schema: {
      ...noQuery,
      params: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: SITE } },
    },
    guard: consoleGuard('devices'),
    handler: async (ctx, req) => {
      requireNoBody(req);
      const { code } = req.params as { code: string };
      const p = principalOf(req);
      requireSiteAccess(p, code);
      const made = await createPairingCode(ctx.pool, code, p.actor);
      const hubUrl = hubUrlOf(req);
      return {
        code: made.code,
        expires_at: made.expires_at,
        hub_url: hubUrl,
        fingerprint: ctx.pinFingerprint ?? null,
        qr_text: pairingQrText(hubUrl, made.code, ctx.pinFingerprint),
        site: made.site,
        server_time: serverTime(),
      } satisfies PairingCodeView & { site: string; server_time: string };
    },
  },
  {
    method: 'POST',
    url: `${HUB}/devices/:id/revoke`,
    schema: {
      ...noQuery,
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
      },
    },
    guard: consoleGuard('devices'),
    handler: async (ctx, req) => {
      requireNoBody(req);
      const { id } = req.params as { id: string };
      const p = principalOf(req);
      if (p.sites !== null) {
        const site = await deviceSiteCode(ctx.pool, id);
        if (site !== null) requireSiteAccess(p, site);
      }
      const r = await revokeDevice(ctx.pool, id, p.actor);
      return { ok: true, already: r.already, server_time: serverTime() };
    },
  },

  // --- People ----------------------------------------------------------------------------------------
  {
    method: 'GET',
    url: `${HUB}/people`,
    schema: {
      querystring: query({
        q: { type: 'string', maxLength: 100 },
        site: SITE,
        unit: UNIT,
        page: PAGE,
        page_size: PAGE_SIZE,
      }),
    },
    guard: consoleGuard('view'),
    handler: async (ctx, req) => {
      const q = req.query as { q?: string; site?: string; unit?: string; page?: string; page_size?: string };
      const sites = sitesInView(principalOf(req), q.site);
      return {
        ...(await peoplePage(ctx.pool, { q: q.q, unit: q.unit, sites, ...paging(q) })),
        server_time: serverTime(),
      };
    },
  },
  {
    method: 'DELETE',
    url: `${HUB}/people/:employee_number`,
    schema: {
      ...noQuery,
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['employee_number'],
        properties: { employee_number: NUMBER },
      },
    },
    guard: consoleGuard('delete_person'),
    handler: async (ctx, req) => {
      requireNoBody(req);
      const { employee_number } = req.params as { employee_number: string };
      const p = principalOf(req);
      await requirePersonAccess(ctx.pool, p, employee_number);
      await deletePerson(ctx.pool, employee_number, p.actor);
      return { ok: true, server_time: serverTime() };
    },
  },

  // --- Attendance ------------------------------------------------------------------------------------
  {
    method: 'GET',
    url: `${HUB}/attendance`,
    schema: {
      querystring: query({
        // The console's page: a range, filters, paging.
        from: DATE,
        to: DATE,
        unit: UNIT,
        status: STATUS,
        page: PAGE,
        page_size: PAGE_SIZE,
        site: SITE,
        // The older form (office software): one date's events and days.
        date: DATE,
      }),
    },
    guard: consoleGuard('view'),
    handler: async (ctx, req) => {
      const q = req.query as {
        from?: string;
        to?: string;
        unit?: string;
        status?: string;
        page?: string;
        page_size?: string;
        site?: string;
        date?: string;
      };
      const p = principalOf(req);
      requireSiteAccess(p, q.site);
      if (q.date !== undefined) {
        if (q.from !== undefined || q.to !== undefined || q.unit || q.status || q.page || q.page_size) {
          throw new HadirError('BAD_REQUEST', 'give either date (and site) or from and to with filters');
        }
        return { ...(await legacyAttendance(ctx, q.date, q.site, p.sites)), server_time: serverTime() };
      }
      if (q.from === undefined || q.to === undefined) {
        throw new HadirError('BAD_REQUEST', 'from and to are required (YYYY-MM-DD, at most 31 days)');
      }
      const page = await attendancePage(ctx.pool, {
        from: q.from,
        to: q.to,
        site: q.site,
        unit: q.unit,
        status: q.status?.split(',') as DayStatus[] | undefined,
        sites: p.sites,
        ...paging(q),
      });
      return { ...page, server_time: serverTime() };
    },
  },

  // --- Audit -----------------------------------------------------------------------------------------
  {
    method: 'GET',
    url: `${HUB}/audit`,
    schema: {
      querystring: query({
        from: WHEN,
        to: WHEN,
        action: { type: 'string', minLength: 1, maxLength: 64 },
        actor: { type: 'string', minLength: 1, maxLength: 128 },
        before: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
        limit: PAGE_SIZE,
      }),
    },
    guard: consoleGuard('audit'),
    handler: async (ctx, req) => {
      const q = req.query as {
        from?: string;
        to?: string;
        action?: string;
        actor?: string;
        before?: string;
        limit?: string;
      };
      const limit = q.limit === undefined ? 50 : Number(q.limit);
      if (limit < 1 || limit > MAX_PAGE_SIZE) throw new HadirError('BAD_REQUEST', `limit must be 1-${MAX_PAGE_SIZE}`);
      const page = await auditView(ctx.pool, {
        from: q.from,
        to: q.to,
        action: q.action,
        actor: q.actor,
        before: q.before === undefined ? undefined : Number(q.before),
        limit,
      });
      return { ...page, server_time: serverTime() };
    },
  },

  // --- The monthly recap -----------------------------------------------------------------------------
  {
    method: 'GET',
    url: '/api/v1/recap',
    schema: {
      querystring: query(
        {
          month: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' },
          site: SITE,
          unit: UNIT,
          format: { enum: ['json', 'xlsx'] },
          lang: { enum: ['id', 'en'] },
        },
        ['month'],
      ),
    },
    guard: consoleGuard('view'),
    handler: async (ctx, req, reply) => {
      const q = req.query as {
        month: string;
        site?: string;
        unit?: string;
        format?: 'json' | 'xlsx';
        lang?: 'id' | 'en';
      };
      const p = principalOf(req);
      requireSiteAccess(p, q.site);
      const view = await monthlyRecap(ctx.pool, { month: q.month, site: q.site, unit: q.unit, sites: p.sites });
      if (q.format !== 'xlsx') return { ...view, server_time: serverTime() };
      const lang = q.lang ?? (/^en\b/i.test(String(req.headers['accept-language'] ?? '')) ? 'en' : 'id');
      // Handing the organisation's month to someone is audited, as the export is.
      await recordRecapExport(ctx.pool, view, 'xlsx', p.actor);
      const scope = [q.site, q.unit].filter(Boolean).join('-');
      const name = `hadir-recap-${scope ? `${scope}-` : ''}${q.month}.xlsx`.replace(/[^\w.-]/g, '_');
      const out = new PassThrough();
      writeRecapXlsx(view, out, lang).then(
        () => {
          if (!out.writableEnded) out.end();
        },
        (e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))),
      );
      void reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      void reply.header('content-disposition', `attachment; filename="${name}"`);
      void reply.header('x-records', String(view.people.length));
      return reply.send(out);
    },
  },
];

/**
 * `GET /api/v1/hub/attendance?date=D[&site=S]` (before the console): the events of a date and each
 * person's day. An operator of some sites without a site gets their sites' events and days.
 */
async function legacyAttendance(ctx: HubContext, date: string, site: string | undefined, sites: string[] | null) {
  if (site !== undefined || sites === null) return attendanceOfDate(ctx.pool, date, site);
  const parts = await Promise.all(sites.map((s) => attendanceOfDate(ctx.pool, date, s)));
  const days = new Map(parts.flatMap((p) => p.days).map((d) => [d.employee_number, d]));
  return {
    date,
    events: parts.flatMap((p) => p.events),
    days: [...days.values()].sort((a, b) => a.employee_number.localeCompare(b.employee_number)),
  };
}
