/**
 * People as the contract shows them (list items with when they were last seen, a person's detail),
 * built from the services once for every caller: the HTTP routes (api/routes/people.ts) and the
 * Electron window (app/contract-service.ts) give the same answer from the same code.
 */
import type { PeoplePage, PeopleQuery, PersonDetail, PersonListItem, PersonUpdate } from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Person, PersonSummary } from '../../shared/people';
import type { PersonPatch } from '../store/people-repo';
import type { AttendanceService } from './attendance-service';
import type { FaceService } from './face-service';

/** The services a people view reads. */
export interface PeopleViewServices {
  faces: FaceService;
  attendance: AttendanceService;
}

/** The person, or 404. */
export function requirePerson(faces: FaceService, id: number): Person {
  const p = faces.getPerson(id);
  if (!p) throw new HadirError('NOT_FOUND', `no person with id ${id}`);
  return p;
}

/** People with the latest time each was seen (one query for the whole page). */
export function personListItems(s: PeopleViewServices, people: PersonSummary[]): PersonListItem[] {
  const seen = s.attendance.repo.lastSeen(people.map((p) => p.id));
  return people.map((p) => ({ ...p, last_seen_at: seen.get(p.id) ?? null }));
}

/** A page of people: active ones only unless asked, 100 at a time by default. */
export function peoplePage(s: PeopleViewServices, q: PeopleQuery): PeoplePage {
  const page = s.faces.listPeople({
    search: q.query || undefined,
    unit: q.unit,
    active: q.includeInactive ? undefined : true,
    offset: q.offset ?? 0,
    limit: q.limit ?? 100,
  });
  return { items: personListItems(s, page.items), total: page.total };
}

/** One person with their templates (usable only for the active pack) and consents; 404 when unknown. */
export function personDetail(s: PeopleViewServices, id: number): PersonDetail {
  const person = requirePerson(s.faces, id);
  const [item] = personListItems(s, [{ ...person, templates: s.faces.personTemplateCount(id) }]);
  const pack = s.faces.pack.id;
  return {
    person: item,
    templates: s.faces.personTemplates(id).map((t) => ({
      id: t.id,
      source: t.source,
      pack_id: t.pack_id,
      usable: t.usable && t.pack_id === pack,
      created_at: t.created_at,
    })),
    consents: s.faces.personConsents(id).map((c) => ({
      given_at: c.given_at,
      recorded_by: c.recorded_by,
      method: c.method,
      note: c.note,
    })),
  };
}

/** The contract's field names as the store's patch: only the fields given. */
export function personPatchOf(u: Omit<PersonUpdate, 'id'>): PersonPatch {
  return {
    ...(u.employee_number !== undefined ? { employeeNumber: u.employee_number } : {}),
    ...(u.full_name !== undefined ? { fullName: u.full_name } : {}),
    ...(u.unit !== undefined ? { unit: u.unit } : {}),
  };
}
