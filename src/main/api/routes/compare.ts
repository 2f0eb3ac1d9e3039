import { performance } from 'node:perf_hooks';
import type { FastifyRequest } from 'fastify';
import { HadirError } from '../../../shared/errors';
import { type AnalyzedFace, cosineSimilarity, type ImageAnalysis, mainFaceIndex } from '../../../shared/face';
import type { CompareEmbeddingsBody, CompareImagesBody, CompareVerdict, ImageQuality } from '../../../shared/http-api';
import { decodeImage } from '../../vision/decode';
import type { RgbImage } from '../../vision/image';
import { measureFaceQuality } from '../../vision/quality';
import { type RouteContext, type RouteDef, timingsMs } from '../context';
import {
  compareBodySchema,
  compareEmbeddingsBodySchema,
  compareImagesBodySchema,
  compareJsonRequestSchema,
} from '../schemas';
import { isMultipartRequest, readUploads } from '../uploads';
import { errorResponses } from './analysis';

const COMPARE_ERRORS = [400, 401, 403, 413, 415, 421, 422, 429, 503];

export function verdictOf(similarity: number, threshold: number | null): { match: boolean; verdict: CompareVerdict } {
  if (threshold === null) return { match: false, verdict: 'uncalibrated' };
  const match = similarity >= threshold;
  return { match, verdict: match ? 'same' : 'different' };
}

function norm(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** JSON `{embedding1, embedding2}` → cosine similarity of the normalised vectors. */
export function compareEmbeddings(
  ctx: RouteContext,
  body: { embedding1: number[]; embedding2: number[] },
): CompareEmbeddingsBody {
  const { embedding1: a, embedding2: b } = body;
  const dim = ctx.deps.pack.recognizer.embeddingSize;
  if (a.length !== b.length) {
    throw new HadirError(
      'BAD_REQUEST',
      `embedding1 has ${a.length} values and embedding2 ${b.length}: they must have the same length`,
    );
  }
  if (a.length !== dim) {
    throw new HadirError(
      'BAD_REQUEST',
      `embeddings of model pack ${ctx.deps.pack.id} have ${dim} values (got ${a.length}); compare embeddings from the same pack`,
    );
  }
  if (!(norm(a) > 0) || !(norm(b) > 0))
    throw new HadirError('BAD_REQUEST', 'an embedding of all zeros has no direction to compare');
  const similarity = cosineSimilarity(a, b);
  return { similarity, threshold: ctx.thresholds.match, ...verdictOf(similarity, ctx.thresholds.match) };
}

function qualityOf(field: string, img: RgbImage, a: ImageAnalysis): ImageQuality {
  const i = mainFaceIndex(a.faces);
  let face: ImageQuality['face'] = null;
  if (i >= 0) {
    const f = a.faces[i];
    const q = measureFaceQuality(img, f);
    face = {
      bbox: f.bbox,
      score: f.score,
      inter_ocular: q.interOcular,
      box_width: f.bbox[2] - f.bbox[0],
      box_height: f.bbox[3] - f.bbox[1],
      blur: q.blur,
      brightness: q.brightness,
      pose: q.yaw !== null && q.roll !== null ? { yaw: q.yaw, roll: q.roll } : null,
    };
  }
  return { field, width: a.width, height: a.height, face_found: i >= 0, face_count: a.faces.length, face };
}

async function compareImages(ctx: RouteContext, req: FastifyRequest): Promise<CompareImagesBody> {
  const fields = ['image1', 'image2'] as const;
  const files = await readUploads(req, { fields, required: fields }, ctx.config.uploadLimitBytes);
  // Decoded here, not in the worker, because the quality report needs the pixels as well.
  let decodeMs = 0;
  const decoded = await Promise.all(
    fields.map(async (field) => {
      const t0 = performance.now();
      const img = await decodeImage(files.get(field)!.bytes, { maxPixels: ctx.config.maxPixels }).catch(
        (e: unknown) => {
          if (e instanceof HadirError) throw new HadirError(e.code, `${field}: ${e.message}`);
          throw e;
        },
      );
      decodeMs += performance.now() - t0;
      return img;
    }),
  );
  const analyses = await Promise.all(
    decoded.map((img) => ctx.deps.engine.analyzeRgb(img.data.slice(), img.width, img.height, { embed: true })),
  );
  const images = fields.map((field, k) => qualityOf(field, decoded[k], analyses[k])) as [ImageQuality, ImageQuality];
  const missing = images.filter((q) => !q.face_found).map((q) => q.field);
  if (missing.length > 0) throw new HadirError('NO_FACE', `no face found in ${missing.join(' and ')}`);
  const emb = (a: ImageAnalysis): Float32Array => {
    const f: AnalyzedFace = a.faces[mainFaceIndex(a.faces)];
    if (!f.embedding) throw new HadirError('INTERNAL', 'the engine returned a face without an embedding');
    return f.embedding;
  };
  const similarity = cosineSimilarity(emb(analyses[0]), emb(analyses[1]));
  return {
    similarity,
    threshold: ctx.thresholds.match,
    ...verdictOf(similarity, ctx.thresholds.match),
    images,
    timings_ms: timingsMs(analyses, req.startedAt, decodeMs),
  };
}

export const compareRoutes: RouteDef[] = [
  {
    method: 'POST',
    url: '/api/v1/compare',
    operationId: 'compare',
    summary: 'Compare two faces',
    description:
      'Either multipart `image1` + `image2`: the similarity of their main faces (largest box), the verdict at the ' +
      "pack's calibrated threshold and a quality report of each image (422 NO_FACE when either has none); or JSON " +
      '`{"embedding1": […], "embedding2": […]}` (embeddings of this pack): the cosine similarity of the normalised vectors ' +
      '(different lengths → 400). Chosen by Content-Type. With the legacy routes on, a JSON request that fails is ' +
      'answered 200 with `match: false` and an `error`, because the old caller hangs on any other status.\n\n' +
      '`curl -X POST -F "image1=@a.jpg" -F "image2=@b.jpg" http://localhost:5010/api/v1/compare`',
    tags: ['analysis'],
    access: 'analysis',
    // JSON embeddings never reach the engine.
    engineBound: isMultipartRequest,
    legacyWhen: (req) => (isMultipartRequest(req) ? null : 'compare'),
    schema: {
      body: { content: { 'application/json': { schema: compareJsonRequestSchema } } },
      response: { 200: compareBodySchema, ...errorResponses(COMPARE_ERRORS) },
    },
    multipart: {
      fields: [
        { name: 'image1', required: true, description: 'The first photo.' },
        { name: 'image2', required: true, description: 'The second photo.' },
      ],
    },
    docResponse: { oneOf: [compareImagesBodySchema, compareEmbeddingsBodySchema] },
    errors: COMPARE_ERRORS,
    handler: async (ctx, req) => {
      if (isMultipartRequest(req)) return compareImages(ctx, req);
      if (req.body === undefined || req.body === null) {
        throw new HadirError(
          'BAD_REQUEST',
          'send multipart/form-data with files "image1" and "image2", or JSON {"embedding1": […], "embedding2": […]}',
        );
      }
      return compareEmbeddings(ctx, req.body as { embedding1: number[]; embedding2: number[] });
    },
  },
];
