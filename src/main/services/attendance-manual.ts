/**
 * An operator's changes to attendance as the contract asks for them (add a day's record, correct its
 * times, void it), turned into {@link AttendanceService} calls. One copy for the HTTP routes
 * (api/routes/attendance-manual.ts) and the Electron window (app/contract-service.ts); the service
 * keeps the rules, the transaction and the audit entry with the reason.
 */
import type { AttendanceRecord } from '../../shared/attendance';
import type { AttendanceAddRequest, AttendanceCorrectRequest, AttendanceVoidRequest } from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import type { AttendanceService, CorrectionInput } from './attendance-service';
import type { FaceService } from './face-service';

export interface ManualAttendanceServices {
  attendance: AttendanceService;
  faces: Pick<FaceService, 'getPersonByEmployeeNumber'>;
}

/** The person of a manual record: by id (the service answers NOT_FOUND) or by employee number. */
function personOf(s: ManualAttendanceServices, req: AttendanceAddRequest): number {
  if (req.personId !== undefined) return req.personId;
  const number = req.employeeNumber ?? '';
  const person = s.faces.getPersonByEmployeeNumber(number.trim());
  if (!person) {
    throw new HadirError('NOT_FOUND', `no person with employee number ${number}`, {
      reason: 'person_not_found',
      params: { employee_number: number },
    });
  }
  return person.id;
}

export function addManualRecord(
  s: ManualAttendanceServices,
  req: AttendanceAddRequest,
  actor: Actor,
): AttendanceRecord {
  return s.attendance.addRecord(
    {
      person: personOf(s, req),
      localDate: req.localDate,
      checkInAt: req.checkIn ?? null,
      checkOutAt: req.checkOut ?? null,
    },
    req.reason,
    actor,
  );
}

export function correctManualRecord(
  attendance: AttendanceService,
  req: AttendanceCorrectRequest,
  actor: Actor,
): AttendanceRecord {
  const patch: CorrectionInput = {};
  if (req.checkIn !== undefined) patch.checkInAt = req.checkIn;
  if (req.checkOut !== undefined) patch.checkOutAt = req.checkOut;
  if (patch.checkInAt === undefined && patch.checkOutAt === undefined) {
    throw new HadirError('BAD_REQUEST', 'give checkIn, checkOut or both (a time "HH:MM", or null to clear it)', {
      reason: 'attendance_time_required',
    });
  }
  return attendance.correctRecord(req.id, patch, req.reason, actor);
}

export function voidRecord(attendance: AttendanceService, req: AttendanceVoidRequest, actor: Actor): void {
  attendance.deleteRecord(req.id, req.reason, actor);
}
