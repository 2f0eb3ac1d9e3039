/**
 * Operators' changes to attendance: add a day's record the kiosk did not take, correct a record's times,
 * void a record. The same access as changes to people (an operator's session or a `write` key); every
 * change needs a reason, and the attendance service audits it with the before and after. The logic is
 * services/attendance-manual.ts, which the Electron window calls too.
 */
import type { AttendanceRecord } from '../../../shared/attendance';
import { requestActor } from '../access';
import type { RouteDef } from '../context';
import { addManualRecord, correctManualRecord, voidRecord } from '../../services/attendance-manual';
import {
  ACCESS_ERRORS,
  contractRequest,
  errors,
  idParam,
  jsonBody,
  jsonContent,
  servicesOf,
  typedQuery,
} from '../store-routes';
import { attendanceRecordSchema, idParams } from '../store-schemas';
import { int, nullable, obj, type Schema, str } from '../schemas';

const timeOfDay = (description: string): Schema => ({
  type: 'string',
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description,
});
const reason: Schema = {
  ...str('Why (required, not blank): kept in the audit log and as the record’s note.'),
  minLength: 1,
  maxLength: 500,
};

const addBodySchema = obj(
  {
    personId: int('The person’s id; or give `employeeNumber` instead (one of the two).'),
    employeeNumber: { ...str('The person’s employee number (NIP); or give `personId`.'), minLength: 1, maxLength: 64 },
    localDate: {
      type: 'string',
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
      description: 'The day, YYYY-MM-DD, in the site’s time zone.',
    },
    checkIn: timeOfDay('Check-in time "HH:MM" (24-hour, local time on `localDate`).'),
    checkOut: timeOfDay('Check-out time "HH:MM" (24-hour, local time on `localDate`).'),
    reason,
  },
  ['localDate', 'reason'],
  'At least one of checkIn and checkOut.',
);

const correctBodySchema = obj(
  {
    checkIn: nullable(timeOfDay('New check-in time "HH:MM" on the record’s day; null clears it; absent keeps it.')),
    checkOut: nullable(timeOfDay('New check-out time "HH:MM" on the record’s day; null clears it; absent keeps it.')),
    reason,
  },
  ['reason'],
  'At least one of checkIn and checkOut. Lateness is judged again when the check-in changes.',
);

const MANUAL_ERRORS = [...ACCESS_ERRORS, 404, 415];

export const attendanceManualRoutes: RouteDef[] = [
  {
    method: 'POST',
    url: '/api/v1/attendance',
    operationId: 'addAttendanceRecord',
    summary: 'Add a day’s attendance record (an operator’s, with a reason)',
    description:
      'For a day the kiosk did not record (it was offline, an official trip…): the person by `personId` or ' +
      '`employeeNumber`, the day, a check-in and/or check-out time in the site’s time zone, and the reason. ' +
      'Lateness follows the schedule. A person who already has a record that day is refused (400, reason ' +
      '`attendance_day_exists`): correct that record instead. Recorded as `decided_by: operator` (or `api` for a ' +
      'key) and audited (`attendance.create`) with the reason. On a kiosk joined to a hub the record’s times go ' +
      'to the hub like any check-in.',
    tags: ['attendance'],
    access: 'write',
    schema: {
      body: jsonContent(addBodySchema),
      response: { 200: attendanceRecordSchema, ...errors(MANUAL_ERRORS) },
    },
    errors: MANUAL_ERRORS,
    handler: async (ctx, req): Promise<AttendanceRecord> => {
      const s = servicesOf(ctx);
      const r = contractRequest('addAttendanceRecord', jsonBody(req));
      return addManualRecord(s, r, requestActor(req));
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/attendance/:id',
    operationId: 'correctAttendanceRecord',
    summary: 'Correct a record’s times (with a reason)',
    description:
      'New check-in and/or check-out times ("HH:MM" on the record’s day, in the site’s time zone; null clears one, ' +
      'a record keeps at least one). Moving a time from check-in to check-out is `{"checkIn": null, "checkOut": ' +
      '"16:05"}`. Audited (`attendance.correct`) with what changed and the reason, which also becomes the record’s ' +
      'note.',
    tags: ['attendance'],
    access: 'write',
    schema: {
      params: idParams,
      body: jsonContent(correctBodySchema),
      response: { 200: attendanceRecordSchema, ...errors(MANUAL_ERRORS) },
    },
    errors: MANUAL_ERRORS,
    handler: async (ctx, req): Promise<AttendanceRecord> => {
      const s = servicesOf(ctx);
      const r = contractRequest('correctAttendanceRecord', { ...jsonBody(req), id: idParam(req) });
      return correctManualRecord(s.attendance, r, requestActor(req));
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/attendance/:id',
    operationId: 'voidAttendanceRecord',
    summary: 'Void a record (with a reason)',
    description:
      'Deletes the record (e.g. a wrong identification). The audit entry (`attendance.delete`) keeps the whole ' +
      'record and the reason.',
    tags: ['attendance'],
    access: 'write',
    schema: {
      params: idParams,
      querystring: obj({ reason }, ['reason']),
      response: { 204: { type: 'null' }, ...errors([...ACCESS_ERRORS, 404]) },
    },
    errors: [...ACCESS_ERRORS, 404],
    handler: async (ctx, req, reply) => {
      const s = servicesOf(ctx);
      const r = contractRequest('voidAttendanceRecord', { ...typedQuery(req.query), id: idParam(req) });
      voidRecord(s.attendance, r, requestActor(req));
      return reply.code(204).send();
    },
  },
];
