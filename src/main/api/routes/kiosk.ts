import type { FastifyRequest } from 'fastify';
import type { AppStatus, ConsentInput, EnrollmentCommitRequest } from '../../../shared/contract';
import { REQUEST_VALIDATORS } from '../../../shared/contract-validation';
import { HadirError } from '../../../shared/errors';
import type { KioskFront } from '../../services/kiosk-front';
import { buildAppStatus } from '../../services/kiosk-front';
import { anonymousFrameResult } from '../../services/kiosk-service';
import { kioskSchedule } from '../../services/kiosk-schedule';
import type { KioskPairedBody, KioskScheduleBody, PairingCodeBody } from '../../../shared/http-api';
import { requestActor, requestClient } from '../access';
import type { RouteContext, RouteDef } from '../context';
import { errorBodySchema, obj } from '../schemas';
import { jsonBody, jsonContent, servicesOf } from '../store-routes';
import { consentSchema, enrollmentResultSchema, personFieldsSchema } from '../store-schemas';
import {
  appStatusSchema,
  enrollmentSessionSchema,
  enrollmentStartSchema,
  frameQuerySchema,
  frameResultSchema,
  kioskPairedSchema,
  kioskScheduleSchema,
  pairingCodeRequestSchema,
  pairingCodeSchema,
  pairRequestSchema,
  sampleCountSchema,
  sampleFeedbackSchema,
  sampleQuerySchema,
  sampleRefParams,
  sessionIdParams,
} from '../kiosk-schemas';

/**
 * The kiosk page's routes (contract methods getStatus, submitFrame and the enrollment session
 * methods; see the HTTP table in src/shared/contract.ts). The handlers only translate: the policy is
 * the kiosk service's, the same one the Electron window reaches over IPC.
 */

export const JPEG_BODY = 'image/jpeg';

const errors = (statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorBodySchema]));

function front(ctx: RouteContext): KioskFront {
  const k = ctx.deps.kiosk;
  if (!k) throw new HadirError('SHUT_DOWN', 'this server runs without a database: the kiosk is not available');
  return k;
}

/** The raw JPEG body (the content-type parser of server.ts gives it as a Buffer). */
function jpegBody(req: FastifyRequest): Buffer {
  const body = req.body;
  if (!Buffer.isBuffer(body) || body.byteLength === 0) {
    throw new HadirError('BAD_REQUEST', `send the frame as the raw body with Content-Type: ${JPEG_BODY}`);
  }
  return body;
}

/** The status the page reads first; without a kiosk front (no database) it says so. */
export function kioskStatus(ctx: RouteContext): AppStatus {
  if (ctx.deps.kiosk) return ctx.deps.kiosk.status();
  return buildAppStatus({ engine: ctx.deps.engine.status(), pack: ctx.deps.pack, store: null });
}

const FRAME_DOC =
  'One camera frame (JPEG, unmirrored) of a kiosk. The server tracks the faces per `kioskId` and applies the ' +
  'check-in policy: the same person on several consecutive frames (default 3), each judged real when liveness is ' +
  'required (the default; refused when the pack cannot judge it). The reply draws the overlay (boxes, landmarks, a ' +
  'name only for a recognised live face), tells the person what to do (`guidance`), and carries at most one `event`. ' +
  'Only the server records attendance. Loopback clients, operator sessions and keys with `kiosk` (a paired door ' +
  'tablet) or `read` may send frames. ' +
  'A caller without a credential (loopback) gets no per-face decision or name, and a name only in the event that ' +
  'greets an accepted check-in or check-out.';

export const kioskRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/kiosk/status',
    operationId: 'kioskStatus',
    summary: 'Kiosk status',
    description:
      'Version, whether setup is finished, engine and database state, gallery size, language, time zone and the ' +
      'kiosk screen settings. Needs nothing and names nobody.',
    tags: ['kiosk'],
    access: 'public',
    schema: { response: { 200: appStatusSchema, ...errors([421]) } },
    errors: [421],
    handler: async (ctx) => kioskStatus(ctx),
  },
  {
    method: 'POST',
    url: '/api/v1/kiosk/frames',
    operationId: 'kioskFrame',
    summary: 'Submit a kiosk camera frame',
    description: FRAME_DOC,
    tags: ['kiosk'],
    access: 'kiosk',
    engineBound: true,
    rawBody: { mime: JPEG_BODY, description: 'The frame as JPEG, at most the upload limit.' },
    schema: {
      querystring: frameQuerySchema,
      response: { 200: frameResultSchema, ...errors([400, 401, 403, 413, 415, 421, 429, 503]) },
    },
    errors: [400, 401, 403, 413, 415, 421, 429, 503],
    handler: async (ctx, req) => {
      const q = req.query as { kioskId: string; width: string; height: string };
      const frame = REQUEST_VALIDATORS.submitFrame(
        { kioskId: q.kioskId, jpeg: jpegBody(req), width: Number(q.width), height: Number(q.height), mirrored: false },
        '',
      );
      const result = await front(ctx).frames.submitFrame(frame);
      // A caller that proved nothing (a browser on this machine) is told what the screen needs, not who.
      return req.caller?.kind === 'anonymous' ? anonymousFrameResult(result) : result;
    },
  },
  {
    method: 'GET',
    url: '/api/v1/kiosk/schedule',
    operationId: 'kioskSchedule',
    summary: 'Today’s schedule and greeting settings',
    description:
      'What a door tablet may know of its site: today’s date, holiday and check-in/check-out windows in the site’s ' +
      'time zone, the cooldown, the language and how long the greeting stays. Names nobody.',
    tags: ['kiosk'],
    access: 'kiosk',
    schema: { response: { 200: kioskScheduleSchema, ...errors([401, 403, 421, 429, 503]) } },
    errors: [401, 403, 421, 429, 503],
    handler: async (ctx): Promise<KioskScheduleBody> => {
      const s = servicesOf(ctx);
      return kioskSchedule(s.attendance, s.settings);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/kiosk/pairing-codes',
    operationId: 'createPairingCode',
    summary: 'Make a one-time code to pair a door tablet',
    description:
      'Admins only. The code is valid for 10 minutes and can be used once; only its hash is stored. Open the answer’s ' +
      '`url` on the tablet (or type the code there): the page trades the code for an API key with the `kiosk` scope ' +
      'alone (frames and the schedule, nothing else). Audited.',
    tags: ['kiosk', 'admin'],
    access: 'admin',
    schema: {
      body: jsonContent(pairingCodeRequestSchema),
      response: { 200: pairingCodeSchema, ...errors([400, 401, 403, 415, 421, 429, 503]) },
    },
    errors: [400, 401, 403, 415, 421, 429, 503],
    handler: async (ctx, req): Promise<PairingCodeBody> => {
      const body = req.body === undefined || req.body === null ? {} : jsonBody(req);
      const c = servicesOf(ctx).pairing.create(body.name as string | undefined, requestActor(req));
      // The Host header was checked against this server's names (DNS rebinding), so it can be echoed.
      const origin = `${req.protocol}://${req.headers.host}`;
      return { code: c.code, name: c.name, expires_at: c.expiresAt, url: `${origin}/app/?pair=${c.code}` };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/kiosk/pair',
    operationId: 'pairKiosk',
    summary: 'Trade a pairing code for a door tablet’s key',
    description:
      'Needs no credential: the code is the credential. A wrong, used or expired code is 404 with one message. ' +
      'Throttled per client address like sign-in (429). The answer’s `key` has the `kiosk` scope only and is shown once.',
    tags: ['kiosk'],
    access: 'public',
    rateLimited: true,
    schema: {
      body: jsonContent(pairRequestSchema),
      response: { 200: kioskPairedSchema, ...errors([400, 404, 415, 421, 429, 503]) },
    },
    errors: [400, 404, 415, 421, 429, 503],
    handler: async (ctx, req): Promise<KioskPairedBody> => {
      const { code } = jsonBody(req) as { code: string };
      const p = servicesOf(ctx).pairing.pair(code, { type: 'kiosk', id: requestClient(req).address });
      return { key: p.key, key_id: p.keyId, name: p.name };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/enrollment/sessions',
    operationId: 'startEnrollment',
    summary: 'Start a camera enrollment session',
    description:
      'For the operator’s Enrollment screen: samples are added one by one from the camera, each judged as it ' +
      'arrives, then committed with the person and their consent. Give `personId` to add samples to someone ' +
      'already enrolled. Sessions are forgotten after a while without use.',
    tags: ['enrollment'],
    access: 'operator',
    schema: {
      body: jsonContent(enrollmentStartSchema),
      response: { 200: enrollmentSessionSchema, ...errors([400, 401, 403, 404, 415, 421, 429]) },
    },
    errors: [400, 401, 403, 404, 415, 421, 429],
    handler: async (ctx, req) => {
      const body = REQUEST_VALIDATORS.startEnrollment(req.body ?? {}, '');
      return front(ctx).enrollment.start(body, requestActor(req));
    },
  },
  {
    method: 'POST',
    url: '/api/v1/enrollment/sessions/:sessionId/samples',
    operationId: 'addEnrollmentSample',
    summary: 'Add a camera sample to an enrollment session',
    description:
      'The sample is judged at once: exactly one face, its size, sharpness, pose and lighting (each with the ' +
      'measured value and the limit), and liveness (a photo or screen is refused). An accepted sample is kept under ' +
      'the returned index; only its measurements are kept, never the picture.',
    tags: ['enrollment'],
    access: 'operator',
    engineBound: true,
    rawBody: { mime: JPEG_BODY, description: 'The camera picture as JPEG.' },
    schema: {
      params: sessionIdParams,
      querystring: sampleQuerySchema,
      response: { 200: sampleFeedbackSchema, ...errors([400, 401, 403, 404, 413, 415, 421, 429, 503]) },
    },
    errors: [400, 401, 403, 404, 413, 415, 421, 429, 503],
    handler: async (ctx, req) => {
      const { sessionId } = req.params as { sessionId: string };
      const q = req.query as { width: string; height: string };
      const sample = REQUEST_VALIDATORS.addEnrollmentSample(
        { sessionId, jpeg: jpegBody(req), width: Number(q.width), height: Number(q.height), mirrored: false },
        '',
      );
      return front(ctx).enrollment.addSample(sample, requestActor(req));
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/enrollment/sessions/:sessionId/samples/:index',
    operationId: 'removeEnrollmentSample',
    summary: 'Drop a sample (to take it again)',
    tags: ['enrollment'],
    access: 'operator',
    schema: {
      params: sampleRefParams,
      response: { 200: sampleCountSchema, ...errors([400, 401, 403, 404, 421, 429]) },
    },
    errors: [400, 401, 403, 404, 421, 429],
    handler: async (ctx, req) => {
      const p = req.params as { sessionId: string; index: string };
      const ref = REQUEST_VALIDATORS.removeEnrollmentSample({ sessionId: p.sessionId, index: Number(p.index) }, '');
      return front(ctx).enrollment.removeSample(ref, requestActor(req));
    },
  },
  {
    method: 'POST',
    url: '/api/v1/enrollment/sessions/:sessionId/commit',
    operationId: 'commitEnrollment',
    summary: 'Enroll the session’s samples',
    description:
      'Creates the person (`person.create`) or adds to an existing one (`person.personId`), with the consent, from ' +
      'the samples kept. A refusal (too few samples, samples of different people, a face that already identifies as ' +
      'someone else without `confirmDuplicate`) is answered 200 with `ok: false`: the session stays open to retake.',
    tags: ['enrollment'],
    access: 'operator',
    schema: {
      params: sessionIdParams,
      body: jsonContent(
        obj(
          {
            person: {
              oneOf: [
                {
                  type: 'object',
                  properties: { personId: { type: 'integer', minimum: 1 } },
                  required: ['personId'],
                  additionalProperties: false,
                },
                {
                  type: 'object',
                  properties: { create: personFieldsSchema },
                  required: ['create'],
                  additionalProperties: false,
                },
              ],
            },
            consent: consentSchema,
            confirmDuplicate: { type: 'boolean' },
          },
          ['person', 'consent'],
        ),
      ),
      response: { 200: enrollmentResultSchema, ...errors([400, 401, 403, 404, 415, 421, 429]) },
    },
    errors: [400, 401, 403, 404, 415, 421, 429],
    handler: async (ctx, req) => {
      const { sessionId } = req.params as { sessionId: string };
      const body = req.body as { person: unknown; consent: ConsentInput; confirmDuplicate?: boolean };
      const commit: EnrollmentCommitRequest = REQUEST_VALIDATORS.commitEnrollment({ sessionId, ...body }, '');
      return front(ctx).enrollment.commit(commit, requestActor(req));
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/enrollment/sessions/:sessionId',
    operationId: 'cancelEnrollment',
    summary: 'Cancel an enrollment session',
    description: 'The session and its samples are forgotten. Answers 204.',
    tags: ['enrollment'],
    access: 'operator',
    schema: { params: sessionIdParams, response: { 204: { type: 'null' }, ...errors([400, 401, 403, 404, 421, 429]) } },
    errors: [400, 401, 403, 404, 421, 429],
    handler: async (ctx, req, reply) => {
      const { sessionId } = req.params as { sessionId: string };
      front(ctx).enrollment.cancel(REQUEST_VALIDATORS.cancelEnrollment({ sessionId }, ''), requestActor(req));
      return reply.code(204).send();
    },
  },
];
