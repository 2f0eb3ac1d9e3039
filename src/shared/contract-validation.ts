/**
 * Checks for every request of the contract, applied where a payload enters main from the page (the
 * IPC handlers; the HTTP routes may use them too). The page can be compromised: nothing it sends is
 * trusted until it has passed here. A check returns a fresh value built from the known fields only
 * (unknown keys are refused, so a typo or an injected `role` never slips through) or throws
 * `HadirError('BAD_REQUEST')` naming the field.
 *
 * Small and hand-written on purpose: the contract is ~30 methods, and a schema library in the preload
 * or renderer bundle would cost more than it saves.
 */
import {
  API_KEY_SCOPES,
  ATTENDANCE_PAGE_MAX,
  CONSENT_METHODS,
  LANGUAGES,
  LOCAL_PEOPLE_CHOICES,
  WEEKDAY_KEYS,
  type ContractMethod,
  type ContractRequest,
  type DayWindowsConfig,
  type ScheduleConfig,
  type WeekdayKey,
} from './contract';
import { HadirError } from './errors';
import { INDONESIAN_TIME_ZONES } from './local-time';

export type Validator<T> = (value: unknown, path: string) => T;

/** Marks a field of {@link object} that may be absent (undefined); null is still checked by the inner validator. */
export interface OptionalField<T> {
  readonly optional: Validator<T>;
}

type Field = Validator<unknown> | OptionalField<unknown>;
type Shape = Record<string, Field>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalField<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] };
export type Infer<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: S[K] extends Validator<infer T> ? T : never } & {
    [K in OptionalKeys<S>]?: S[K] extends OptionalField<infer T> ? T : never;
  }
>;

function fail(path: string, expected: string): never {
  throw new HadirError('BAD_REQUEST', `${path || 'request'}: expected ${expected}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return isPlainObject(value) ? 'an object' : 'an object that is not a plain object';
  return typeof value;
}

/** No request: accepts undefined (and null, which structured clone and JSON may turn it into). */
export const none: Validator<void> = (value, path) => {
  if (value !== undefined && value !== null) fail(path, `no payload (got ${describe(value)})`);
};

export function string(opts: { min?: number; max: number; pattern?: RegExp; what?: string }): Validator<string> {
  const { min = 0, max, pattern, what } = opts;
  return (value, path) => {
    if (typeof value !== 'string') fail(path, `a string (got ${describe(value)})`);
    if (value.length < min || value.length > max) fail(path, `${min} to ${max} characters (got ${value.length})`);
    if (pattern && !pattern.test(value)) fail(path, what ?? `text matching ${String(pattern)}`);
    return value;
  };
}

export function integer(min: number, max: number): Validator<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, `an integer (got ${describe(value)})`);
    if (value < min || value > max) fail(path, `an integer from ${min} to ${max} (got ${value})`);
    return value;
  };
}

export function number(min: number, max: number): Validator<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `a finite number (got ${describe(value)})`);
    if (value < min || value > max) fail(path, `a number from ${min} to ${max} (got ${value})`);
    return value;
  };
}

export const boolean: Validator<boolean> = (value, path) => {
  if (typeof value !== 'boolean') fail(path, `true or false (got ${describe(value)})`);
  return value;
};

export function literal<T extends string | number | boolean>(expected: T): Validator<T> {
  return (value, path) => {
    if (value !== expected) fail(path, JSON.stringify(expected));
    return expected;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Validator<T> {
  return (value, path) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      fail(path, `one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (value, path) => (value === null ? null : inner(value, path));
}

export function optional<T>(inner: Validator<T>): OptionalField<T> {
  return { optional: inner };
}

export function array<T>(inner: Validator<T>, opts: { max: number; unique?: boolean }): Validator<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, `an array (got ${describe(value)})`);
    if (value.length > opts.max) fail(path, `at most ${opts.max} items (got ${value.length})`);
    const out = value.map((item, i) => inner(item, `${path}[${i}]`));
    if (opts.unique && new Set(out).size !== out.length) fail(path, 'no repeated items');
    return out;
  };
}

export function pair<T>(inner: Validator<T>): Validator<[T, T]> {
  return (value, path) => {
    if (!Array.isArray(value) || value.length !== 2) fail(path, 'a pair [from, to]');
    return [inner(value[0], `${path}[0]`), inner(value[1], `${path}[1]`)];
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function object<S extends Shape>(shape: S): Validator<Infer<S>> {
  const known = new Set(Object.keys(shape));
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, `an object (got ${describe(value)})`);
    for (const key of Object.keys(value)) {
      if (!known.has(key)) fail(path ? `${path}.${key}` : key, 'no such field');
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const fieldPath = path ? `${path}.${key}` : key;
      const raw = value[key];
      if ('optional' in field) {
        if (raw !== undefined) out[key] = field.optional(raw, fieldPath);
      } else {
        out[key] = field(raw, fieldPath);
      }
    }
    return out as Infer<S>;
  };
}

/** An object that must have exactly one of the given keys, each with its own shape. */
export function exclusive<A extends Shape, B extends Shape>(a: A, b: B): Validator<Infer<A> | Infer<B>> {
  const checkA = object(a);
  const checkB = object(b);
  const keysA = Object.keys(a);
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, `an object (got ${describe(value)})`);
    return keysA.some((k) => k in value) ? checkA(value, path) : checkB(value, path);
  };
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // Not instanceof: a buffer deserialised from another realm has another ArrayBuffer constructor.
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/** Binary data: an ArrayBuffer (or a typed-array view of one, copied) of 1 to `max` bytes. */
export function bytes(max: number): Validator<ArrayBuffer> {
  return (value, path) => {
    let buffer: ArrayBuffer;
    if (isArrayBuffer(value)) buffer = value;
    else if (ArrayBuffer.isView(value)) {
      const view = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      buffer = view.slice().buffer;
    } else fail(path, `binary data (got ${describe(value)})`);
    if (buffer.byteLength === 0) fail(path, 'at least one byte');
    if (buffer.byteLength > max) fail(path, `at most ${max} bytes (got ${buffer.byteLength})`);
    return buffer;
  };
}

// ─── Field types of the contract ───────────────────────────────────────────────────────────────────

/** Upload limit for one frame or sample (the HTTP API's default body limit). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Largest frame side the kiosk may send. */
export const MAX_FRAME_SIDE = 4096;

const NO_CONTROL = /^[^\p{Cc}]*$/u;
const text = (max: number, min = 0): Validator<string> =>
  string({ min, max, pattern: NO_CONTROL, what: 'text without control characters' });
const id = integer(1, Number.MAX_SAFE_INTEGER);
const side = integer(1, MAX_FRAME_SIDE);
const image = bytes(MAX_IMAGE_BYTES);
const token = string({ min: 1, max: 200, pattern: /^[A-Za-z0-9._~+/=-]+$/, what: 'a session token' });

/** YYYY-MM-DD that is a real calendar date. */
export const isoDate: Validator<string> = (value, path) => {
  const s = string({ max: 10, pattern: /^\d{4}-\d{2}-\d{2}$/, what: 'a date YYYY-MM-DD' })(value, path);
  const [y, m, d] = s.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    fail(path, 'a real calendar date');
  }
  return s;
};

const timeOfDay = string({ max: 5, pattern: /^([01]\d|2[0-3]):[0-5]\d$/, what: 'a time HH:MM' });
const kioskId = string({ min: 1, max: 64, pattern: /^[A-Za-z0-9._-]+$/, what: 'a kiosk id of letters, digits, . _ -' });
const sessionId = string({ min: 1, max: 100, pattern: /^[A-Za-z0-9_-]+$/, what: 'an enrollment session id' });
const username = string({ min: 1, max: 64, pattern: /^[\p{L}\p{N}._@-]+$/u, what: 'a user name' });
const secret = string({ min: 4, max: 200 });
const role = oneOf(['admin', 'operator'] as const);

/**
 * Shapes only, with a size cap: the rules of a person's fields (lengths, characters) are the services'
 * (src/main/services/validation.ts), so HTTP, IPC, the CLI and bulk import refuse a value with one message.
 */
const personFields = {
  employee_number: string({ max: 1000 }),
  full_name: string({ max: 1000 }),
  unit: nullable(string({ max: 1000 })),
};

/** A person's own fields (create), as the store names them. */
export const personFieldsValidator = object(personFields);
/** Consent to biometric processing, as the contract sends it. */
export const consentValidator = object({
  given: literal(true),
  method: oneOf(CONSENT_METHODS),
  note: optional(text(500)),
});

const dayWindows: Validator<DayWindowsConfig> = object({
  checkIn: pair(timeOfDay),
  onTimeUntil: timeOfDay,
  checkOut: pair(timeOfDay),
});

const week: Validator<Record<WeekdayKey, DayWindowsConfig | null>> = (value, path) => {
  const shape = Object.fromEntries(WEEKDAY_KEYS.map((k) => [k, nullable(dayWindows)])) as Record<
    WeekdayKey,
    Validator<DayWindowsConfig | null>
  >;
  return object(shape)(value, path);
};

const schedule: Validator<ScheduleConfig> = object({
  timeZone: oneOf(INDONESIAN_TIME_ZONES),
  week,
  cooldownSeconds: integer(0, 3600),
  recordOnHolidays: boolean,
  recordOnLeave: boolean,
});

const frame = {
  jpeg: image,
  width: side,
  height: side,
  mirrored: literal(false),
};

const attendanceFilter = {
  from: isoDate,
  to: isoDate,
  unit: optional(text(120)),
  personId: optional(id),
  onlyLate: optional(boolean),
  onlyNotCheckedOut: optional(boolean),
};

/**
 * The reason an operator gives for a change to attendance: required, and not blank (the audit log keeps
 * it). Its own message and `reason`, so a screen can say it in the interface language.
 */
const manualReason: Validator<string> = (value, path) => {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new HadirError('BAD_REQUEST', `${path || 'reason'}: a reason is required for every change to attendance`, {
      reason: 'attendance_reason_required',
    });
  }
  return text(500, 1)(value.trim(), path);
};

/** A manual record names its person by id or by employee number (NIP): exactly one of the two. */
const attendanceAdd: Validator<ContractRequest<'addAttendanceRecord'>> = (value, path) => {
  const r = object({
    personId: optional(id),
    employeeNumber: optional(text(64, 1)),
    localDate: isoDate,
    checkIn: optional(timeOfDay),
    checkOut: optional(timeOfDay),
    reason: manualReason,
  })(value, path);
  if ((r.personId === undefined) === (r.employeeNumber === undefined)) {
    fail(path ? `${path}.personId` : 'personId', 'either personId or employeeNumber (one of them)');
  }
  return r;
};

/** An http(s) URL of an update folder, without credentials or a fragment. */
const updateUrl = string({
  min: 8,
  max: 500,
  pattern: /^https?:\/\/[^\s/@#]+(\/[^\s#]*)?$/,
  what: 'an http:// or https:// address of the update folder',
});

const hubUrl = string({
  min: 8,
  max: 500,
  pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i,
  what: 'the hub’s address, http://… or https://…',
});
/** SHA-256 as 32 hex pairs, with or without separators (what `hadir hub serve` and the console print). */
const fingerprint = string({
  min: 64,
  max: 100,
  pattern: /^(?:[0-9A-Fa-f]{2}[:\s-]?){31}[0-9A-Fa-f]{2}$/,
  what: 'a SHA-256 fingerprint, 32 hex pairs such as AB:CD:…',
});

const kioskConfigPatch = object({
  cardSeconds: optional(integer(1, 60)),
  noticeSeconds: optional(integer(1, 60)),
  sound: optional(boolean),
  fullScreen: optional(boolean),
  maxFrameWidth: optional(integer(160, 1920)),
  volume: optional(integer(0, 100)),
  spokenGreeting: optional(boolean),
  startAtLogin: optional(boolean),
  updateUrl: optional(nullable(updateUrl)),
  updateIdleMinutes: optional(integer(1, 240)),
});

/** The check for each method's request; the types make sure each returns exactly the contract's type. */
export const REQUEST_VALIDATORS: { readonly [M in ContractMethod]: Validator<ContractRequest<M>> } = {
  getStatus: none,
  submitFrame: object({ kioskId, ...frame }),

  signIn: object({ username, secret: string({ min: 1, max: 200 }) }),
  getSession: none,
  signOut: none,

  getSetupStatus: none,
  chooseModelPack: object({ packId: text(100, 1), acceptLicense: literal(true) }),
  createFirstAdmin: object({ username, displayName: text(100, 1), secret }),
  completeSetup: object({ schedule, language: oneOf(LANGUAGES) }),

  getHubLink: none,
  joinHub: object({
    hubUrl,
    code: string({ min: 4, max: 64, pattern: /^[A-Za-z0-9 -]+$/, what: 'a pairing code of letters, digits and -' }),
    fingerprint: optional(fingerprint),
    existing: optional(oneOf(LOCAL_PEOPLE_CHOICES)),
    name: optional(text(100, 1)),
  }),

  startEnrollment: object({ personId: optional(id) }),
  addEnrollmentSample: object({ sessionId, ...frame }),
  removeEnrollmentSample: object({ sessionId, index: integer(0, 99) }),
  commitEnrollment: object({
    sessionId,
    person: exclusive({ personId: id }, { create: object(personFields) }),
    consent: consentValidator,
    confirmDuplicate: optional(boolean),
  }),
  cancelEnrollment: object({ sessionId }),

  listPeople: object({
    query: optional(text(200)),
    unit: optional(text(120)),
    includeInactive: optional(boolean),
    offset: optional(integer(0, 10_000_000)),
    limit: optional(integer(1, 500)),
  }),
  getPerson: object({ id }),
  getPersonFace: object({ id }),
  updatePerson: object({
    id,
    employee_number: optional(personFields.employee_number),
    full_name: optional(personFields.full_name),
    unit: optional(personFields.unit),
  }),
  setPersonActive: object({ id, active: boolean }),
  deletePerson: object({ id, confirm: literal(true), eraseAttendance: boolean }),
  listUnits: none,
  listUnitDetails: none,
  addUnit: object({ name: string({ min: 1, max: 1000, what: 'a unit name' }) }),
  renameUnit: object({ id, name: string({ min: 1, max: 1000, what: 'a unit name' }) }),
  deleteUnit: object({ id }),

  queryAttendance: object({
    ...attendanceFilter,
    cursor: optional(string({ min: 1, max: 100, pattern: /^[A-Za-z0-9_-]+$/, what: 'a cursor from next_cursor' })),
    limit: optional(integer(1, ATTENDANCE_PAGE_MAX)),
  }),
  exportAttendance: object({
    ...attendanceFilter,
    format: oneOf(['csv', 'xlsx'] as const),
    lang: optional(oneOf(LANGUAGES)),
  }),
  attendanceStats: object({ from: isoDate, to: isoDate, unit: attendanceFilter.unit }),
  addAttendanceRecord: attendanceAdd,
  correctAttendanceRecord: object({
    id,
    checkIn: optional(nullable(timeOfDay)),
    checkOut: optional(nullable(timeOfDay)),
    reason: manualReason,
  }),
  voidAttendanceRecord: object({ id, reason: manualReason }),

  getSettings: none,
  updateSettings: object({
    language: optional(oneOf(LANGUAGES)),
    kiosk: optional(kioskConfigPatch),
    recognition: optional(
      object({
        threshold: optional(nullable(number(-1, 1))),
        margin: optional(number(0, 1)),
        // Below 1e-6 no labelled data or tail fit means anything; above 10 % a stranger in ten is named.
        targetFpir: optional(number(1e-6, 0.1)),
        requiredFrames: optional(integer(1, 30)),
        requireLiveness: optional(boolean),
        headTurnChallenge: optional(boolean),
        livenessThreshold: optional(nullable(number(0, 1))),
        units: optional(array(integer(1, Number.MAX_SAFE_INTEGER), { max: 500, unique: true })),
      }),
    ),
    schedule: optional(schedule),
    api: optional(
      object({
        host: optional(string({ min: 1, max: 253, pattern: /^[A-Za-z0-9.:-]+$/, what: 'a host name or address' })),
        port: optional(integer(1, 65535)),
        legacyRoutes: optional(boolean),
        trustedProxies: optional(
          array(
            string({ min: 2, max: 50, pattern: /^[0-9A-Fa-f.:]+(\/\d{1,3})?$/, what: 'an IP address or network' }),
            {
              max: 32,
              unique: true,
            },
          ),
        ),
      }),
    ),
    activePack: optional(text(100, 1)),
    idleSignOutMinutes: optional(integer(1, 240)),
  }),
  listApiKeys: none,
  createApiKey: object({
    name: text(100, 1),
    scopes: array(oneOf(API_KEY_SCOPES), { max: API_KEY_SCOPES.length, unique: true }),
  }),
  revokeApiKey: object({ id }),
  listOperators: none,
  createOperator: object({ username, displayName: text(100, 1), role, secret }),
  updateOperator: object({
    id,
    displayName: optional(text(100, 1)),
    role: optional(role),
    active: optional(boolean),
    secret: optional(secret),
  }),
};

/** The envelope of an IPC call: `{ token, payload }`, with the payload checked for `method`. */
export function validateIpcEnvelope<M extends ContractMethod>(
  method: M,
  envelope: unknown,
): { token: string | null; payload: ContractRequest<M> } {
  if (!isPlainObject(envelope)) fail('', 'an envelope { token, payload }');
  for (const key of Object.keys(envelope)) {
    if (key !== 'token' && key !== 'payload') fail(key, 'no such field');
  }
  const t = envelope.token === undefined || envelope.token === null ? null : token(envelope.token, 'token');
  const validate = REQUEST_VALIDATORS[method] as Validator<ContractRequest<M>>;
  return { token: t, payload: validate(envelope.payload, '') };
}
