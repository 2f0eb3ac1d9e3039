/**
 * JSON Schemas of the kiosk's routes (status, streamed frames, camera enrollment sessions): fastify
 * validates and serialises with them and the OpenAPI document is built from them. The TypeScript view
 * is the contract (src/shared/contract.ts: AppStatus, FrameResult, EnrollmentSession,
 * EnrollmentSampleFeedback).
 */
import { ENROLLMENT_CHECKS, LANGUAGES } from '../../shared/contract';
import { INDONESIAN_TIME_ZONES } from '../../shared/local-time';
import {
  arr,
  bboxSchema,
  bool,
  hubStatusSchema,
  int,
  landmarksSchema,
  nullable,
  num,
  obj,
  type Schema,
  str,
} from './schemas';

const enumOf = (values: readonly string[], description?: string): Schema => ({
  type: 'string',
  enum: [...values],
  ...(description ? { description } : {}),
});
const nullableEnum = (values: readonly string[], description?: string): Schema => ({
  type: ['string', 'null'],
  enum: [...values, null],
  ...(description ? { description } : {}),
});

export const appStatusSchema = obj(
  {
    version: str(),
    setupComplete: bool('False until the first-run wizard has finished: the page shows the wizard.'),
    engine: obj({
      state: enumOf(['starting', 'ready', 'no_models', 'error']),
      ready: bool('Frames can be analysed.'),
      packId: nullable(str()),
      provider: nullable(str('Execution provider in use: cpu, cuda, webgpu or dml.')),
      providerFallback: nullable(str('Why a requested provider was not used.')),
      livenessAvailable: bool(
        'Whether the pack’s liveness models are loaded (check-ins are refused without them by default).',
      ),
      message: nullable(str()),
    }),
    database: obj({ ok: bool(), message: nullable(str()) }),
    gallerySize: int('Templates that can be recognised.'),
    language: enumOf(LANGUAGES, 'The site’s default interface language.'),
    timeZone: enumOf(INDONESIAN_TIME_ZONES),
    kiosk: obj({
      cardSeconds: int(),
      noticeSeconds: int(),
      sound: bool(),
      fullScreen: bool(),
      maxFrameWidth: int(),
      volume: int('Loudness of the tones, 0 to 100.'),
      spokenGreeting: bool('Say the person’s first name on a check-in/out.'),
      startAtLogin: bool('The desktop app starts when the user signs in.'),
      updateUrl: nullable(str('Where the desktop app looks for updates (generic provider).')),
      updateIdleMinutes: int('Minutes with nobody at the kiosk before an update is installed.'),
    }),
    hub: { ...hubStatusSchema, type: ['object', 'null'], description: 'The hub link; null for a standalone kiosk.' },
  },
  ['version', 'setupComplete', 'engine', 'database', 'gallerySize', 'language', 'timeZone', 'kiosk'],
  'What the page needs before anything else. Names nobody.',
);

const widthQ = { type: 'string', pattern: '^[1-9][0-9]{0,3}$', description: 'Width of the JPEG in pixels (checked).' };
const heightQ = {
  type: 'string',
  pattern: '^[1-9][0-9]{0,3}$',
  description: 'Height of the JPEG in pixels (checked).',
};
const mirroredQ = {
  type: 'string',
  enum: ['false'],
  description: 'Frames are sent unmirrored; only `false` is taken.',
};

export const frameQuerySchema = obj(
  {
    kioskId: {
      type: 'string',
      pattern: '^[A-Za-z0-9._-]{1,64}$',
      description: 'Stable id of the kiosk device: faces are tracked and confirmed per kiosk.',
    },
    width: widthQ,
    height: heightQ,
    mirrored: mirroredQ,
  },
  ['kioskId', 'width', 'height'],
);

export const sampleQuerySchema = obj({ width: widthQ, height: heightQ, mirrored: mirroredQ }, ['width', 'height']);

export const sessionIdParams = obj({
  sessionId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$', description: 'The enrollment session.' },
});

export const sampleRefParams = obj({
  sessionId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
  index: { type: 'string', pattern: '^[0-9]{1,2}$', description: 'The sample’s index, as its feedback gave it.' },
});

const kioskFaceSchema = obj(
  {
    bbox: bboxSchema,
    landmarks: landmarksSchema,
    score: num('Detector confidence.'),
    name: str('The person’s name: only for a match not judged a spoof.'),
    decision: enumOf(['match', 'unknown', 'ambiguous']),
    liveness: enumOf(['real', 'spoof'], 'Present when liveness ran.'),
  },
  ['bbox', 'landmarks', 'score'],
);

const EVENT_KINDS = [
  'checked_in',
  'checked_out',
  'already_checked_in',
  'cooldown',
  'unknown',
  'spoof',
  'closed',
  'liveness_unavailable',
  'holiday',
  'on_leave',
] as const;

export const frameResultSchema = obj(
  {
    frameWidth: int(),
    frameHeight: int(),
    faces: arr(kioskFaceSchema, { description: 'Every face, in frame pixels (unmirrored).' }),
    guidance: nullableEnum(
      ['too_far', 'too_dark', 'too_many', 'no_face', 'turn_left', 'turn_right'],
      'What to tell the person.',
    ),
    progress: {
      ...obj({ frames: int(), required: int() }),
      type: ['object', 'null'],
      description: 'Agreeing frames toward a confirmation (the server’s count).',
    },
    event: {
      ...obj(
        {
          kind: enumOf(EVENT_KINDS),
          name: str(),
          time: str('ISO-8601 instant of the check-in/out.'),
          late: bool(),
          retryAfterSeconds: int(),
          holiday: str(),
          checkInAt: str('For `cooldown`: ISO-8601 instant of the day’s check-in, when there is one.'),
          checkOutAt: str('For `cooldown`: ISO-8601 instant of the day’s check-out, when there is one.'),
          nextAction: obj(
            {
              kind: enumOf(['check_in', 'check_out', 'none']),
              from: str('Local "HH:MM" from which the action is taken (absent for `none`).'),
            },
            ['kind'],
            'For `cooldown` and `already_checked_in`: what the person can do next today (`none`: nothing more).',
          ),
        },
        ['kind'],
      ),
      type: ['object', 'null'],
      description: 'The check-in policy’s decision on this frame, at most one.',
    },
  },
  ['frameWidth', 'frameHeight', 'faces'],
);

export const enrollmentStartSchema = obj(
  { personId: { type: 'integer', minimum: 1, description: 'Add samples to an existing person.' } },
  [],
);

export const enrollmentSessionSchema = obj({
  sessionId: str(),
  minSamples: int(),
  maxSamples: int(),
  expiresAt: str('The session is forgotten after this instant without use.'),
});

export const sampleFeedbackSchema = obj(
  {
    accepted: bool(),
    index: { type: ['integer', 'null'], description: 'The kept sample’s index (for retake); null when refused.' },
    checks: arr(
      obj(
        {
          check: enumOf(ENROLLMENT_CHECKS),
          ok: bool(),
          value: { type: ['number', 'null'] },
          limit: { type: ['number', 'null'] },
          code: str('The store’s rejection code when it failed (too_dark vs too_bright, spoof, …).'),
        },
        ['check', 'ok', 'value', 'limit'],
      ),
    ),
    face: {
      ...obj({ bbox: bboxSchema, landmarks: landmarksSchema }),
      type: ['object', 'null'],
    },
    frameWidth: int(),
    frameHeight: int(),
    samples: int('Samples kept so far.'),
    ready: bool('Enough samples to commit.'),
  },
  undefined,
);

export const sampleCountSchema = obj({ samples: int(), ready: bool() });

// ─── Door tablets: pairing and the schedule ────────────────────────────────────────────────────────

export const pairingCodeRequestSchema = obj(
  { name: { ...str('The name the tablet’s key will get (default "door tablet").'), minLength: 1, maxLength: 100 } },
  [],
);

export const pairingCodeSchema = obj({
  code: str('The one-time code: valid 10 minutes, usable once.'),
  name: str(),
  expires_at: { ...str('ISO-8601 instant, UTC.'), format: 'date-time' },
  url: str('The page to open on the tablet (it trades the code for its key).'),
});

export const pairRequestSchema = obj({
  code: { ...str('The pairing code an admin was given.'), minLength: 1, maxLength: 40 },
});

export const kioskPairedSchema = obj({
  key: str('An API key with the `kiosk` scope only, shown this once.'),
  key_id: int(),
  name: str(),
});

const hhmm = str('Local time HH:MM.');

export const kioskScheduleSchema = obj({
  time_zone: enumOf(INDONESIAN_TIME_ZONES),
  date: str('Today, YYYY-MM-DD in the site’s time zone.'),
  holiday: nullable(str('Today’s holiday.')),
  workday: bool(),
  all_day: bool('Attendance at any hour, nobody late.'),
  today: {
    ...obj({
      check_in: arr(hhmm, { minItems: 2, maxItems: 2 }),
      on_time_until: hhmm,
      check_out: arr(hhmm, { minItems: 2, maxItems: 2 }),
    }),
    type: ['object', 'null'],
    description: 'Today’s windows; null when closed or all day.',
  },
  cooldown_seconds: int(),
  language: enumOf(LANGUAGES),
  greeting: obj({ card_seconds: int(), notice_seconds: int(), sound: bool() }),
});
