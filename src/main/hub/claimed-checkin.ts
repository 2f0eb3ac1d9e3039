import { randomInt } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { cosineSimilarity, type ImageAnalysis, type LivenessResult, mainFaceIndex } from '../../shared/face';
import { localParts } from '../../shared/local-time';
import { resolvePrincipal } from '../api/access';
import { type RouteContext, type RouteDef, timingsMs } from '../api/context';
import { analyzeBytes, errorResponses } from '../api/routes/analysis';
import { arr, bool, int, nullable, num, obj, str, timingsSchema } from '../api/schemas';
import { readForm } from '../api/uploads';
import type { ModelPack } from '../engine/manifest';
import { DEFAULT_CHALLENGE_SETTINGS, TurnChallenge, type TurnDirection } from '../services/liveness-challenge';
import { Schedule, parseScheduleSettings } from '../services/schedule';
import * as phone from './store/phone';

/**
 * Check-ins from phones: the caller claims who it is (`employee_number`) and sends one or more selfie
 * frames; the hub verifies them 1:1 against that person's own templates at the pack's 1:1 threshold,
 * requires every frame judged live, optionally a head-turn challenge it issued, the site's geofence and
 * its schedule, and records at most one event per Idempotency-Key. Fails closed: anything it cannot
 * judge records nothing, and the answer (200 with `outcome`) says why.
 */

export const MAX_CLAIMED_FRAMES = 10;
/** Time from issuing a challenge to the answer's arrival, measured by the database's clock. */
export const CHALLENGE_TTL_MS = 30_000;
/** Assumed time between a phone's frames (they carry no clock), as for remote terminals. */
const FRAME_INTERVAL_MS = 200;
/** A fix less precise than this cannot place anyone inside a small fence. */
const MIN_ACCURACY_SLACK_M = 50;

export type ClaimedOutcome =
  | 'checked_in'
  | 'checked_out'
  | 'already_checked_in'
  | 'unknown'
  | 'inactive'
  | 'no_face'
  | 'spoof'
  | 'liveness_unavailable'
  | 'not_same_person'
  | 'outside_geofence'
  | 'outside_hours'
  | 'challenge_failed';

const OUTCOMES: ClaimedOutcome[] = [
  'checked_in',
  'checked_out',
  'already_checked_in',
  'unknown',
  'inactive',
  'no_face',
  'spoof',
  'liveness_unavailable',
  'not_same_person',
  'outside_geofence',
  'outside_hours',
  'challenge_failed',
];

interface ClaimedFrame {
  index: number;
  faces: number;
  /** Best cosine similarity with the claimed person's templates; null without a face. */
  score: number | null;
  liveness: LivenessResult | null;
  verdict: string;
}

export interface ClaimedCheckBody {
  outcome: ClaimedOutcome;
  recorded: boolean;
  message: string;
  person: { employee_number: string; full_name: string } | null;
  record: { type: 'in' | 'out'; time: string; site: string; late: boolean | null } | null;
  late?: boolean;
  /** Whether this answer is the one stored for an earlier request with the same Idempotency-Key. */
  replayed: boolean;
  threshold: number;
  frames: ClaimedFrame[];
  timings_ms: ReturnType<typeof timingsMs>;
}

const claimedBodySchema = obj(
  {
    outcome: {
      type: 'string',
      enum: OUTCOMES,
      description: 'Only `checked_in` and `checked_out` recorded anything; every other outcome recorded nothing.',
    },
    recorded: bool(),
    message: str(),
    person: nullable(obj({ employee_number: str(), full_name: str() })),
    record: nullable(
      obj({ type: { type: 'string', enum: ['in', 'out'] }, time: str(), site: str(), late: nullable(bool()) }),
    ),
    late: bool(),
    replayed: bool('This is the answer stored for an earlier request with the same Idempotency-Key.'),
    threshold: num('The pack’s 1:1 threshold every frame had to reach.'),
    frames: arr(
      obj({
        index: int(),
        faces: int(),
        score: nullable(num()),
        liveness: nullable(obj({ p_real: num(), decision: { type: 'string', enum: ['real', 'spoof'] } })),
        verdict: str(),
      }),
    ),
    timings_ms: timingsSchema,
  },
  ['outcome', 'recorded', 'message', 'person', 'record', 'replayed', 'threshold', 'frames', 'timings_ms'],
);

const challengeBodySchema = obj({
  challenge_id: str(),
  direction: { type: 'string', enum: ['left', 'right'], description: 'The subject’s own left or right.' },
  min_turn_deg: num(),
  expires_at: str('When the answer must have arrived (the hub’s clock).'),
  expires_in_ms: int(),
});

const IDEMPOTENCY = /^[A-Za-z0-9._:-]{8,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function numberField(v: string | undefined, name: string, min: number, max: number): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new HadirError('BAD_REQUEST', `${name} must be a number from ${min} to ${max} (got "${v}")`);
  }
  return n;
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

function judged(l: LivenessResult, threshold: number): LivenessResult {
  return { p_real: l.p_real, decision: l.p_real >= threshold ? 'real' : 'spoof' };
}

export interface ClaimedCheckinDeps {
  pool: pg.Pool;
  pack: ModelPack;
  /** The hub's clock (tests move it). */
  now?: () => Date;
}

/** The phone routes, over the hub's database: mounted into the face API's route table. */
export function claimedCheckinRoutes(deps: ClaimedCheckinDeps): RouteDef[] {
  const now = deps.now ?? (() => new Date());
  const threshold = deps.pack.thresholds?.match;

  async function check(ctx: RouteContext, req: FastifyRequest): Promise<ClaimedCheckBody> {
    if (threshold === undefined || !Number.isFinite(threshold)) {
      throw new HadirError('MODEL_INVALID', `model pack ${deps.pack.id} has no 1:1 threshold`);
    }
    const caller = await resolvePrincipal(req);
    const rawKey = req.headers['idempotency-key'];
    if (typeof rawKey !== 'string' || !IDEMPOTENCY.test(rawKey)) {
      throw new HadirError(
        'BAD_REQUEST',
        'send one Idempotency-Key header (8-128 letters, digits, ".", "_", ":" or "-"), the same on every retry',
      );
    }
    const who = caller.kind === 'api_key' ? `key:${caller.key.id}` : 'local';
    const idempotencyKey = `${who}:${rawKey}`;
    const form = await readForm(
      req,
      {
        files: [{ name: 'image', max: MAX_CLAIMED_FRAMES, required: true }],
        fields: ['employee_number', 'latitude', 'longitude', 'accuracy_m', 'site', 'challenge_id'],
      },
      ctx.config.uploadLimitBytes,
    );
    const employeeNumber = form.fields.get('employee_number')?.trim() ?? '';
    if (!employeeNumber || employeeNumber.length > 64) {
      throw new HadirError('BAD_REQUEST', 'employee_number is required (1-64 characters)');
    }
    const latitude = numberField(form.fields.get('latitude'), 'latitude', -90, 90);
    const longitude = numberField(form.fields.get('longitude'), 'longitude', -180, 180);
    const accuracy = numberField(form.fields.get('accuracy_m'), 'accuracy_m', 0, 1e6);
    if ((latitude === null) !== (longitude === null)) {
      throw new HadirError('BAD_REQUEST', 'send latitude and longitude together');
    }
    const challengeId = form.fields.get('challenge_id');
    if (challengeId !== undefined && !UUID.test(challengeId)) {
      throw new HadirError('BAD_REQUEST', 'challenge_id must be the id POST /api/v1/attendance/challenges gave');
    }

    // A retry of a request already judged and recorded gets the stored answer, whatever the rules say now.
    const stored = await phone.storedPhoneEvent(deps.pool, idempotencyKey);
    if (stored) return replay(stored, employeeNumber, req);

    const frames: ClaimedFrame[] = [];
    const base = { replayed: false, threshold, frames };
    const refuse = (
      outcome: ClaimedOutcome,
      message: string,
      person: ClaimedCheckBody['person'] = null,
      analyses: ImageAnalysis[] = [],
    ): ClaimedCheckBody => ({
      ...base,
      outcome,
      recorded: false,
      message: `${message}: nothing recorded`,
      person,
      record: null,
      timings_ms: timingsMs(analyses, req.startedAt),
    });

    const person = await phone.claimedPerson(deps.pool, employeeNumber);
    if (!person) return refuse('unknown', `no person with employee number ${employeeNumber} is enrolled`);
    const named = { employee_number: person.employee_number, full_name: person.full_name };
    if (!person.active) return refuse('inactive', `${person.full_name} is deactivated`, named);
    const siteCode = form.fields.get('site');
    const site = await phone.phoneSite(deps.pool, siteCode ? { code: siteCode } : { id: person.home_site_id });
    if (!site) throw new HadirError('NOT_FOUND', `no site "${siteCode}"`);
    if (!person.sites.includes(site.id)) {
      throw new HadirError('FORBIDDEN', `${person.employee_number} may not check in at site ${site.code}`);
    }
    const templates = await phone.personTemplates(deps.pool, person.id, deps.pack.id);
    if (templates.length === 0)
      return refuse('unknown', `${person.full_name} has no enrolled face for this pack`, named);

    if (site.geofence) {
      const g = site.geofence;
      if (latitude === null || longitude === null) {
        return refuse('outside_geofence', `site ${site.code} needs the phone's position`, named);
      }
      const d = distanceM(latitude, longitude, g.latitude, g.longitude);
      const slack = Math.max(g.radius_m, MIN_ACCURACY_SLACK_M);
      if (d > g.radius_m || (accuracy !== null && accuracy > slack)) {
        return refuse(
          'outside_geofence',
          `${Math.round(d)} m from site ${site.code} (fence ${g.radius_m} m${accuracy !== null ? `, fix ±${Math.round(accuracy)} m` : ''})`,
          named,
        );
      }
    }

    const at = now();
    const localDate = localParts(at, site.time_zone).date;
    const schedule = site.schedule
      ? new Schedule(parseScheduleSettings({ ...(site.schedule as object), timeZone: site.time_zone }))
      : null;
    const checkedIn = await phone.hasCheckInOn(deps.pool, person.id, localDate);
    const phase = schedule ? schedule.phaseFor(at, checkedIn) : checkedIn ? 'check-out' : 'check-in';
    if (phase === 'closed')
      return refuse('outside_hours', `outside site ${site.code}'s check-in and check-out windows`, named);

    const analyses: ImageAnalysis[] = [];
    for (const [i, f] of form.files.get('image')!.entries()) {
      analyses.push(
        await analyzeBytes(ctx, f.bytes, { embed: true, liveness: true }).catch((e: unknown) => {
          if (e instanceof HadirError) throw new HadirError(e.code, `image ${i + 1}: ${e.message}`);
          throw e;
        }),
      );
    }
    // A challenge is spent by its first answer, passed or not: a failed turn cannot be retried on it.
    const challenge = challengeId ? await phone.takeChallenge(deps.pool, challengeId, person.employee_number) : null;
    if (challengeId && !challenge) {
      return refuse(
        'challenge_failed',
        'the challenge is unknown, expired, spent or for someone else',
        named,
        analyses,
      );
    }
    const turn = challenge ? new TurnChallenge(challenge.direction, 0) : null;
    let turned = false;
    let minScore = Infinity;
    let minPReal = Infinity;
    for (const [index, a] of analyses.entries()) {
      const main = mainFaceIndex(a.faces);
      if (main < 0) {
        frames.push({ index, faces: 0, score: null, liveness: null, verdict: 'no_face' });
        return refuse('no_face', `frame ${index + 1} shows no face`, named, analyses);
      }
      const face = a.faces[main];
      const liveness = face.liveness ? judged(face.liveness, ctx.thresholds.liveness) : null;
      const score = face.embedding ? Math.max(...templates.map((t) => cosineSimilarity(t, face.embedding!))) : null;
      const frame: ClaimedFrame = { index, faces: a.faces.length, score, liveness, verdict: 'pending' };
      frames.push(frame);
      if (!liveness) {
        frame.verdict = 'liveness_unavailable';
        return refuse('liveness_unavailable', 'liveness could not be judged', named, analyses);
      }
      if (liveness.decision !== 'real') {
        frame.verdict = 'spoof';
        return refuse('spoof', `frame ${index + 1} was judged a photo or screen, not a live face`, named, analyses);
      }
      if (score === null || !(score >= threshold)) {
        frame.verdict = 'not_same_person';
        return refuse('not_same_person', `frame ${index + 1} does not show ${person.full_name}`, named, analyses);
      }
      frame.verdict = 'verified';
      minScore = Math.min(minScore, score);
      minPReal = Math.min(minPReal, liveness.p_real);
      if (turn && !turned) {
        const s = turn.observe(face.landmarks, index * FRAME_INTERVAL_MS);
        if (s.state === 'passed') turned = true;
        else if (s.state === 'failed') {
          return refuse('challenge_failed', `the head turned the wrong way or too late (${s.reason})`, named, analyses);
        }
      }
    }
    if (turn && !turned) {
      return refuse(
        'challenge_failed',
        `no turn of ${DEFAULT_CHALLENGE_SETTINGS.minTurnDeg}° to the ${turn.direction}`,
        named,
        analyses,
      );
    }
    if (phase === 'check-in' && checkedIn) {
      return { ...refuse('already_checked_in', `${person.full_name} already checked in today`, named, analyses) };
    }
    const type: 'in' | 'out' = phase === 'check-in' ? 'in' : 'out';
    const late = type === 'in' && schedule ? schedule.isLate(at) : null;
    const answer = {
      outcome: (type === 'in' ? 'checked_in' : 'checked_out') as ClaimedOutcome,
      message: `${person.full_name} ${type === 'in' ? 'checked in' : 'checked out'}${late ? ' (late)' : ''}`,
      person: named,
      record: { type, time: at.toISOString(), site: site.code, late },
      ...(late !== null ? { late } : {}),
    };
    const decision = {
      decided_by: 'phone',
      late: late === true,
      similarity: Math.round(minScore * 1e4) / 1e4,
      liveness: Math.round(minPReal * 1e4) / 1e4,
      clock_flag: null,
      position: latitude === null ? null : { latitude, longitude, accuracy_m: accuracy },
      challenge: challenge ? challenge.direction : null,
      answer,
    };
    const r = await phone.insertPhoneEvent(deps.pool, {
      idempotencyKey,
      personId: person.id,
      personHubId: person.hub_id,
      employeeNumber: person.employee_number,
      siteId: site.id,
      type,
      occurredAt: at,
      localDate,
      decision,
    });
    if (!r.inserted) return replay(r, employeeNumber, req);
    return { ...base, ...answer, recorded: true, timings_ms: timingsMs(analyses, req.startedAt) };
  }

  function replay(
    stored: { decision: unknown; employee_number: string },
    employeeNumber: string,
    req: FastifyRequest,
  ): ClaimedCheckBody {
    if (stored.employee_number !== employeeNumber) {
      throw new HadirError('CONFLICT', 'this Idempotency-Key was used for another person’s check-in');
    }
    const answer = (stored.decision as { answer?: Omit<ClaimedCheckBody, 'frames' | 'timings_ms'> }).answer;
    if (!answer) throw new HadirError('CONFLICT', 'this Idempotency-Key names an event without a stored answer');
    return {
      ...answer,
      recorded: true,
      replayed: true,
      threshold: threshold!,
      frames: [],
      timings_ms: timingsMs([], req.startedAt),
    };
  }

  const ERRORS = [400, 401, 403, 404, 409, 413, 415, 421, 429, 503];
  return [
    {
      method: 'POST',
      url: '/api/v1/attendance/challenges',
      operationId: 'issueCheckinChallenge',
      summary: 'A head-turn challenge for a phone check-in',
      description:
        'JSON `{"employee_number"}`. The hub draws the direction (the subject’s left or right) and gives the ' +
        'challenge an id that expires after 30 s by the hub’s clock; send the id as `challenge_id` with the ' +
        'frames of the turn to `/api/v1/attendance/claimed`. One answer per challenge.',
      tags: ['attendance'],
      access: 'read',
      schema: {
        body: obj({ employee_number: { type: 'string', minLength: 1, maxLength: 64 } }),
        response: { 200: challengeBodySchema, ...errorResponses([400, 401, 403, 415, 421, 429]) },
      },
      errors: [400, 401, 403, 415, 421, 429],
      handler: async (_ctx, req) => {
        const { employee_number } = req.body as { employee_number: string };
        const direction: TurnDirection = randomInt(2) === 0 ? 'left' : 'right';
        const c = await phone.insertChallenge(deps.pool, {
          employeeNumber: employee_number.trim(),
          direction,
          ttlMs: CHALLENGE_TTL_MS,
        });
        return {
          challenge_id: c.id,
          direction,
          min_turn_deg: DEFAULT_CHALLENGE_SETTINGS.minTurnDeg,
          expires_at: c.expires_at.toISOString(),
          expires_in_ms: CHALLENGE_TTL_MS,
        };
      },
    },
    {
      method: 'POST',
      url: '/api/v1/attendance/claimed',
      operationId: 'claimedCheckin',
      summary: 'Check in or out from a phone (claimed identity, 1:1)',
      description:
        'Multipart: `employee_number`, one or more `image` frames (selfies, in the order taken), optional ' +
        '`latitude`/`longitude`/`accuracy_m`, `site` (default the person’s home site) and `challenge_id`. ' +
        'Header `Idempotency-Key` (required): a retry with the same key is the same record and gets the same ' +
        'answer (`replayed: true`). Every frame must show the claimed person at the pack’s 1:1 threshold and be ' +
        'judged live; then the site’s geofence and schedule decide. 200 with `outcome` once judged.',
      tags: ['attendance'],
      access: 'read',
      engineBound: true,
      schema: { response: { 200: claimedBodySchema, ...errorResponses(ERRORS) } },
      multipart: {
        fields: [
          { name: 'employee_number', required: true, description: 'Text: who the caller says it is.' },
          { name: 'image', required: true, description: `A selfie frame (repeat, up to ${MAX_CLAIMED_FRAMES}).` },
          { name: 'latitude', required: false, description: 'Degrees (WGS 84).' },
          { name: 'longitude', required: false, description: 'Degrees (WGS 84).' },
          { name: 'accuracy_m', required: false, description: 'The fix’s accuracy radius, metres.' },
          { name: 'site', required: false, description: 'Site code; default the person’s home site.' },
          { name: 'challenge_id', required: false, description: 'From POST /api/v1/attendance/challenges.' },
        ],
      },
      errors: ERRORS,
      handler: check,
    },
  ];
}
