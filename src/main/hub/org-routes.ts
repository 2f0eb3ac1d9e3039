/**
 * The organisation's views and decisions over HTTP: the day across sites, the export, corrections and
 * leave. For API keys (`hadir hub keys create`: reading needs the `read` scope, deciding `write`;
 * scopes are independent, as on the kiosk) and for operators signed in to the console, each on their
 * own sites (console-auth.ts).
 */
import { consoleGuard, principalOf, requirePersonAccess, requireSiteAccess } from './console-auth';
import { correctDay } from './corrections';
import { enterLeave } from './leave';
import { DAY_STATUSES, type DayStatus, organisationDay } from './org-days';
import { exportOrganisationAttendance } from './org-export';
import { serverTime } from './http';
import type { HubRoute } from './sync-routes';

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const TEXT = { type: 'string', minLength: 1, maxLength: 64 } as const;
const TIME = { anyOf: [{ type: 'string', minLength: 4, maxLength: 40 }, { type: 'null' }] } as const;

const HUB = '/api/v1/hub';

export const orgRoutes: readonly HubRoute[] = [
  {
    method: 'GET',
    url: `${HUB}/days`,
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['date'],
        properties: {
          date: DATE,
          site: TEXT,
          unit: { type: 'string', minLength: 1, maxLength: 200 },
          // Comma-separated: late,absent
          status: { type: 'string', pattern: `^(${DAY_STATUSES.join('|')})(,(${DAY_STATUSES.join('|')}))*$` },
        },
      },
    },
    guard: consoleGuard('view'),
    handler: async (ctx, req) => {
      const q = req.query as { date: string; site?: string; unit?: string; status?: string };
      const status = q.status?.split(',') as DayStatus[] | undefined;
      const p = principalOf(req);
      requireSiteAccess(p, q.site);
      return {
        ...(await organisationDay(ctx.pool, q.date, { site: q.site, unit: q.unit, status, sites: p.sites })),
        server_time: serverTime(),
      };
    },
  },
  {
    method: 'GET',
    url: `${HUB}/export`,
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to', 'format'],
        properties: {
          from: DATE,
          to: DATE,
          site: TEXT,
          unit: { type: 'string', minLength: 1, maxLength: 200 },
          format: { enum: ['csv', 'xlsx'] },
        },
      },
    },
    guard: consoleGuard('view'),
    handler: async (ctx, req, reply) => {
      const q = req.query as { from: string; to: string; site?: string; unit?: string; format: 'csv' | 'xlsx' };
      const p = principalOf(req);
      requireSiteAccess(p, q.site);
      const out = await exportOrganisationAttendance(ctx.pool, { ...q, sites: p.sites }, p.actor);
      void reply.header('content-type', out.contentType);
      void reply.header('content-disposition', `attachment; filename="${out.fileName}"`);
      void reply.header('x-records', String(out.records));
      return reply.send(out.data);
    },
  },
  {
    method: 'POST',
    url: `${HUB}/corrections`,
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['employee_number', 'date', 'reason'],
        properties: {
          employee_number: TEXT,
          date: DATE,
          check_in: TIME,
          check_out: TIME,
          late: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
          reason: { type: 'string', minLength: 1, maxLength: 500 },
        },
      },
    },
    guard: consoleGuard('correct'),
    handler: async (ctx, req) => {
      const b = req.body as {
        employee_number: string;
        date: string;
        check_in?: string | null;
        check_out?: string | null;
        late?: boolean | null;
        reason: string;
      };
      const p = principalOf(req);
      await requirePersonAccess(ctx.pool, p, b.employee_number);
      const correction = await correctDay(
        ctx.pool,
        {
          employeeNumber: b.employee_number,
          date: b.date,
          checkIn: b.check_in,
          checkOut: b.check_out,
          late: b.late,
          reason: b.reason,
        },
        p.actor,
      );
      return { correction, server_time: serverTime() };
    },
  },
  {
    method: 'POST',
    url: `${HUB}/leave`,
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['employee_number', 'from', 'to', 'kind', 'reason'],
        properties: {
          employee_number: TEXT,
          from: DATE,
          to: DATE,
          kind: TEXT,
          reason: { type: 'string', minLength: 1, maxLength: 500 },
        },
      },
    },
    guard: consoleGuard('leave'),
    handler: async (ctx, req) => {
      const b = req.body as { employee_number: string; from: string; to: string; kind: string; reason: string };
      const p = principalOf(req);
      await requirePersonAccess(ctx.pool, p, b.employee_number);
      await enterLeave(ctx.pool, { employeeNumber: b.employee_number, ...b }, p.actor);
      return { ok: true, server_time: serverTime() };
    },
  },
];
