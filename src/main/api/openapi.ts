import { HADIR_VERSION } from '../../shared/version';
import type { RouteDef } from './context';
import { errorBodySchema } from './schemas';

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  204: 'No content',
  409: 'Clashes with existing data, e.g. an employee number in use (CONFLICT)',
  400: 'Bad request: a missing, unexpected or malformed field (BAD_REQUEST), a damaged (CORRUPT_IMAGE) or empty (EMPTY_IMAGE) image',
  401: 'No valid API key (UNAUTHORIZED)',
  403: 'The key lacks the scope this needs (FORBIDDEN)',
  404: 'Not found (NOT_FOUND)',
  413: 'Body or file over the upload limit (PAYLOAD_TOO_LARGE), or an image over the pixel limit (IMAGE_TOO_LARGE)',
  415: 'Not an image Hadir can read (UNSUPPORTED_FORMAT), or a body not in multipart/JSON (UNSUPPORTED_MEDIA_TYPE)',
  421: 'The Host header names a host this server does not answer for (MISDIRECTED_REQUEST)',
  422: 'No face where one is required (NO_FACE), or an enrollment refused (the body says why, per sample)',
  429: 'Too many requests from this client (RATE_LIMITED); see Retry-After',
  503: 'The engine is busy (BUSY, with Retry-After), timed out, restarting, or lacks liveness models (LIVENESS_UNAVAILABLE)',
};

const DESCRIPTION = `Hadir's local HTTP API: face detection, recognition, comparison and liveness on the kiosk's own engine.

**Keys.** Send an API key as \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`. Scopes: \`read\` (analyse images,
see identities, read people and attendance, remote check-in), \`write\` (enroll and edit people), \`admin\` (keys,
operators and settings). Health needs none. On the default
loopback bind, detect, recognition, compare and liveness answer without a key but never name a person
(\`identification: "key_required"\`); bound to any other address every route but health needs a key.

**Operator sessions.** The kiosk's own screens (and other clients of operators) sign in with
\`POST /api/v1/auth/sessions\` and send the token as \`X-Hadir-Session\`. Routes that serve both the screens and office
software (people, attendance, keys, operators, settings) take either a session or a key: reads need a session or a
\`read\` key, changes to people a session or a \`write\` key, keys, operators and settings an admin's session or an
\`admin\` key. Every change is audited with the operator's user name or the key's name.

**Errors.** Every error is JSON \`{"error": {"code", "message"}}\`: 400 BAD_REQUEST / CORRUPT_IMAGE / EMPTY_IMAGE,
401 UNAUTHORIZED, 403 FORBIDDEN, 404 NOT_FOUND, 413 PAYLOAD_TOO_LARGE / IMAGE_TOO_LARGE, 415 UNSUPPORTED_FORMAT /
UNSUPPORTED_MEDIA_TYPE, 409 CONFLICT, 421 MISDIRECTED_REQUEST, 422 NO_FACE / ENROLLMENT_REFUSED, 429 RATE_LIMITED, 503 BUSY / TIMEOUT / WORKER_CRASHED /
LIVENESS_UNAVAILABLE, 500 INTERNAL and model errors. 429 and 503 BUSY carry Retry-After.

**Legacy routes** (tag \`legacy\`) are the previous Flask services' endpoints, served only when the legacy setting is
on (\`hadir serve --legacy\`). They answer 200 to everything, with explicit failure fields.`;

/** Express-style `/people/:id` as OpenAPI's `/people/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function securityOf(def: RouteDef): unknown[] {
  switch (def.access) {
    case 'public':
      return [];
    case 'analysis':
    case 'legacy':
      // An empty requirement ({}) marks the key as optional: analysis routes on loopback, legacy from loopback.
      return [{}, { bearerKey: [] }, { headerKey: [] }];
    case 'kiosk':
    case 'setup':
      // Loopback clients need nothing (setup: only before the first admin exists).
      return [{}, { bearerKey: [] }, { headerKey: [] }, { operatorSession: [] }];
    case 'session':
      return [{ operatorSession: [] }];
    default:
      return [{ bearerKey: [] }, { headerKey: [] }, { operatorSession: [] }];
  }
}

/** Who may call a route of each access level, as the document says it. */
const ACCESS_TEXT: Record<string, string> = {
  kiosk: 'Access: loopback clients, any operator session, or an API key with `read`.',
  setup: 'Access: only while no admin account exists (first run), from loopback (or an `admin` key).',
  read: 'Access: an operator session, or an API key with `read`.',
  write: 'Access: an operator session, or an API key with `write`.',
  operator: 'Access: an operator session (operator or admin), or an API key with `write`.',
  session: 'Access: an operator session (operator or admin) only; no API key, whatever its scopes.',
  admin: 'Access: an admin’s session, or an API key with `admin`.',
};

function requestBodyOf(def: RouteDef): Record<string, unknown> | undefined {
  const content: Record<string, unknown> = {};
  if (def.multipart) {
    content['multipart/form-data'] = {
      schema: {
        type: 'object',
        properties: Object.fromEntries(
          def.multipart.fields.map((f) => [f.name, { type: 'string', format: 'binary', description: f.description }]),
        ),
        required: def.multipart.fields.filter((f) => f.required).map((f) => f.name),
      },
    };
  }
  if (def.rawBody) {
    content[def.rawBody.mime] = { schema: { type: 'string', format: 'binary', description: def.rawBody.description } };
  }
  const body = def.schema.body as { content?: Record<string, { schema: unknown }> } | undefined;
  for (const [type, { schema }] of Object.entries(body?.content ?? {})) content[type] = { schema };
  return Object.keys(content).length > 0 ? { required: true, content } : undefined;
}

function parametersOf(def: RouteDef): unknown[] {
  const p = def.schema.params as { properties?: Record<string, Record<string, unknown>> } | undefined;
  const q = def.schema.querystring as
    { properties?: Record<string, Record<string, unknown>>; required?: string[] } | undefined;
  return [
    ...Object.entries(p?.properties ?? {}).map(([name, s]) => {
      const { description, ...schema } = s;
      return { name, in: 'path', required: true, ...(description ? { description } : {}), schema };
    }),
    ...Object.entries(q?.properties ?? {}).map(([name, s]) => {
      const { description, ...schema } = s;
      const required = q?.required?.includes(name) === true;
      return { name, in: 'query', required, ...(description ? { description } : {}), schema };
    }),
  ];
}

/** The OpenAPI 3.1 document of the given routes: the same schemas fastify validates and serialises with. */
export function buildOpenApi(defs: readonly RouteDef[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const def of defs) {
    if (def.hidden) continue;
    const methods = Array.isArray(def.method) ? def.method : [def.method];
    for (const method of methods) {
      const responses: Record<string, unknown> =
        def.schema.response[200] === undefined && def.schema.response[204] !== undefined
          ? { 204: { description: STATUS_TEXT[204] } }
          : {
              200: {
                description: STATUS_TEXT[200],
                content: def.docContent ?? {
                  'application/json': { schema: def.docResponse ?? def.schema.response[200] },
                },
              },
            };
      for (const status of def.errors) {
        // A route may answer a status with its own body (a refused enrollment says why, per sample).
        const own = def.schema.response[status];
        responses[status] = {
          description: STATUS_TEXT[status] ?? 'Error',
          content: {
            'application/json': {
              schema: own && own !== errorBodySchema ? own : { $ref: '#/components/schemas/Error' },
            },
          },
        };
      }
      const requestBody = requestBodyOf(def);
      const parameters = parametersOf(def);
      const op: Record<string, unknown> = {
        operationId:
          methods.length > 1 ? `${def.operationId}${method[0]}${method.slice(1).toLowerCase()}` : def.operationId,
        summary: def.summary,
        ...(def.description || ACCESS_TEXT[def.access]
          ? { description: [def.description, ACCESS_TEXT[def.access]].filter(Boolean).join('\n\n') }
          : {}),
        tags: def.tags,
        security: securityOf(def),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses,
      };
      if (def.legacy) op['x-hadir-legacy'] = true;
      (paths[openApiPath(def.url)] ??= {})[method.toLowerCase()] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hadir local API',
      version: HADIR_VERSION,
      description: DESCRIPTION,
      license: { name: 'UNLICENSED' },
    },
    servers: [{ url: 'http://localhost:5010', description: 'The default loopback bind' }],
    tags: [
      { name: 'service', description: 'Health and the API description' },
      { name: 'analysis', description: 'Faces, embeddings, comparison and liveness' },
      { name: 'auth', description: 'Operator sessions' },
      { name: 'setup', description: 'First-run setup' },
      { name: 'kiosk', description: 'The kiosk page: its status and the camera frames it streams' },
      { name: 'enrollment', description: 'Enrollment from the camera, one judged sample at a time' },
      { name: 'people', description: 'People, their faces, and identification' },
      { name: 'attendance', description: 'Attendance records, exports and remote check-in' },
      { name: 'admin', description: 'API keys, operator accounts and settings' },
      { name: 'legacy', description: 'The previous Flask services, for their caller (off by default)' },
    ],
    paths,
    components: {
      schemas: { Error: errorBodySchema },
      securitySchemes: {
        bearerKey: { type: 'http', scheme: 'bearer', description: 'An API key as a bearer token' },
        headerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        operatorSession: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Hadir-Session',
          description: 'An operator session token from POST /api/v1/auth/sessions',
        },
      },
    },
  };
}
