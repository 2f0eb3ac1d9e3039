/**
 * JSON Schemas of the store-backed routes (auth, setup, people, attendance, keys, operators,
 * settings): fastify validates requests and serialises answers with them, and the OpenAPI document is
 * built from them. The TypeScript view is the contract (src/shared/contract.ts, people.ts,
 * attendance.ts, access.ts); request bodies are checked once more by the contract's own
 * REQUEST_VALIDATORS, which add what JSON Schema says less well (calendar dates, text without control
 * characters).
 */
import { API_KEY_SCOPES, CONSENT_METHODS, LANGUAGES, WEEKDAY_KEYS } from '../../shared/contract';
import type { AttendanceCheckOutcome } from '../../shared/http-api';
import { INDONESIAN_TIME_ZONES } from '../../shared/local-time';
import {
  arr,
  bboxSchema,
  bool,
  errorInfoSchema,
  hubStatusSchema,
  identitySchema,
  int,
  landmarksSchema,
  livenessResultSchema,
  nullable,
  num,
  obj,
  type Schema,
  str,
  timingsSchema,
} from './schemas';

const isoInstant = (description = 'ISO-8601 instant, UTC.') => ({ ...str(description), format: 'date-time' });
const nullableInstant = (description?: string) => nullable(isoInstant(description));
const enumOf = (values: readonly string[], description?: string): Schema => ({
  type: 'string',
  enum: [...values],
  ...(description ? { description } : {}),
});
const optionalObj = (properties: Record<string, Schema>, description?: string): Schema =>
  obj(properties, [], description);

// ─── Query strings (always strings on the wire: `coerceTypes` is off) ──────────────────────────────

export const qInt = (description: string): Schema => ({ type: 'string', pattern: '^[0-9]{1,15}$', description });
export const qBool = (description: string): Schema => ({ type: 'string', enum: ['true', 'false'], description });
export const qDate = (description: string): Schema => ({
  type: 'string',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description,
});
export const qText = (description: string, maxLength = 200): Schema => ({ type: 'string', maxLength, description });

export const idParams = obj({ id: { type: 'string', pattern: '^[1-9][0-9]{0,14}$', description: 'Numeric id.' } });

// ─── People ────────────────────────────────────────────────────────────────────────────────────────

const personProps = {
  id: int(),
  employee_number: str('The organisation’s number for the person (e.g. the 18-digit NIP). Unique.'),
  full_name: str(),
  unit: nullable(str()),
  active: bool('Inactive people are kept but never recognised.'),
  created_at: isoInstant(),
  updated_at: isoInstant(),
};

export const personSchema = obj(personProps);

export const personListItemSchema = obj({
  ...personProps,
  templates: int('Usable face templates of the active model pack.'),
  last_seen_at: nullableInstant('The latest check-in or check-out; null when never seen.'),
});

export const peoplePageSchema = obj({ items: arr(personListItemSchema), total: int('Matches before paging.') });

export const personDetailSchema = obj({
  person: personListItemSchema,
  templates: arr(
    obj({
      id: int(),
      source: enumOf(['camera', 'upload', 'import']),
      pack_id: str(),
      usable: bool('False for a template of another model pack than the active one.'),
      created_at: isoInstant(),
    }),
  ),
  consents: arr(obj({ given_at: isoInstant(), recorded_by: str(), method: str(), note: nullable(str()) })),
});

const employeeNumber = { ...str('Letters, digits, space, . _ / -'), minLength: 1, maxLength: 32 };
const fullName = { ...str(), minLength: 1, maxLength: 200 };
const unit = nullable({ ...str(), maxLength: 120 });

export const personFieldsSchema = obj({ employee_number: employeeNumber, full_name: fullName, unit });

export const personPatchSchema = {
  ...optionalObj(
    {
      employee_number: employeeNumber,
      full_name: fullName,
      unit,
      active: bool('Deactivate (out of recognition, nothing deleted) or reactivate.'),
    },
    'Only the fields given change.',
  ),
  minProperties: 1,
};

export const consentSchema = obj(
  {
    given: { type: 'boolean', const: true },
    method: enumOf(CONSENT_METHODS, 'How consent was given.'),
    note: { ...str(), maxLength: 500 },
  },
  ['given', 'method'],
  'Consent to biometric processing (UU PDP 2022), recorded with the enrollment.',
);

const sampleRejectionSchema = obj(
  {
    code: str(
      'no_face, multiple_faces, inter_ocular, blur, yaw, roll, pose_unknown, too_dark, too_bright, clipped, spoof, …',
    ),
    value: num(),
    limit: num(),
    message: str(),
  },
  ['code', 'message'],
);

const sampleVerdictSchema = obj(
  {
    index: int('Position of the sample in the request.'),
    label: str('The file name the sample was uploaded under.'),
    accepted: bool(),
    rejections: arr(sampleRejectionSchema),
    quality: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
  },
  ['index', 'accepted', 'rejections'],
);

export const enrollmentResultSchema = obj(
  {
    ok: bool(),
    person: personSchema,
    templates: int('Templates stored.'),
    samples: arr(sampleVerdictSchema),
    refusal: obj(
      {
        code: enumOf([
          'too_few_samples',
          'too_many_samples',
          'inconsistent',
          'duplicate',
          'employee_number_taken',
          'person_not_found',
          'consent_missing',
          'not_same_person',
        ]),
        message: str(),
        duplicate: obj({ person_id: int(), employee_number: str(), name: str(), score: num() }),
        pair: obj({ a: int(), b: int(), score: num(), floor: num() }),
        verification: obj({ score: num(), threshold: num() }),
      },
      ['code', 'message'],
    ),
    error: errorInfoSchema,
  },
  ['ok', 'samples'],
  '`ok: true` with the person and templates stored, or (status 422) `ok: false` with the refusal; every sample has its verdict either way.',
);

// ─── Identification ────────────────────────────────────────────────────────────────────────────────

export const identifyBodySchema = obj({
  width: int(),
  height: int(),
  faces: arr(
    obj({
      bbox: bboxSchema,
      score: num('Detector confidence.'),
      landmarks: landmarksSchema,
      liveness: { ...livenessResultSchema, type: ['object', 'null'] },
      identity: identitySchema,
    }),
  ),
  liveness_available: bool(),
  timings_ms: timingsSchema,
});

// ─── Attendance ────────────────────────────────────────────────────────────────────────────────────

/** A joined kiosk's lists say whose record each day is (absent on a standalone kiosk). */
function attendanceSourceProps(): Record<string, Schema> {
  return {
    source: enumOf(
      ['hub', 'kiosk'],
      'Joined kiosks only. `hub`: the hub’s record of the day (every site’s events, its corrections) replaces the ' +
        'kiosk’s check-in, check-out and late; `kiosk`: the hub has not said yet.',
    ),
    corrected: bool('With source hub: the day was corrected at the hub.'),
    correction_reason: nullable(str('With source hub: why the hub corrected the day.')),
    early: bool('With source hub: the last check-out was before the check-out window opened.'),
    check_in_site: nullable(str('With source hub: the site code of the check-in.')),
    check_out_site: nullable(str('With source hub: the site code of the check-out.')),
  };
}

const ATTENDANCE_RECORD_REQUIRED = [
  'id',
  'person_id',
  'employee_number',
  'full_name',
  'unit',
  'local_date',
  'check_in_at',
  'check_out_at',
  'late',
  'kiosk_id',
  'similarity',
  'liveness',
  'check_out_kiosk_id',
  'check_out_similarity',
  'check_out_liveness',
  'decided_by',
  'clock_flag',
  'note',
  'created_at',
  'updated_at',
];

export const attendanceRecordSchema = obj(
  {
    id: int(),
    person_id: nullable(int('null once the person was deleted and their history kept.')),
    employee_number: str(),
    full_name: str(),
    unit: nullable(str()),
    local_date: str('YYYY-MM-DD in the site’s time zone.'),
    check_in_at: nullableInstant(),
    check_out_at: nullableInstant(),
    late: bool(),
    kiosk_id: nullable(str()),
    similarity: nullable(num()),
    liveness: nullable(num()),
    check_out_kiosk_id: nullable(str()),
    check_out_similarity: nullable(num()),
    check_out_liveness: nullable(num()),
    decided_by: enumOf(['face', 'operator', 'api']),
    clock_flag: nullable(str()),
    note: nullable(str()),
    created_at: isoInstant(),
    updated_at: isoInstant(),
    ...attendanceSourceProps(),
  },
  ATTENDANCE_RECORD_REQUIRED,
);

const summaryPersonSchema = obj({ person_id: int(), employee_number: str(), full_name: str(), unit: nullable(str()) });

export const dailySummarySchema = obj({
  date: str(),
  holiday: nullable(str()),
  workday: bool(),
  active: int(),
  present: int(),
  late: int(),
  absent: int(),
  on_leave: int(),
  not_checked_out: int(),
  no_check_in: int(),
  absent_people: arr(summaryPersonSchema),
});

export const attendancePageSchema = obj({
  records: arr(attendanceRecordSchema),
  summary: {
    ...dailySummarySchema,
    type: ['object', 'null'],
    description: 'The day’s summary when from = to (first page only).',
  },
  next_cursor: nullable(str('Pass as `cursor` for the next page; null on the last page.')),
});

export const attendanceStatsQuerySchema = obj(
  {
    from: qDate('First day, YYYY-MM-DD, in the site’s time zone (default: 29 days before `to`).'),
    to: qDate('Last day, inclusive (default: today); its arrivals are counted per 15 minutes.'),
    unit: qText('Only this unit.', 120),
  },
  [],
);

export const attendanceStatsSchema = obj(
  {
    from: str(),
    to: str(),
    unit: nullable(str()),
    days: arr(
      obj({
        date: str('YYYY-MM-DD in the site’s time zone.'),
        present: int('Records of the day (anyone seen).'),
        on_time: int('Check-ins at or before the on-time limit.'),
        late: int('Check-ins after it.'),
        workday: bool('A weekday with windows that is not a holiday.'),
        holiday: nullable(str('The holiday’s name.')),
      }),
      { description: 'Every day of the range, oldest first.' },
    ),
    arrivals: obj(
      {
        date: str(),
        bin_minutes: int(),
        bins: arr(obj({ start: str('Local "HH:MM".'), count: int() }), {
          description: 'Consecutive bins over the day’s check-in window and every check-in outside it.',
        }),
        on_time_until: nullable(str('The day’s on-time limit, local "HH:MM".')),
      },
      undefined,
      'Check-ins of `to` per `bin_minutes` of local time.',
    ),
  },
  undefined,
  'Counts for the operator’s charts; no person is named.',
);

export const attendanceQuerySchema = obj(
  {
    from: qDate('First day, YYYY-MM-DD, in the site’s time zone (default: today).'),
    to: qDate('Last day, inclusive (default: from).'),
    unit: qText('Only this unit.', 120),
    personId: qInt('Only this person.'),
    onlyLate: qBool('Only late check-ins.'),
    onlyNotCheckedOut: qBool('Only records with a check-in and no check-out.'),
    cursor: qText('The previous page’s `next_cursor` (JSON only).', 100),
    limit: qInt('Records per page, 1–1000 (default 100; JSON only).'),
    format: enumOf(['json', 'csv', 'xlsx'], 'The answer’s format (default: from Accept, else JSON).'),
    lang: enumOf(
      ['id', 'en'],
      'CSV/XLSX only: the language of the headers, yes/no values and sheet names (default: `en` for an API ' +
        'key, the site’s interface language for an operator’s session).',
    ),
  },
  [],
);

export const CHECK_OUTCOMES = [
  'checked_in',
  'checked_out',
  'already_checked_in',
  'cooldown',
  'closed',
  'holiday',
  'on_leave',
  'unknown',
  'spoof',
  'liveness_unavailable',
  'disagree',
  'no_face',
  'too_few_frames',
  'inactive',
] as const satisfies readonly AttendanceCheckOutcome[];

export const attendanceCheckBodySchema = obj(
  {
    outcome: enumOf(
      CHECK_OUTCOMES,
      'Only `checked_in` and `checked_out` recorded anything; every other outcome recorded nothing.',
    ),
    recorded: bool('Whether an attendance record was written or changed.'),
    message: str(),
    person: { ...obj({ id: int(), employee_number: str(), full_name: str() }), type: ['object', 'null'] },
    record: { ...attendanceRecordSchema, type: ['object', 'null'] },
    late: bool(),
    retry_after_s: int('For `cooldown`.'),
    holiday: str('For `holiday`.'),
    frames: arr(
      obj({
        index: int(),
        faces: int(),
        identity: { ...identitySchema, type: ['object', 'null'] },
        liveness: { ...livenessResultSchema, type: ['object', 'null'] },
        verdict: str('What the policy made of this frame: pending, confirmed, spoof, unknown, …'),
      }),
    ),
    required_frames: int(),
    timings_ms: timingsSchema,
  },
  ['outcome', 'recorded', 'message', 'person', 'record', 'frames', 'required_frames', 'timings_ms'],
);

// ─── Sessions and setup ────────────────────────────────────────────────────────────────────────────

const roleSchema = enumOf(['admin', 'operator']);

export const sessionSchema = obj({
  token: str(`The session token: send it as X-Hadir-Session.`),
  username: str(),
  displayName: str(),
  role: roleSchema,
  expiresAt: isoInstant('The absolute expiry; the idle timeout may end it sooner.'),
  idleTimeoutSeconds: int(),
});

export const signInRequestSchema = obj({
  username: { ...str(), minLength: 1, maxLength: 64 },
  secret: { ...str('PIN or password.'), minLength: 1, maxLength: 200 },
});

export const signInOutcomeSchema = obj(
  {
    kind: enumOf(['signed_in', 'invalid', 'locked']),
    session: sessionSchema,
    attemptsLeft: nullable(int('Attempts before a lockout, when counted.')),
    until: isoInstant('For `locked`: when sign-in is allowed again.'),
  },
  ['kind'],
  '`signed_in` with the session, `invalid` (wrong name or secret: never says which) or `locked`.',
);

export const nullableSessionSchema = { ...sessionSchema, type: ['object', 'null'] };

const timeOfDay = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' };
const timePair = { type: 'array', items: timeOfDay, minItems: 2, maxItems: 2 };
const dayWindows = {
  ...obj({ checkIn: timePair, onTimeUntil: timeOfDay, checkOut: timePair }),
  type: ['object', 'null'],
};

export const scheduleSchema = obj({
  timeZone: enumOf(INDONESIAN_TIME_ZONES),
  week: obj(Object.fromEntries(WEEKDAY_KEYS.map((k) => [k, dayWindows]))),
  cooldownSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
  recordOnHolidays: bool(),
  recordOnLeave: bool(),
});

export const modelPackInfoSchema = obj({
  id: str(),
  name: str(),
  license: str(),
  licenseNote: nullable(str()),
  licenseAccepted: bool(),
  installed: bool(),
  active: bool(),
  recommended: bool('The manifest’s default pack: what a new office should pick.'),
});

export const setupStatusSchema = obj({
  complete: bool(),
  packs: arr(modelPackInfoSchema),
  activePack: nullable(str()),
  hasAdmin: bool(),
  schedule: scheduleSchema,
  language: enumOf(LANGUAGES),
});

export const modelPackChoiceSchema = obj({
  packId: { ...str(), minLength: 1, maxLength: 100 },
  acceptLicense: { type: 'boolean', const: true },
});

export const firstAdminSchema = obj({
  username: { ...str(), minLength: 1, maxLength: 64 },
  displayName: { ...str(), minLength: 1, maxLength: 100 },
  secret: {
    ...str('A PIN of at least 6 digits or a password of at least 8 characters.'),
    minLength: 4,
    maxLength: 200,
  },
});

export const setupCompleteSchema = obj({ schedule: scheduleSchema, language: enumOf(LANGUAGES) });

// ─── Keys, operators, settings ─────────────────────────────────────────────────────────────────────

export const apiKeyInfoSchema = obj({
  id: int(),
  name: str(),
  prefix: str('The key’s first characters, to tell keys apart.'),
  scopes: arr(enumOf(API_KEY_SCOPES)),
  created_at: isoInstant(),
  revoked_at: nullableInstant(),
  last_used_at: nullableInstant(),
});

export const apiKeyCreateSchema = obj({
  name: { ...str('Who or what uses the key.'), minLength: 1, maxLength: 100 },
  scopes: { ...arr(enumOf(API_KEY_SCOPES)), minItems: 1, maxItems: API_KEY_SCOPES.length, uniqueItems: true },
});

export const apiKeyCreatedSchema = obj({
  key: apiKeyInfoSchema,
  secret: str('The whole key, shown this once and never stored in clear.'),
});

export const operatorSchema = obj({
  id: int(),
  username: str(),
  display_name: str(),
  role: roleSchema,
  active: bool(),
  failed_attempts: int(),
  locked_until: nullableInstant(),
  last_sign_in_at: nullableInstant(),
  created_at: isoInstant(),
});

export const operatorCreateSchema = obj({
  username: { ...str(), minLength: 1, maxLength: 64 },
  displayName: { ...str(), minLength: 1, maxLength: 100 },
  role: roleSchema,
  secret: {
    ...str('A PIN of at least 6 digits or a password of at least 8 characters.'),
    minLength: 4,
    maxLength: 200,
  },
});

export const operatorUpdateSchema = {
  ...optionalObj({
    displayName: { ...str(), minLength: 1, maxLength: 100 },
    role: roleSchema,
    active: bool(),
    secret: { ...str('A new PIN or password (also lifts a lockout).'), minLength: 4, maxLength: 200 },
  }),
  minProperties: 1,
};

const kioskProps = {
  cardSeconds: { type: 'integer', minimum: 1, maximum: 60 },
  noticeSeconds: { type: 'integer', minimum: 1, maximum: 60 },
  sound: bool(),
  fullScreen: bool('Electron’s kiosk mode.'),
  maxFrameWidth: { type: 'integer', minimum: 160, maximum: 1920 },
  volume: { type: 'integer', minimum: 0, maximum: 100, description: 'Loudness of the kiosk’s tones.' },
  spokenGreeting: bool('Say the person’s first name on a check-in/out.'),
  startAtLogin: bool('The desktop app starts when the user signs in (Electron).'),
  updateUrl: {
    type: ['string', 'null'],
    maxLength: 500,
    description: 'http(s) address of the update folder (electron-updater generic provider); null: no updates.',
  },
  updateIdleMinutes: {
    type: 'integer',
    minimum: 1,
    maximum: 240,
    description: 'Minutes with nobody at the kiosk before a downloaded update is installed.',
  },
};

export const settingsViewSchema = obj({
  language: enumOf(LANGUAGES),
  kiosk: obj(kioskProps),
  recognition: obj({
    threshold: nullable(num('The match threshold in use.')),
    thresholdSource: enumOf(['calibrated', 'pack_default', 'manual', 'gallery']),
    gallery: nullable(
      obj({
        people: int('People searched (G).'),
        targetFpir: num(),
        basis: enumOf(['measured', 'tail-fit']),
        pairs: int('Impostor pairs behind the estimate.'),
        tailPairs: int('Of which in the fitted tail.'),
        expectedFnir: nullable(num('Expected false non-identification rate at the threshold (one comparison).')),
      }),
    ),
    targetFpir: num('Target false-positive identification rate per stranger’s attempt.'),
    calibrated: arr(obj({ far: num(), threshold: num(), tar: nullable(num()) })),
    margin: num(),
    requiredFrames: int('Consecutive agreeing frames before a check-in.'),
    requireLiveness: bool(),
    livenessThreshold: nullable(num()),
    headTurnChallenge: bool(),
    units: arr(obj({ id: int(), name: str() }), {
      description: 'Units whose people check-in searches; empty: everyone.',
    }),
  }),
  schedule: scheduleSchema,
  api: obj({
    host: str(),
    port: int(),
    legacyRoutes: bool(),
    tls: obj({ enabled: bool(), fingerprint: nullable(str()) }),
    trustedProxies: arr(str()),
  }),
  models: obj({ packs: arr(modelPackInfoSchema), provider: nullable(str()), providerFallback: nullable(str()) }),
  idleSignOutMinutes: int(),
});

export const settingsPatchSchema = optionalObj(
  {
    language: enumOf(LANGUAGES),
    kiosk: optionalObj(kioskProps),
    recognition: optionalObj({
      threshold: nullable({
        type: 'number',
        minimum: -1,
        maximum: 1,
        description: 'null: back to the calibrated value.',
      }),
      margin: { type: 'number', minimum: 0, maximum: 1 },
      targetFpir: { type: 'number', minimum: 1e-6, maximum: 0.1 },
      requiredFrames: { type: 'integer', minimum: 1, maximum: 30 },
      requireLiveness: bool(),
      headTurnChallenge: bool(),
      livenessThreshold: nullable({
        type: 'number',
        minimum: 0,
        maximum: 1,
        description: 'null: back to the pack’s. Applies from the next request, on every route.',
      }),
      units: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        maxItems: 500,
        uniqueItems: true,
        description: 'Unit ids of the managed list whose people check-in searches; []: everyone again.',
      },
    }),
    schedule: scheduleSchema,
    api: optionalObj(
      {
        host: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:-]+$' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        legacyRoutes: bool(),
        trustedProxies: {
          type: 'array',
          maxItems: 32,
          uniqueItems: true,
          items: { type: 'string', minLength: 2, maxLength: 50, pattern: '^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$' },
          description: 'Reverse proxies whose Forwarded/X-Forwarded-For are believed (addresses or CIDR networks).',
        },
      },
      'Applied when the server next starts.',
    ),
    activePack: { ...str(), minLength: 1, maxLength: 100 },
    idleSignOutMinutes: { type: 'integer', minimum: 1, maximum: 240 },
  },
  'Only the parts given change.',
);

export const unitsSchema = arr(str(), { description: 'Units people belong to, sorted.' });

// ─── Hub ───────────────────────────────────────────────────────────────────────────────────────────

const hubStatusProps = (hubStatusSchema as { properties: Record<string, Schema> }).properties;

export const hubLinkViewSchema = obj(
  { ...hubStatusProps, joined: bool('False: a standalone kiosk (no other field). True: the link below.') },
  ['joined'],
  'The kiosk’s link to its hub (possibly revoked), or `{"joined": false}` for a standalone kiosk.',
);

export const hubJoinRequestSchema = obj(
  {
    hubUrl: { ...str('The hub’s address (`http` or `https` scheme, host, port).'), minLength: 8, maxLength: 500 },
    code: { ...str('The one-time pairing code the hub’s console shows.'), minLength: 4, maxLength: 64 },
    fingerprint: {
      ...str(
        'SHA-256 of the hub’s TLS certificate (“AB:CD:…”, as the console’s pairing dialog shows it): the join is ' +
          'refused (400 `hub_fingerprint_mismatch`) when the hub presents another. Absent: a certificate the ' +
          'system’s CAs do not vouch for is pinned as first seen.',
      ),
      minLength: 64,
      maxLength: 100,
    },
    existing: enumOf(
      ['upload', 'keep'],
      'The people enrolled here before the join: `upload` sends them to the hub once the site’s people have ' +
        'arrived (those the hub knows by employee number are linked, not uploaded); `keep` (default) keeps them ' +
        'only here.',
    ),
    name: {
      ...str('The kiosk’s name in the hub’s device list (default: the host name).'),
      minLength: 1,
      maxLength: 100,
    },
  },
  ['hubUrl', 'code'],
);

export const hubJoinResultSchema = obj({
  link: hubStatusSchema,
  pinnedFingerprint: nullable(
    str('The certificate fingerprint pinned at this join (no fingerprint given, no CA vouched for it).'),
  ),
  localPeople: obj(
    { count: int('People enrolled here before the join without a hub record.'), choice: enumOf(['upload', 'keep']) },
    undefined,
    'What happens to the people enrolled here before the join.',
  ),
});
