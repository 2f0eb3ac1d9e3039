import type { HealthBody, IdentificationPolicyInfo } from '../../../shared/http-api';
import type { HubStatus } from '../../../shared/hub-status';
import { readHubStatus } from '../../services/hub-status';
import { HADIR_VERSION } from '../../../shared/version';
import type { RouteContext, RouteDef } from '../context';
import { errorBodySchema, healthBodySchema } from '../schemas';

export function healthBody(ctx: RouteContext): HealthBody {
  const s = ctx.deps.engine.status();
  const { pack } = ctx.deps;
  let gallerySize = 0;
  let warming: HealthBody['gallery_warming'] = null;
  try {
    warming = ctx.deps.identity?.warming?.() ?? null;
    gallerySize = warming ? warming.loaded_templates : (ctx.deps.identity?.gallerySize() ?? 0);
  } catch {
    // A database that cannot be read must not take health down with it; identification will say so.
  }
  return {
    status: !s.ready ? 'unavailable' : warming ? 'warming' : 'ok',
    version: HADIR_VERSION,
    ready: s.ready,
    model_pack: {
      id: pack.id,
      name: pack.name,
      embedding_size: pack.recognizer.embeddingSize,
      match_threshold: ctx.thresholds.match,
      strict_threshold: ctx.thresholds.strict,
    },
    provider: s.provider
      ? { requested: s.provider.requested, active: s.provider.active, fallback_reason: s.provider.fallbackReason }
      : null,
    device: s.device,
    batch_faces: s.batchFaces ? { setting: s.batchFaces.setting, on: s.batchFaces.on } : null,
    workers: { total: s.workers, live: s.liveWorkers, busy: s.busyWorkers },
    queue_depth: s.queueDepth,
    max_queue: s.maxQueue,
    gallery_size: gallerySize,
    gallery_warming: warming,
    liveness_available: s.livenessAvailable,
    liveness_threshold: ctx.thresholds.liveness,
    warnings: s.warnings,
    tls: { enabled: ctx.tls.enabled, fingerprint_sha256: ctx.tls.fingerprint },
    hub: hubOf(ctx),
    identification: identificationOf(ctx),
  };
}

function identificationOf(ctx: RouteContext): IdentificationPolicyInfo | null {
  const faces = ctx.deps.services?.faces;
  if (!faces) {
    try {
      return ctx.deps.identity?.identificationInfo?.() ?? null;
    } catch {
      return null;
    }
  }
  try {
    const p = faces.policy();
    return {
      threshold: p.threshold,
      source: p.thresholdSource,
      margin: p.margin,
      gallery_people: p.gallery?.gallerySize ?? faces.galleryStats().people,
      target_fpir: p.gallery?.targetFpir ?? null,
      expected_fnir: p.gallery?.expectedFnir ?? null,
    };
  } catch {
    return null;
  }
}

function hubOf(ctx: RouteContext): HubStatus | null {
  const db = ctx.deps.services?.db;
  if (!db) return null;
  try {
    return readHubStatus(db);
  } catch {
    // As with the gallery: health answers even when the store cannot be read.
    return null;
  }
}

export const healthRoutes: RouteDef[] = [
  {
    method: ['GET', 'POST'],
    url: '/api/v1/health',
    operationId: 'health',
    summary: 'Service health',
    description:
      'Version, model pack, execution provider (and why it fell back to the CPU), readiness, queue depth, gallery ' +
      'size and whether liveness is available. Needs no key. `curl -X POST http://localhost:5010/api/v1/health`',
    tags: ['service'],
    access: 'public',
    antispoofListener: true,
    schema: { response: { 200: healthBodySchema, 421: errorBodySchema } },
    errors: [421],
    handler: async (ctx) => healthBody(ctx),
  },
];
