import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AttendanceFilter, AttendanceListRequest, ExportFormat, Language } from '../../../shared/contract';
import { HadirError } from '../../../shared/errors';
import { addDays, localParts } from '../../../shared/local-time';
import type { ImageAnalysis } from '../../../shared/face';
import type { AttendanceCheckBody } from '../../../shared/http-api';
import {
  EXPORT_MIME,
  attendancePage,
  checkAttendanceRange,
  exportAttendanceStream,
} from '../../services/attendance-views';
import { RemoteCheckin } from '../../services/remote-checkin';
import { actorOf, requestActor, resolvePrincipal } from '../access';
import { type HadirServices, type RouteContext, type RouteDef, timingsMs } from '../context';
import { ACCESS_ERRORS, contractRequest, errors, servicesOf, typedQuery } from '../store-routes';
import {
  attendanceCheckBodySchema,
  attendancePageSchema,
  attendanceQuerySchema,
  attendanceStatsQuerySchema,
  attendanceStatsSchema,
  qDate,
} from '../store-schemas';
import { readForm } from '../uploads';
import { analyzeBytes } from './analysis';

/** Frames taken per check (the policy needs 3 by default; a few more allow for a blink). */
export const MAX_CHECK_FRAMES = 10;

/** The filter of a request, from/to defaulting to today in the site's time zone. */
function filterOf(
  s: HadirServices,
  query: unknown,
): { filter: AttendanceListRequest; format: string | undefined; lang: string | undefined } {
  const { format, lang, ...rest } = typedQuery(query, {
    ints: ['personId', 'limit'],
    bools: ['onlyLate', 'onlyNotCheckedOut'],
  });
  const today = localParts(new Date(s.attendance.clock.now()), s.attendance.schedule().timeZone).date;
  const from = rest.from ?? today;
  const filter = contractRequest('queryAttendance', { ...rest, from, to: rest.to ?? from });
  checkAttendanceRange(filter);
  return { filter, format: format as string | undefined, lang: lang as string | undefined };
}

/**
 * The language of an export's words: `lang` when given; else English for an API key (the headers
 * scripts have always read: "Date,Employee number,…") and the site's interface language for a person
 * with a session (Bahasa Indonesia unless the site chose English).
 */
function exportLanguageOf(s: HadirServices, req: FastifyRequest, lang: string | undefined): Language {
  if (lang !== undefined) {
    if (lang === 'id' || lang === 'en') return lang;
    throw new HadirError('BAD_REQUEST', `lang must be id or en (got "${lang}")`);
  }
  return req.caller?.kind === 'api_key' ? 'en' : s.settings.language();
}

/** The filter alone: an export takes every record, so paging fields are refused there. */
function exportFilter(f: AttendanceListRequest): AttendanceFilter {
  if (f.cursor !== undefined || f.limit !== undefined) {
    throw new HadirError('BAD_REQUEST', 'cursor and limit page the JSON list; an export holds every record');
  }
  return f;
}

/** `format` wins; else the Accept header picks CSV or XLSX; else JSON. */
function formatOf(req: FastifyRequest, format: string | undefined): ExportFormat | 'json' {
  if (format === 'csv' || format === 'xlsx' || format === 'json') return format;
  const accept = String(req.headers.accept ?? '').toLowerCase();
  if (accept.includes('spreadsheetml') || accept.includes('application/vnd.ms-excel')) return 'xlsx';
  if (accept.includes('text/csv')) return 'csv';
  return 'json';
}

async function sendExport(
  s: HadirServices,
  req: FastifyRequest,
  reply: FastifyReply,
  filter: AttendanceFilter,
  format: ExportFormat,
  lang: Language,
) {
  // Streamed as it is built: the first bytes leave before the last records are read.
  const file = await exportAttendanceStream(s.attendance, filter, format, requestActor(req), lang);
  return reply
    .code(200)
    .header('content-type', file.mime)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('cache-control', 'no-store')
    .send(file.stream);
}

const fileContent = {
  'application/json': { schema: attendancePageSchema },
  'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV with a UTF-8 BOM.' } },
  [EXPORT_MIME.xlsx]: { schema: { type: 'string', format: 'binary' } },
};

async function queryAttendance(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply) {
  const s = servicesOf(ctx);
  const { filter, format, lang } = filterOf(s, req.query);
  const f = formatOf(req, format);
  if (f !== 'json') return sendExport(s, req, reply, exportFilter(filter), f, exportLanguageOf(s, req, lang));
  return reply.code(200).send(attendancePage(s.attendance, filter));
}

/** A kiosk id for the attendance record: the terminal's own, else who sent the frames. */
function kioskIdOf(req: FastifyRequest, given: string | undefined): string {
  if (given !== undefined) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(given)) {
      throw new HadirError('BAD_REQUEST', 'kiosk_id: 1 to 64 letters, digits, . _ -');
    }
    return given;
  }
  const a = actorOf(req.caller!);
  return `${a.type === 'api_key' ? 'key' : a.type}:${a.id ?? 'local'}`.slice(0, 64);
}

async function check(ctx: RouteContext, req: FastifyRequest): Promise<AttendanceCheckBody> {
  const s = servicesOf(ctx);
  const caller = await resolvePrincipal(req);
  const form = await readForm(
    req,
    { files: [{ name: 'image', max: MAX_CHECK_FRAMES, required: true }], fields: ['kiosk_id'] },
    ctx.config.uploadLimitBytes,
  );
  const kioskId = kioskIdOf(req, form.fields.get('kiosk_id'));
  const analyses: ImageAnalysis[] = [];
  // One after another: a terminal's burst should not take every worker from the kiosks.
  for (const [i, f] of form.files.get('image')!.entries()) {
    analyses.push(
      await analyzeBytes(ctx, f.bytes, { embed: true, liveness: true }).catch((e: unknown) => {
        if (e instanceof HadirError) throw new HadirError(e.code, `image ${i + 1}: ${e.message}`);
        throw e;
      }),
    );
  }
  const remote = new RemoteCheckin({
    attendance: s.attendance,
    identify: (e) => s.faces.identify(e),
    getPerson: (id) => s.faces.getPerson(id),
    policy: () => s.settings.checkinPolicy(),
    livenessThreshold: () => s.settings.livenessThreshold(),
  });
  const result = remote.check(analyses, { kioskId, actor: actorOf(caller) });
  return { ...result, timings_ms: timingsMs(analyses, req.startedAt) };
}

export const attendanceRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/attendance',
    operationId: 'queryAttendance',
    summary: 'Attendance records',
    description:
      'Records of a date range (default today, in the site’s time zone), filtered by unit, person, late, not checked ' +
      'out; with the day’s summary when from = to. Paged in (day, id) order: `limit` records (default 100, at most ' +
      '1000), and `next_cursor` to pass as `cursor` for the next page (null on the last). CSV or XLSX instead of JSON with `format=csv|xlsx` or an ' +
      '`Accept: text/csv` / `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` header: every record, ' +
      'streamed as it is read (exports are audited).',
    tags: ['attendance'],
    access: 'read',
    schema: { querystring: attendanceQuerySchema, response: { 200: attendancePageSchema, ...errors(ACCESS_ERRORS) } },
    docContent: fileContent,
    errors: ACCESS_ERRORS,
    handler: queryAttendance,
  },
  {
    method: 'GET',
    url: '/api/v1/attendance/export',
    operationId: 'exportAttendance',
    summary: 'Attendance as a CSV or XLSX file',
    description:
      'The same filter as GET /attendance (without paging); `format` is required. Every record, in (day, id) order, ' +
      'streamed as it is read. The XLSX has a per-day summary sheet. Audited.',
    tags: ['attendance'],
    access: 'read',
    schema: {
      querystring: {
        ...attendanceQuerySchema,
        properties: {
          ...(attendanceQuerySchema.properties as Record<string, unknown>),
          from: qDate('First day, YYYY-MM-DD (default: today).'),
          format: { type: 'string', enum: ['csv', 'xlsx'], description: 'The file format.' },
        },
        required: ['format'],
      },
      response: { ...errors(ACCESS_ERRORS) },
    },
    docContent: { 'text/csv': fileContent['text/csv'], [EXPORT_MIME.xlsx]: fileContent[EXPORT_MIME.xlsx] },
    errors: ACCESS_ERRORS,
    handler: async (ctx, req, reply) => {
      const s = servicesOf(ctx);
      const { filter, format, lang } = filterOf(s, req.query);
      const r = contractRequest('exportAttendance', { ...exportFilter(filter), format, lang });
      return sendExport(s, req, reply, exportFilter(filter), r.format, exportLanguageOf(s, req, r.lang));
    },
  },
  {
    method: 'GET',
    url: '/api/v1/attendance/stats',
    operationId: 'attendanceStats',
    summary: 'Attendance counts for charts',
    description:
      'Per day of a range (default the 30 days up to today; at most 366) the people seen, on time and late, with ' +
      'whether it was a workday; and the check-ins of the last day per 15 minutes of local time with that day’s ' +
      'on-time limit. Counted by the server: no record and no name is sent.',
    tags: ['attendance'],
    access: 'read',
    schema: {
      querystring: attendanceStatsQuerySchema,
      response: { 200: attendanceStatsSchema, ...errors(ACCESS_ERRORS) },
    },
    errors: ACCESS_ERRORS,
    handler: async (ctx, req, reply) => {
      const s = servicesOf(ctx);
      const q = typedQuery(req.query);
      const today = localParts(new Date(s.attendance.clock.now()), s.attendance.schedule().timeZone).date;
      const to = typeof q.to === 'string' ? q.to : today;
      // `to` is checked before the default `from` is counted back from it.
      const checked = contractRequest('attendanceStats', { ...q, to, from: q.from ?? to });
      const r = q.from === undefined ? { ...checked, from: addDays(checked.to, -29) } : checked;
      return reply.code(200).send(s.attendance.stats(r.from, r.to, r.unit));
    },
  },
  {
    method: 'POST',
    url: '/api/v1/attendance/check',
    operationId: 'checkAttendance',
    summary: 'Check in or out from a remote terminal',
    description:
      'Multipart camera frames in repeated `image` fields (in the order taken) and an optional `kiosk_id`. The server ' +
      'applies the kiosk’s policy itself: every frame’s main face must be judged live (when liveness is required, the ' +
      'default), be the same enrolled person, and at least the configured number of frames (default 3) must agree; ' +
      'then the attendance rules decide (check-in/out windows, holidays, leave, cooldown). A spoof frame, a frame of ' +
      'someone else or of nobody, too few frames, outside the windows or inside the cooldown: nothing is recorded and ' +
      '`outcome` says why (status 200: the attempt was judged). The terminal never says who is in the picture.',
    tags: ['attendance'],
    access: 'read',
    engineBound: true,
    schema: { response: { 200: attendanceCheckBodySchema, ...errors([...ACCESS_ERRORS, 413, 415]) } },
    multipart: {
      fields: [
        { name: 'image', required: true, description: `A camera frame (repeat the field, up to ${MAX_CHECK_FRAMES}).` },
        { name: 'kiosk_id', required: false, description: 'Text: the terminal’s id, stored with the record.' },
      ],
    },
    errors: [...ACCESS_ERRORS, 413, 415],
    handler: check,
  },
];
