import { HadirError } from '../../../shared/errors';
import type { AnalyzedFace, ImageAnalysis } from '../../../shared/face';
import type {
  DetectBody,
  DetectFace,
  IdentificationState,
  LivenessBody,
  RecognitionBody,
  RecognitionFace,
} from '../../../shared/http-api';
import type { Identity } from '../../../shared/identity';
import type { RequestOptions } from '../../engine/pool';
import type { AnalyzeParams } from '../../engine/protocol';
import { hasScope } from '../auth';
import { type IdentityService, type RouteContext, type RouteDef, timingsMs } from '../context';
import { readUploads } from '../uploads';
import { detectBodySchema, errorBodySchema, livenessBodySchema, recognitionBodySchema } from '../schemas';
import type { FastifyRequest } from 'fastify';

export const IMAGE_FIELD = { fields: ['image'], required: ['image'] } as const;

/** Statuses every image route can answer besides 200. */
export const IMAGE_ERRORS = [400, 401, 403, 413, 415, 421, 429, 503];

export const imageMultipart = (description: string) => ({ fields: [{ name: 'image', required: true, description }] });

/** Read the one `image` upload of a request and analyse it on the engine. */
export async function analyzeImageField(
  ctx: RouteContext,
  req: FastifyRequest,
  params: AnalyzeParams,
): Promise<ImageAnalysis> {
  const files = await readUploads(req, IMAGE_FIELD, ctx.config.uploadLimitBytes);
  return analyzeBytes(ctx, files.get('image')!.bytes, params);
}

export function analyzeBytes(
  ctx: RouteContext,
  bytes: Uint8Array,
  params: AnalyzeParams,
  opts?: RequestOptions,
): Promise<ImageAnalysis> {
  return ctx.deps.engine.analyzeEncoded(
    bytes,
    {
      ...params,
      ...(ctx.config.maxPixels !== undefined ? { maxPixels: ctx.config.maxPixels } : {}),
    },
    opts,
  );
}

export const detectFace = (f: AnalyzedFace): DetectFace => ({ bbox: f.bbox, score: f.score, landmarks: f.landmarks });

/** The optional `site` query parameter of the identifying routes. */
export const siteQueryProperty = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description:
    'Hub only: search only the people allowed at this site (its code), at the threshold for that gallery’s size ' +
    '(404 for an unknown site). Without it a hub searches the whole organisation; a kiosk has one gallery and ' +
    'answers 400.',
};

/**
 * The gallery a request searches: the server's own, or on a hub the one of the site the request names.
 * Null: this server has none.
 */
export async function identityFor(ctx: RouteContext, req: FastifyRequest): Promise<IdentityService | null> {
  const site = (req.query as { site?: string } | undefined)?.site;
  const service = ctx.deps.identity ?? null;
  if (site === undefined || !service) return service;
  if (!service.forSite) {
    throw new HadirError('BAD_REQUEST', 'this server searches its one gallery: `site` is a hub’s parameter');
  }
  return service.forSite(site);
}

/**
 * Whether identities may be named for this request, and why not. A gallery still loading throws
 * WARMING (503 with Retry-After): answering `empty_gallery` would tell the caller nobody is enrolled.
 */
async function identificationState(
  ctx: RouteContext,
  req: FastifyRequest,
): Promise<{ state: IdentificationState; service: IdentityService | null }> {
  if (!ctx.deps.identity) return { state: 'unavailable', service: null };
  // Before looking at the gallery: a caller without a key learns nothing about who is enrolled.
  if (!hasScope(req.principal, 'read')) return { state: 'key_required', service: null };
  const service = await identityFor(ctx, req);
  if (!service) return { state: 'unavailable', service: null };
  return { state: service.gallerySize() > 0 ? 'done' : 'empty_gallery', service };
}

export const analysisRoutes: RouteDef[] = [
  {
    method: 'POST',
    url: '/api/v1/detect',
    operationId: 'detect',
    summary: 'Detect faces',
    description:
      'Faces with box, detector score and 5 landmarks. `curl -X POST -F "image=@photo.jpg" http://localhost:5010/api/v1/detect`',
    tags: ['analysis'],
    access: 'analysis',
    engineBound: true,
    schema: { response: { 200: detectBodySchema, ...errorResponses(IMAGE_ERRORS) } },
    multipart: imageMultipart('The photo (JPEG, PNG, WebP, TIFF, BMP, GIF, AVIF).'),
    errors: IMAGE_ERRORS,
    handler: async (ctx, req): Promise<DetectBody> => {
      const a = await analyzeImageField(ctx, req, { embed: false });
      return {
        width: a.width,
        height: a.height,
        faces: a.faces.map(detectFace),
        timings_ms: timingsMs([a], req.startedAt),
      };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/recognition',
    operationId: 'recognition',
    summary: 'Detect and recognise faces',
    description:
      'Every face with its embedding, its liveness and, for an API key with the `read` scope and a non-empty ' +
      'gallery, its identity. `curl -X POST -F "image=@photo.jpg" http://localhost:5010/api/v1/recognition`',
    tags: ['analysis'],
    access: 'analysis',
    engineBound: true,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          liveness: {
            type: 'string',
            enum: ['true', 'false', '1', '0'],
            default: 'true',
            description: 'Judge liveness per face (default true).',
          },
          site: siteQueryProperty,
        },
        additionalProperties: false,
      },
      response: { 200: recognitionBodySchema, ...errorResponses(IMAGE_ERRORS) },
    },
    multipart: imageMultipart('The photo.'),
    errors: IMAGE_ERRORS,
    handler: async (ctx, req): Promise<RecognitionBody> => {
      const q = (req.query as { liveness?: string }).liveness;
      const wantLiveness = q !== 'false' && q !== '0';
      const { state, service } = await identificationState(ctx, req);
      const a = await analyzeImageField(ctx, req, { embed: true, liveness: wantLiveness });
      let identities: Identity[] | null = null;
      if (state === 'done' && service && a.faces.length > 0)
        identities = service.identifyFaces(a.faces.map((f) => f.embedding));
      const faces = a.faces.map((f, i): RecognitionFace => ({
        ...detectFace(f),
        embedding: f.embedding ? Array.from(f.embedding) : [],
        liveness: f.liveness ?? null,
        identity: identities?.[i] ?? null,
      }));
      return {
        width: a.width,
        height: a.height,
        faces,
        liveness_available: a.livenessAvailable ?? ctx.deps.engine.status().livenessAvailable,
        identification: state,
        timings_ms: timingsMs([a], req.startedAt),
      };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/liveness',
    operationId: 'liveness',
    summary: 'Judge faces real or spoof',
    description:
      'Passive liveness per face: `p_real` and the decision at the configured threshold. 503 LIVENESS_UNAVAILABLE ' +
      'when the model pack has no usable liveness models.',
    tags: ['analysis'],
    access: 'analysis',
    engineBound: true,
    schema: { response: { 200: livenessBodySchema, ...errorResponses(IMAGE_ERRORS) } },
    multipart: imageMultipart('The photo or camera frame.'),
    errors: IMAGE_ERRORS,
    handler: async (ctx, req): Promise<LivenessBody> => {
      const a = await analyzeImageField(ctx, req, { embed: false, liveness: true });
      if (a.livenessAvailable !== true) {
        throw new HadirError('LIVENESS_UNAVAILABLE', 'this model pack has no usable liveness models');
      }
      return {
        width: a.width,
        height: a.height,
        faces: a.faces.map((f) => {
          if (!f.liveness) throw new HadirError('LIVENESS_UNAVAILABLE', 'a face was not judged');
          return { bbox: f.bbox, p_real: f.liveness.p_real, decision: f.liveness.decision };
        }),
        threshold: ctx.thresholds.liveness,
        timings_ms: timingsMs([a], req.startedAt),
      };
    },
  },
];

export function errorResponses(statuses: readonly number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, errorBodySchema]));
}
