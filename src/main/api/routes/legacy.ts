import type { FastifyRequest } from 'fastify';
import { type ErrorInfo, HadirError, toErrorInfo } from '../../../shared/errors';
import { type BBox, cosineSimilarity, type ImageAnalysis, mainFaceIndex } from '../../../shared/face';
import { HADIR_VERSION } from '../../../shared/version';
import { isGpuProvider } from '../../engine/provider-order';
import {
  answerUpload,
  type LegacyAntiSpoofBody,
  legacyAntiSpoofAnswer,
  legacyAntiSpoofFailure,
  readUpload,
} from '../../services/legacy-antispoof';
import { type LegacyKind, type RouteContext, type RouteDef } from '../context';
import {
  legacyAntispoofBodySchema,
  legacyEmbeddingBodySchema,
  legacyHealthBodySchema,
  legacyUploadsRequestSchema,
  legacyVerifyBodySchema,
  legacyVerifyUploadsRequestSchema,
} from '../schemas';
import { readUploads } from '../uploads';
import { analyzeBytes, IMAGE_FIELD, imageMultipart } from './analysis';
import { performance } from 'node:perf_hooks';

/**
 * The routes of the Flask services Hadir replaces, for their existing caller. That caller reads a few
 * fields, treats anything but an explicit failure as success and hangs on any non-2xx status, so here
 * every answer is 200 and every failure says so (`match: false`, `prediction: "fake"`, `face_detected:
 * false`) with an `error` {code, message}. Where the old code failed open this fails closed; the match
 * threshold is the pack's calibrated one, not the old model's 0.50.
 */

type Confidence = 'High' | 'Medium' | 'Low';

export interface LegacyFaceSummary {
  face_detected: boolean;
  bbox: [number, number, number, number] | null;
  face_size: number;
}

export interface LegacyProbeResult extends LegacyFaceSummary {
  filename: string;
  similarity: number | null;
  confidence: Confidence;
  match: boolean;
  error?: ErrorInfo;
}

export interface LegacyVerifyBody {
  reference: LegacyFaceSummary & { embedding_dim: number; image_shape: [number, number] | null; filename?: string };
  probe_results: LegacyProbeResult[];
  overall_result: {
    status: 'match' | 'no_match';
    average_similarity: number;
    all_passed: boolean;
    total_probes: number;
    matched_probes: number;
  };
  performance: { total_processing_time_ms: number; gpu_accelerated: boolean };
  error?: ErrorInfo;
}

export interface LegacyEmbeddingBody extends LegacyFaceSummary {
  embedding: number[] | null;
  embedding_dim: number;
  error?: ErrorInfo;
}

/**
 * How long an old-route request may wait for the engine, from its arrival. Its caller hangs on
 * anything but 200, so a burst queues rather than fails; what cannot be answered in time is refused
 * at once (the engine estimates its wait) and answered as a failure, never left to run out.
 */
export const LEGACY_ENGINE_DEADLINE_MS = 10_000;

/** The engine deadline left to a legacy request that arrived at `startedAt` (performance.now()). */
function legacyDeadline(startedAt: number): { timeoutMs: number } {
  return { timeoutMs: Math.max(1, LEGACY_ENGINE_DEADLINE_MS - (performance.now() - startedAt)) };
}

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
const r2 = (v: number) => Math.round(v * 100) / 100;

function intBox(b: BBox): [number, number, number, number] {
  return [Math.round(b[0]), Math.round(b[1]), Math.round(b[2]), Math.round(b[3])];
}

function summary(a: ImageAnalysis | null): LegacyFaceSummary & { embedding: Float32Array | null } {
  const i = a ? mainFaceIndex(a.faces) : -1;
  if (!a || i < 0) return { face_detected: false, bbox: null, face_size: 0, embedding: null };
  const bbox = intBox(a.faces[i].bbox);
  return {
    face_detected: true,
    bbox,
    face_size: Math.max(bbox[2] - bbox[0], bbox[3] - bbox[1]),
    embedding: a.faces[i].embedding ?? null,
  };
}

/**
 * "High" above the pack's strict (lower false-accept) threshold with both faces at least 100 px,
 * "Medium" above the match threshold with both at least 80 px, else "Low". Both faces, not just the
 * probe: a tiny reference makes any score less trustworthy.
 */
export function legacyConfidence(
  similarity: number,
  faceSize: number,
  match: number | null,
  strict: number | null,
): Confidence {
  if (strict !== null && similarity > strict && faceSize >= 100) return 'High';
  if (match !== null && similarity > match && faceSize >= 80) return 'Medium';
  return 'Low';
}

/** Whether the engine runs on a GPU provider (CUDA, DirectML or WebGPU). */
const gpu = (ctx: RouteContext) => isGpuProvider(ctx.deps.engine.status().provider?.active);

export function legacyFailureBody(kind: LegacyKind, ctx: RouteContext, error: unknown, startedAt: number): unknown {
  const info = toErrorInfo(error);
  switch (kind) {
    case 'verify':
      return {
        reference: { face_detected: false, bbox: null, face_size: 0, embedding_dim: 0, image_shape: null },
        probe_results: [],
        overall_result: {
          status: 'no_match',
          average_similarity: 0,
          all_passed: false,
          total_probes: 0,
          matched_probes: 0,
        },
        performance: { total_processing_time_ms: r2(performance.now() - startedAt), gpu_accelerated: gpu(ctx) },
        error: info,
      } satisfies LegacyVerifyBody;
    case 'embedding':
      return {
        face_detected: false,
        bbox: null,
        face_size: 0,
        embedding: null,
        embedding_dim: 0,
        error: info,
      } satisfies LegacyEmbeddingBody;
    case 'antispoof':
      return legacyAntiSpoofFailure(info, ctx.thresholds.liveness);
    case 'compare':
      return { similarity: 0, threshold: ctx.thresholds.match, match: false, verdict: 'different', error: info };
    case 'health':
      return { ...legacyHealthBody(ctx), error: info };
  }
}

export function legacyHealthBody(ctx: RouteContext) {
  const s = ctx.deps.engine.status();
  const { pack } = ctx.deps;
  return {
    message: 'Hadir face service (compatible with the previous face matching API)',
    version: HADIR_VERSION,
    status: 'running',
    ready: s.ready,
    models: {
      pack: pack.id,
      detector: pack.detector.file,
      recognizer: pack.recognizer.file,
      liveness: s.livenessAvailable ? (pack.liveness ?? []).map((l) => l.file) : [],
      provider: s.provider?.active ?? 'cpu',
    },
  };
}

interface NamedInput {
  filename: string;
  /** The bytes, or why there are none. */
  bytes: Uint8Array | null;
  error: unknown;
}

async function analyzeInput(
  ctx: RouteContext,
  input: NamedInput,
  startedAt: number,
): Promise<{ analysis: ImageAnalysis | null; error: unknown }> {
  if (!input.bytes) return { analysis: null, error: input.error };
  try {
    return { analysis: await analyzeBytes(ctx, input.bytes, { embed: true }, legacyDeadline(startedAt)), error: null };
  } catch (e) {
    return { analysis: null, error: e };
  }
}

/** The whole verification, for uploads and for named files: never throws for bad input. */
export async function legacyVerify(
  ctx: RouteContext,
  reference: NamedInput,
  probes: NamedInput[],
  startedAt: number,
  withReferenceName: boolean,
): Promise<LegacyVerifyBody> {
  const [ref, ...probeResults] = await Promise.all([reference, ...probes].map((i) => analyzeInput(ctx, i, startedAt)));
  const { match: matchThreshold, strict } = ctx.thresholds;
  const failures: ErrorInfo[] = [];
  const fail = (code: ErrorInfo['code'], message: string) => {
    const info = { code, message };
    failures.push(info);
    return info;
  };
  const refFace = summary(ref.analysis);
  if (ref.error) failures.push(withName(reference.filename, 'reference', ref.error));
  else if (!refFace.face_detected) fail('NO_FACE', 'no face found in the reference image');
  if (matchThreshold === null)
    fail('MODEL_INVALID', `model pack ${ctx.deps.pack.id} has no calibrated match threshold`);
  if (probes.length === 0) fail('BAD_REQUEST', 'give probe1 and/or probe2');

  const results: LegacyProbeResult[] = probes.map((p, k) => {
    const r = probeResults[k];
    const face = summary(r.analysis);
    let error: ErrorInfo | undefined;
    if (r.error) {
      error = withName(p.filename, `probe${k + 1}`, r.error);
      failures.push(error);
    } else if (!face.face_detected) {
      error = fail('NO_FACE', `no face found in probe ${p.filename}`);
    }
    const similarity =
      face.embedding && refFace.embedding ? r4(cosineSimilarity(refFace.embedding, face.embedding)) : null;
    const size = Math.min(face.face_size, refFace.face_size);
    return {
      filename: p.filename,
      face_detected: face.face_detected,
      bbox: face.bbox,
      face_size: face.face_size,
      similarity,
      confidence: similarity === null ? 'Low' : legacyConfidence(similarity, size, matchThreshold, strict),
      match: similarity !== null && matchThreshold !== null && similarity >= matchThreshold,
      ...(error ? { error } : {}),
    };
  });
  // Fail closed: one failure anywhere and nothing matches.
  if (failures.length > 0) for (const r of results) r.match = false;
  const sims = results.map((r) => r.similarity).filter((s): s is number => s !== null);
  const matched = results.filter((r) => r.match).length;
  const allPassed = failures.length === 0 && results.length > 0 && matched === results.length;
  const shape = ref.analysis ? ([ref.analysis.height, ref.analysis.width] as [number, number]) : null;
  return {
    reference: {
      face_detected: refFace.face_detected,
      bbox: refFace.bbox,
      face_size: refFace.face_size,
      embedding_dim: refFace.embedding?.length ?? 0,
      image_shape: shape,
      ...(withReferenceName ? { filename: reference.filename } : {}),
    },
    probe_results: results,
    overall_result: {
      status: allPassed ? 'match' : 'no_match',
      average_similarity: sims.length > 0 ? r4(sims.reduce((s, v) => s + v, 0) / sims.length) : 0,
      all_passed: allPassed,
      total_probes: results.length,
      matched_probes: matched,
    },
    performance: { total_processing_time_ms: r2(performance.now() - startedAt), gpu_accelerated: gpu(ctx) },
    ...(failures.length > 0 ? { error: failures[0] } : {}),
  };
}

function withName(filename: string, role: string, e: unknown): ErrorInfo {
  const info = toErrorInfo(e);
  return { code: info.code, message: `${role} (${filename}): ${info.message}` };
}

function uploadsDirOf(ctx: RouteContext): string {
  if (!ctx.config.uploadsDir) {
    throw new HadirError('NOT_FOUND', 'no uploads folder is configured on this server (HADIR_UPLOADS_DIR)');
  }
  return ctx.config.uploadsDir;
}

async function namedInput(ctx: RouteContext, name: unknown, role: string): Promise<NamedInput> {
  const filename = typeof name === 'string' ? name : '';
  if (typeof name !== 'string' || name === '') {
    return { filename, bytes: null, error: new HadirError('BAD_REQUEST', `"${role}" must be a file name`) };
  }
  try {
    return { filename, bytes: await readUpload(uploadsDirOf(ctx), name, ctx.config.uploadLimitBytes), error: null };
  } catch (e) {
    return { filename, bytes: null, error: e };
  }
}

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw new HadirError('BAD_REQUEST', 'send a JSON object');
  }
  return b as Record<string, unknown>;
}

const LEGACY_TAG = ['legacy'];
const OK_ONLY = [] as number[];
const LEGACY_NOTE =
  'Served only when the legacy routes are on. Every answer, failures included, is 200; a failure carries `error`. ' +
  'No key is needed from a loopback client; others need a `read` key.';

export const legacyRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/',
    operationId: 'legacyHealth',
    summary: 'Old service health',
    description: LEGACY_NOTE,
    tags: LEGACY_TAG,
    access: 'legacy',
    legacy: 'health',
    antispoofListener: true,
    schema: { response: { 200: legacyHealthBodySchema } },
    errors: OK_ONLY,
    handler: async (ctx) => legacyHealthBody(ctx),
  },
  {
    method: 'POST',
    url: '/api/v1/verify',
    operationId: 'legacyVerify',
    summary: 'Old: verify probes against a reference (uploads)',
    description: `Multipart \`reference\` and \`probe1\` and/or \`probe2\`. \`match\` is at the pack's calibrated threshold. ${LEGACY_NOTE}`,
    tags: LEGACY_TAG,
    access: 'legacy',
    engineBound: true,
    legacy: 'verify',
    schema: { response: { 200: legacyVerifyBodySchema } },
    multipart: {
      fields: [
        { name: 'reference', required: true, description: 'The reference photo.' },
        { name: 'probe1', required: false, description: 'A photo to verify.' },
        { name: 'probe2', required: false, description: 'Another photo to verify.' },
      ],
    },
    errors: OK_ONLY,
    handler: async (ctx, req) => {
      const fields = ['reference', 'probe1', 'probe2'] as const;
      const files = await readUploads(
        req,
        {
          fields,
          required: ['reference'],
          check: (got) => (got.has('probe1') || got.has('probe2') ? null : 'give probe1 and/or probe2'),
        },
        ctx.config.uploadLimitBytes,
      );
      const input = (field: string): NamedInput => {
        const f = files.get(field)!;
        return { filename: f.filename ?? field, bytes: f.bytes, error: null };
      };
      const probes = (['probe1', 'probe2'] as const).filter((f) => files.has(f)).map(input);
      return legacyVerify(ctx, input('reference'), probes, req.startedAt, false);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/verify-uploads',
    operationId: 'legacyVerifyUploads',
    summary: 'Old: verify probes against a reference (files in the uploads folder)',
    description:
      `JSON \`{"reference", "probe1", "probe2"}\`: plain file names inside the uploads folder (HADIR_UPLOADS_DIR). ` +
      'A name with a path, `..`, an absolute path or a symlink out of the folder is refused; a missing and an ' +
      `unreadable file answer alike. ${LEGACY_NOTE}`,
    tags: LEGACY_TAG,
    access: 'legacy',
    engineBound: true,
    legacy: 'verify',
    schema: {
      body: { content: { 'application/json': { schema: legacyVerifyUploadsRequestSchema } } },
      response: { 200: legacyVerifyBodySchema },
    },
    errors: OK_ONLY,
    handler: async (ctx, req) => {
      const body = jsonBody(req);
      const reference = await namedInput(ctx, body.reference, 'reference');
      const probes = await Promise.all(
        (['probe1', 'probe2'] as const)
          .filter((k) => body[k] !== undefined && body[k] !== null)
          .map((k) => namedInput(ctx, body[k], k)),
      );
      return legacyVerify(ctx, reference, probes, req.startedAt, true);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/extract-embedding',
    operationId: 'legacyExtractEmbedding',
    summary: 'Old: the embedding of the main face',
    description: `Multipart \`image\`. ${LEGACY_NOTE}`,
    tags: LEGACY_TAG,
    access: 'legacy',
    engineBound: true,
    legacy: 'embedding',
    schema: { response: { 200: legacyEmbeddingBodySchema } },
    multipart: imageMultipart('The photo.'),
    errors: OK_ONLY,
    handler: async (ctx, req): Promise<LegacyEmbeddingBody> => {
      const files = await readUploads(req, IMAGE_FIELD, ctx.config.uploadLimitBytes);
      const a = await analyzeBytes(ctx, files.get('image')!.bytes, { embed: true }, legacyDeadline(req.startedAt));
      const s = summary(a);
      if (!s.face_detected || !s.embedding) throw new HadirError('NO_FACE', 'no face found in the image');
      return {
        face_detected: true,
        bbox: s.bbox,
        face_size: s.face_size,
        embedding: Array.from(s.embedding),
        embedding_dim: s.embedding.length,
      };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/inference',
    operationId: 'legacyAntispoofInference',
    summary: 'Old anti-spoofing: judge the main face (upload)',
    description:
      'Multipart `image`; liveness of the main face as the old anti-spoofing service answered it. Every failure ' +
      `(no face, unreadable image, liveness unavailable) is \`prediction: "fake"\`. ${LEGACY_NOTE}`,
    tags: LEGACY_TAG,
    access: 'legacy',
    engineBound: true,
    legacy: 'antispoof',
    antispoofListener: true,
    schema: { response: { 200: legacyAntispoofBodySchema } },
    multipart: imageMultipart('The photo or camera frame.'),
    errors: OK_ONLY,
    handler: async (ctx, req): Promise<LegacyAntiSpoofBody> => {
      const files = await readUploads(req, IMAGE_FIELD, ctx.config.uploadLimitBytes);
      const analysis = await analyzeBytes(
        ctx,
        files.get('image')!.bytes,
        { embed: false, liveness: true },
        legacyDeadline(req.startedAt),
      );
      return legacyAntiSpoofAnswer({ analysis }, { threshold: ctx.thresholds.liveness });
    },
  },
  {
    method: 'POST',
    url: '/api/v1/uploads',
    operationId: 'legacyAntispoofUploads',
    summary: 'Old anti-spoofing: judge the main face (file in the uploads folder)',
    description: `JSON \`{"filename"}\`: a plain file name inside the uploads folder. ${LEGACY_NOTE}`,
    tags: LEGACY_TAG,
    access: 'legacy',
    engineBound: true,
    legacy: 'antispoof',
    antispoofListener: true,
    schema: {
      body: { content: { 'application/json': { schema: legacyUploadsRequestSchema } } },
      response: { 200: legacyAntispoofBodySchema },
    },
    errors: OK_ONLY,
    handler: async (ctx, req): Promise<LegacyAntiSpoofBody> => {
      const name = jsonBody(req).filename;
      if (typeof name !== 'string' || name === '')
        throw new HadirError('BAD_REQUEST', '"filename" must be a file name');
      const policy = { threshold: ctx.thresholds.liveness };
      return answerUpload(
        uploadsDirOf(ctx),
        name,
        (bytes) => analyzeBytes(ctx, bytes, { embed: false, liveness: true }, legacyDeadline(req.startedAt)),
        policy,
        ctx.config.uploadLimitBytes,
      );
    },
  },
];
