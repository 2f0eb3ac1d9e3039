import type { FastifyReply, FastifyRequest } from 'fastify';
import { PERSON_FACE_MIME, type PeoplePage, type PersonDetail } from '../../../shared/contract';
import { consentValidator, personFieldsValidator } from '../../../shared/contract-validation';
import { HadirError } from '../../../shared/errors';
import type { Actor, EnrollmentResult, Person } from '../../../shared/people';
import type { ConsentInput, PreparedSample } from '../../services/enrollment';
import { peoplePage, personDetail, personPatchOf, requirePerson } from '../../services/people-views';
import { checkpointTruncate } from '../../store/maintenance';
import { decodeImage } from '../../vision/decode';
import { requestActor } from '../access';
import type { HadirServices, RouteContext, RouteDef } from '../context';
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
import {
  enrollmentResultSchema,
  idParams,
  peoplePageSchema,
  personDetailSchema,
  personFieldsSchema,
  personPatchSchema,
  personSchema,
  qBool,
  qInt,
  qText,
  unitsSchema,
} from '../store-schemas';
import { isMultipartRequest, readForm, type UploadedFile } from '../uploads';

/** Photos taken per enrollment request (the service keeps at most 5 good ones). */
export const MAX_ENROLL_IMAGES = 10;

const ENROLL_FIELDS = [
  'consent_given',
  'consent_method',
  'consent_note',
  'confirm_duplicate',
  'confirm_not_same_reason',
] as const;
const IMAGE_SPEC = { name: 'image', max: MAX_ENROLL_IMAGES, required: true };

const enrollMultipart = (withPerson: boolean) => ({
  fields: [
    {
      name: 'image',
      required: true,
      description: `A photo of the person (repeat the field: 3 to ${MAX_ENROLL_IMAGES}).`,
    },
    ...(withPerson
      ? [
          { name: 'employee_number', required: true, description: 'Text: the organisation’s number (unique).' },
          { name: 'full_name', required: true, description: 'Text.' },
          { name: 'unit', required: false, description: 'Text.' },
        ]
      : []),
    {
      name: 'consent_given',
      required: withPerson,
      description:
        'Text "true": the person consented to biometric processing (UU PDP). Required for a new person, and for one without recorded consent.',
    },
    { name: 'consent_method', required: withPerson, description: 'Text: signed_form, on_screen or verbal.' },
    { name: 'consent_note', required: false, description: 'Text.' },
    {
      name: 'confirm_duplicate',
      required: false,
      description: 'Text "true": enroll even though the face already identifies as someone else.',
    },
    {
      name: 'confirm_not_same_reason',
      required: false,
      description:
        'Adding faces to someone enrolled: the operator’s written reason (audited) for faces that do not match the person’s templates at the 1:1 threshold (refused as `not_same_person` without it).',
    },
  ],
});

/** Statuses of the enrollment routes: 422 is the refused enrollment (the answer's `refusal` and per-sample `samples` say why). */
const ENROLL_ERRORS = [...ACCESS_ERRORS, 404, 409, 413, 415, 422];
const enrollResponses = { 200: enrollmentResultSchema, ...errors(ENROLL_ERRORS), 422: enrollmentResultSchema };

/** Decode and analyse every uploaded photo, one after another (the engine's queue is for kiosks too). */
async function prepareUploads(ctx: RouteContext, s: HadirServices, files: UploadedFile[]): Promise<PreparedSample[]> {
  const out: PreparedSample[] = [];
  for (const [i, f] of files.entries()) {
    const label = f.filename ?? `image ${i + 1}`;
    const img = await decodeImage(f.bytes, { maxPixels: ctx.config.maxPixels }).catch((e: unknown) => {
      if (e instanceof HadirError) throw new HadirError(e.code, `image ${i + 1} (${label}): ${e.message}`);
      throw e;
    });
    out.push(await s.faces.prepareSample(img, { source: 'upload', label }));
  }
  return out;
}

function consentFrom(fields: Map<string, string>, required: boolean): ConsentInput | undefined {
  const given = fields.get('consent_given');
  const method = fields.get('consent_method');
  if (given === undefined && method === undefined) {
    if (!required) return undefined;
    throw new HadirError(
      'BAD_REQUEST',
      'consent is required before enrolling a face: send consent_given=true and consent_method (signed_form, on_screen or verbal)',
    );
  }
  const c = consentValidator(
    {
      given: given === 'true' ? true : given,
      method,
      ...(fields.has('consent_note') ? { note: fields.get('consent_note') } : {}),
    },
    'consent',
  );
  return { method: c.method, note: c.note };
}

function flag(fields: Map<string, string>, name: string): boolean {
  const v = fields.get(name);
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new HadirError('BAD_REQUEST', `${name}: expected true or false`);
}

/** The enrollment answer: 200 when it went through, 422 (with the same body and an `error`) when refused. */
function sendEnrollment(reply: FastifyReply, r: EnrollmentResult) {
  if (r.ok) return reply.code(200).send(r);
  return reply.code(422).send({ ...r, error: { code: 'ENROLLMENT_REFUSED', message: r.refusal.message } });
}

async function createPerson(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply) {
  const s = servicesOf(ctx);
  const actor = requestActor(req);
  if (!isMultipartRequest(req)) {
    const p = personFieldsValidator(jsonBody(req), '');
    const person = s.faces.createPerson(actor, {
      employeeNumber: p.employee_number,
      fullName: p.full_name,
      unit: p.unit,
    });
    return reply.code(200).send({ ok: true, person, templates: 0, samples: [] } satisfies EnrollmentResult);
  }
  const form = await readForm(
    req,
    { files: [IMAGE_SPEC], fields: ['employee_number', 'full_name', 'unit', ...ENROLL_FIELDS] },
    ctx.config.uploadLimitBytes,
  );
  const f = form.fields;
  const p = personFieldsValidator(
    { employee_number: f.get('employee_number'), full_name: f.get('full_name'), unit: f.get('unit') ?? null },
    '',
  );
  const consent = consentFrom(f, true);
  const confirmDuplicate = flag(f, 'confirm_duplicate');
  if (s.faces.getPersonByEmployeeNumber(p.employee_number)) {
    throw new HadirError(
      'CONFLICT',
      `employee number ${p.employee_number} already belongs to someone else (add faces to that person instead)`,
    );
  }
  const samples = await prepareUploads(ctx, s, form.files.get('image')!);
  const result = s.faces.enroll({
    person: { employeeNumber: p.employee_number, fullName: p.full_name, unit: p.unit },
    samples,
    consent,
    actor,
    confirmDuplicate,
  });
  return sendEnrollment(reply, result);
}

async function addFaces(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply) {
  const s = servicesOf(ctx);
  const id = idParam(req);
  requirePerson(s.faces, id);
  const form = await readForm(req, { files: [IMAGE_SPEC], fields: ENROLL_FIELDS }, ctx.config.uploadLimitBytes);
  // A person created without a face has no consent on record yet: faces need it first.
  const consent = consentFrom(form.fields, s.faces.personConsents(id).length === 0);
  const confirmDuplicate = flag(form.fields, 'confirm_duplicate');
  const confirmNotSameReason = form.fields.get('confirm_not_same_reason');
  const samples = await prepareUploads(ctx, s, form.files.get('image')!);
  const result = s.faces.enroll({
    person: { personId: id },
    samples,
    consent,
    actor: requestActor(req),
    confirmDuplicate,
    confirmNotSameReason,
  });
  return sendEnrollment(reply, result);
}

function updatePerson(s: HadirServices, id: number, body: Record<string, unknown>, actor: Actor): Person {
  const { active, ...fields } = body;
  let person = requirePerson(s.faces, id);
  if (Object.keys(fields).length > 0) {
    const u = contractRequest('updatePerson', { id, ...fields });
    person = s.faces.updatePerson(actor, id, personPatchOf(u));
  }
  if (active !== undefined) {
    const a = contractRequest('setPersonActive', { id, active });
    person = a.active ? s.faces.reactivatePerson(actor, id) : s.faces.deactivatePerson(actor, id);
  }
  return person;
}

/**
 * People and their faces. One route serves the kiosk's screens (operator sessions) and office
 * software (API keys): reads need a session or a `read` key, changes a session or a `write` key,
 * deleting an admin's session or an `admin` key. Every change is audited with the operator's name
 * or the key's.
 */
export const peopleRoutes: RouteDef[] = [
  {
    method: 'POST',
    url: '/api/v1/people',
    operationId: 'createPerson',
    summary: 'Create a person (and enroll their face)',
    description:
      'JSON `{employee_number, full_name, unit}`: the person without a face yet. Multipart with the same text fields, ' +
      'consent (`consent_given=true`, `consent_method`) and 3 or more photos in repeated `image` fields: the person is ' +
      'enrolled from the photos that pass the enrollment checks (one face, size, sharpness, pose, exposure; samples ' +
      'that agree with each other; not already someone else). A refused enrollment is 422 `ENROLLMENT_REFUSED` with ' +
      'the reason and every sample’s verdict, and stores nothing. An employee number in use is 409.\n\n' +
      '`curl -H "Authorization: Bearer $KEY" -F employee_number=1001 -F full_name="Siti" -F consent_given=true ' +
      '-F consent_method=signed_form -F image=@a.jpg -F image=@b.jpg -F image=@c.jpg http://localhost:5010/api/v1/people`',
    tags: ['people'],
    access: 'write',
    engineBound: isMultipartRequest,
    schema: { body: jsonContent(personFieldsSchema), response: enrollResponses },
    multipart: enrollMultipart(true),
    errors: ENROLL_ERRORS,
    handler: createPerson,
  },
  {
    method: 'POST',
    url: '/api/v1/people/:id/faces',
    operationId: 'addFaces',
    summary: 'Enroll more photos of a person',
    description:
      'Multipart photos in repeated `image` fields, judged by the same enrollment checks; 422 `ENROLLMENT_REFUSED` with ' +
      'per-sample reasons when refused. A person without recorded consent (created by JSON) needs the consent fields.',
    tags: ['people'],
    access: 'write',
    engineBound: true,
    schema: { params: idParams, response: enrollResponses },
    multipart: enrollMultipart(false),
    errors: ENROLL_ERRORS,
    handler: addFaces,
  },
  {
    method: 'GET',
    url: '/api/v1/people',
    operationId: 'listPeople',
    summary: 'List and search people',
    description: 'Ordered by name. `query` matches employee number or name (substring, any case).',
    tags: ['people'],
    access: 'read',
    schema: {
      querystring: {
        type: 'object',
        properties: {
          query: qText('Search text.'),
          unit: qText('Only this unit.', 120),
          includeInactive: qBool('Include deactivated people (default false).'),
          offset: qInt('Skip this many (default 0).'),
          limit: qInt('At most this many, 1–500 (default 100).'),
        },
        additionalProperties: false,
      },
      response: { 200: peoplePageSchema, ...errors(ACCESS_ERRORS) },
    },
    errors: ACCESS_ERRORS,
    handler: async (ctx, req): Promise<PeoplePage> => {
      const s = servicesOf(ctx);
      const q = contractRequest(
        'listPeople',
        typedQuery(req.query, { ints: ['offset', 'limit'], bools: ['includeInactive'] }),
      );
      return peoplePage(s, q);
    },
  },
  {
    method: 'GET',
    url: '/api/v1/people/:id',
    operationId: 'getPerson',
    summary: 'One person, with templates and consents',
    tags: ['people'],
    access: 'read',
    schema: { params: idParams, response: { 200: personDetailSchema, ...errors([...ACCESS_ERRORS, 404]) } },
    errors: [...ACCESS_ERRORS, 404],
    handler: async (ctx, req): Promise<PersonDetail> => personDetail(servicesOf(ctx), idParam(req)),
  },
  {
    method: 'GET',
    url: '/api/v1/people/:id/face',
    operationId: 'getPersonFace',
    summary: 'One kept face picture of a person (JPEG)',
    description:
      'The face crop kept with one of the person’s templates, for an operator comparing a refused enrollment’s new ' +
      'face with the person it resembles. Only where the site keeps thumbnails (`keepThumbnails`): otherwise, or ' +
      'when retention has cleared them, 404. A face picture is biometric data: operator sessions only (no API key, ' +
      'whatever its scopes), and every read is audited (`person.face.view`).',
    tags: ['people'],
    access: 'session',
    schema: { params: idParams, response: { ...errors([...ACCESS_ERRORS, 404]) } },
    docContent: { [PERSON_FACE_MIME]: { schema: { type: 'string', format: 'binary' } } },
    errors: [...ACCESS_ERRORS, 404],
    handler: async (ctx, req, reply) => {
      const s = servicesOf(ctx);
      const r = contractRequest('getPersonFace', { id: idParam(req) });
      const face = s.faces.personFace(requestActor(req), r.id);
      return reply
        .code(200)
        .header('content-type', PERSON_FACE_MIME)
        .header('content-disposition', `attachment; filename="person-${r.id}-face.jpg"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(face.jpeg.buffer, face.jpeg.byteOffset, face.jpeg.byteLength));
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/people/:id',
    operationId: 'updatePerson',
    summary: 'Edit, deactivate or reactivate a person',
    description:
      'JSON with any of `employee_number`, `full_name`, `unit` (null clears it) and `active` (false: out of ' +
      'recognition, nothing deleted). An employee number in use is 409.',
    tags: ['people'],
    access: 'write',
    schema: {
      params: idParams,
      body: jsonContent(personPatchSchema),
      response: { 200: personSchema, ...errors([...ACCESS_ERRORS, 404, 409, 415]) },
    },
    errors: [...ACCESS_ERRORS, 404, 409, 415],
    handler: async (ctx, req): Promise<Person> =>
      updatePerson(servicesOf(ctx), idParam(req), jsonBody(req), requestActor(req)),
  },
  {
    method: 'DELETE',
    url: '/api/v1/people/:id',
    operationId: 'deletePerson',
    summary: 'Delete a person and their biometric data',
    description:
      'Needs `confirm=true`. Deletes the person, every face template and thumbnail and their consents (overwritten on ' +
      'disk: secure_delete, and the write-ahead log is checkpointed); they are no longer recognised from the next ' +
      'request. Attendance history is kept under their number and name unless `eraseAttendance=true`.',
    tags: ['people'],
    access: 'admin',
    schema: {
      params: idParams,
      querystring: {
        type: 'object',
        properties: {
          confirm: { type: 'string', enum: ['true'], description: 'Must be true.' },
          eraseAttendance: qBool('Also erase their attendance records (default false).'),
        },
        required: ['confirm'],
        additionalProperties: false,
      },
      response: { 204: { type: 'null' }, ...errors([...ACCESS_ERRORS, 404]) },
    },
    errors: [...ACCESS_ERRORS, 404],
    handler: async (ctx, req, reply) => {
      const s = servicesOf(ctx);
      const q = typedQuery(req.query, { bools: ['confirm', 'eraseAttendance'] });
      const r = contractRequest('deletePerson', { eraseAttendance: false, ...q, id: idParam(req) });
      s.faces.deletePerson(requestActor(req), r.id, { eraseAttendance: r.eraseAttendance });
      checkpointTruncate(s.db);
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/api/v1/units',
    operationId: 'listUnits',
    summary: 'Units people belong to',
    tags: ['people'],
    access: 'read',
    schema: { response: { 200: unitsSchema, ...errors(ACCESS_ERRORS) } },
    errors: ACCESS_ERRORS,
    handler: async (ctx): Promise<string[]> => servicesOf(ctx).faces.people.units(),
  },
];
