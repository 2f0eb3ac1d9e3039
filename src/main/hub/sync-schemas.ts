/**
 * JSON schemas of the bodies the hub receives, written from src/shared/sync-protocol.ts: fastify
 * refuses anything else with 400 before a handler runs (no coercion, no unknown fields).
 */
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const text = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength }) as const;
const nullable = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] });

export const joinBody = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'app_version', 'pack_id', 'protocol'],
  properties: {
    code: text(64),
    name: text(200),
    app_version: text(64),
    pack_id: text(128, 1),
    protocol: { type: 'integer' },
  },
} as const;

export const changesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cursor: text(4096, 1),
    wait: { type: 'string', pattern: '^\\d{1,3}$' },
    limit: { type: 'string', pattern: '^\\d{1,4}$' },
    // Optional: a device may name the site it expects; any but its own is 403.
    site: text(64, 1),
  },
} as const;

export const daysQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  // The dates themselves (real dates, in order, a bounded range) are checked by site-days.ts.
  properties: { from: text(10, 1), to: text(10, 1) },
} as const;

const decision = {
  type: 'object',
  additionalProperties: false,
  required: ['decided_by', 'late', 'similarity', 'liveness', 'clock_flag'],
  properties: {
    decided_by: { enum: ['face', 'operator', 'api'] },
    late: { type: 'boolean' },
    similarity: nullable({ type: 'number' }),
    liveness: nullable({ type: 'number' }),
    clock_flag: nullable(text(200)),
  },
} as const;

export const pushBody = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: {
    events: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['seq', 'person_hub_id', 'employee_number', 'type', 'occurred_at', 'clock_offset_ms', 'decision'],
        properties: {
          seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          person_hub_id: nullable({ type: 'string', pattern: UUID_PATTERN }),
          employee_number: text(64, 1),
          type: { enum: ['in', 'out'] },
          occurred_at: text(40, 10),
          clock_offset_ms: nullable({ type: 'integer', minimum: -1e12, maximum: 1e12 }),
          decision,
        },
      },
    },
  },
} as const;

export const statusBody = {
  type: 'object',
  additionalProperties: false,
  required: ['app_version', 'pack_id', 'liveness', 'outbox_depth', 'camera'],
  properties: {
    app_version: text(64),
    pack_id: text(128, 1),
    liveness: { type: 'boolean' },
    outbox_depth: { type: 'integer', minimum: 0 },
    camera: { enum: ['ok', 'missing', 'unknown'] },
  },
} as const;

export const enrollmentUploadBody = {
  type: 'object',
  additionalProperties: false,
  required: ['upload_id', 'pack_id', 'person', 'consent', 'templates'],
  properties: {
    upload_id: { type: 'string', pattern: UUID_PATTERN },
    pack_id: text(128, 1),
    person: {
      type: 'object',
      additionalProperties: false,
      required: ['employee_number', 'full_name', 'unit'],
      properties: {
        employee_number: text(64, 1),
        full_name: text(200, 1),
        unit: nullable(text(120)),
      },
    },
    consent: nullable({
      type: 'object',
      additionalProperties: false,
      required: ['method', 'given_at'],
      properties: { method: text(200, 1), given_at: text(40, 10) },
    }),
    templates: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['local_id', 'dim', 'embedding', 'quality', 'source', 'created_at'],
        properties: {
          local_id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          dim: { type: 'integer', minimum: 1, maximum: 4096 },
          // 4096 Float32 values in base64.
          embedding: text(21_848, 1),
          quality: nullable({ type: 'object' }),
          source: { enum: ['camera', 'upload', 'import'] },
          created_at: text(40, 10),
        },
      },
    },
  },
} as const;
