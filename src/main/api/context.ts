import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { ImageAnalysis, StageTimings } from '../../shared/face';
import type { IdentificationPolicyInfo, TimingsMs } from '../../shared/http-api';
import type { Identity } from '../../shared/identity';
import type { ModelPack } from '../engine/manifest';
import type { EngineStatus, RequestOptions } from '../engine/pool';
import type { AnalyzeParams } from '../engine/protocol';
import type { AppServices } from '../services/app-services';
import type { KioskFront } from '../services/kiosk-front';
import type { HubConnection } from '../sync/hub-connection';
import type { AccessLevel } from './access';
import type { Access, ApiPrincipal, KeyVerifier } from './auth';
import type { SetupToken } from './setup-token';
import type { ServerConfig } from './config';
import type { TlsStatus } from './tls';
import type { Metrics } from './metrics';

/** What the API needs from the inference engine; the worker pool (InferencePool) is one. */
export interface AnalysisEngine {
  analyzeEncoded(bytes: Uint8Array, params?: AnalyzeParams, opts?: RequestOptions): Promise<ImageAnalysis>;
  analyzeRgb(
    rgb: Uint8Array,
    width: number,
    height: number,
    params?: AnalyzeParams,
    opts?: RequestOptions,
  ): Promise<ImageAnalysis>;
  status(): EngineStatus;
  /** The p_real threshold liveness requests are judged by now (InferencePool; it follows the setting). */
  readonly livenessThreshold?: number;
}

/**
 * 1:N identification, injected so the server runs without a database (tests, a bare engine). The
 * store's Gallery + Identifier implement it.
 */
export interface IdentityService {
  /**
   * Enrolled templates, caught up with the database. 0: nobody to name, identification is skipped.
   * Throws WARMING while a gallery is still loading (the hub at start).
   */
  gallerySize(): number;
  /** Who each face of one image is (a person is given to at most one face); null embeddings are unknown. */
  identifyFaces(probes: readonly (Float32Array | null | undefined)[]): Identity[];
  /** While the gallery is still loading: how far it got (health says `warming`); null/absent: ready. */
  warming?(): GalleryWarming | null;
  /**
   * The gallery of the people allowed at one site, searched at the threshold for its size (the hub);
   * NOT_FOUND for an unknown site. Absent: this server has one gallery (a kiosk), and `site` is refused.
   */
  forSite?(site: string): Promise<IdentityService>;
  /** The threshold in force, for health, where no store's services answer it (the hub). */
  identificationInfo?(): IdentificationPolicyInfo | null;
}

/** A gallery's load in progress. */
export interface GalleryWarming {
  loaded_templates: number;
  /** Templates the store held when the load began. */
  expected_templates: number;
  elapsed_ms: number;
}

export interface ServerDeps {
  engine: AnalysisEngine;
  /** The model pack the engine runs. */
  pack: ModelPack;
  /** The liveness threshold in force when a site setting overrides the pack's. */
  livenessThreshold?: number;
  /** API keys; null/absent: no key is valid, so only keyless routes answer. */
  keys?: KeyVerifier | null;
  identity?: IdentityService | null;
  /**
   * The store's services (people, attendance, operators, keys, sessions, settings); null/absent: the
   * people, attendance, auth and settings routes answer 503 (a bare engine, as in the analysis tests).
   */
  services?: HadirServices | null;
  /**
   * The kiosk's side (kiosk-front.ts): streamed frames, camera enrollment sessions, the page's status.
   * Null/absent: the kiosk status says the database is missing and the frame/enrollment routes answer 503.
   */
  kiosk?: KioskFront | null;
  /**
   * Extra routes mounted before the server starts: the kiosk's web renderer goes under `/app/` here
   * (GET / stays the old service's health answer).
   */
  mount?: (app: FastifyInstance) => void | Promise<void>;
  /**
   * The one-time first-run token (`hadir serve` issues one while no admin exists); null/absent: setup
   * over HTTP is refused except to an `admin` key (the app's window and the CLI need no token).
   */
  setupToken?: SetupToken | null;
  /**
   * The main listener's routes (the old services' routes are added by the legacy setting, `/metrics`
   * always); absent: the kiosk's whole table. The hub serves the face routes from here.
   */
  routes?: readonly RouteDef[];
  /** Counters, gauges and histograms for `GET /metrics`; absent: a registry of the server's own. */
  metrics?: Metrics;
  /**
   * The kiosk's hub sync, which the hub routes join and report on; null/absent: those routes answer 503
   * (a server without a store).
   */
  hub?: HubConnection | null;
}

/** The services behind the store-backed routes: the same objects the kiosk (IPC) and the CLI call. */
export type HadirServices = Omit<AppServices, 'kiosk'>;

export interface Thresholds {
  match: number | null;
  strict: number | null;
  liveness: number;
}

export interface RouteContext {
  deps: ServerDeps;
  config: ServerConfig;
  thresholds: Thresholds;
  /** Whether the server is bound to loopback only (analysis routes then answer without a key). */
  loopbackBind: boolean;
  /** Whether this listener speaks HTTPS, and its certificate's fingerprint (health reports it for pinning). */
  tls: TlsStatus;
}

/** The old services' answer kinds: on their routes every failure is a 200 body of this kind. */
export type LegacyKind = 'health' | 'verify' | 'embedding' | 'antispoof' | 'compare';

export interface MultipartDoc {
  fields: { name: string; required: boolean; description: string }[];
}

/**
 * One route, described once: fastify registers it from this, hooks read its access rule from it, and
 * the OpenAPI document is generated from the same objects.
 */
export interface RouteDef {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Who may call it: the analysis/legacy rules of auth.ts, or an access level of access.ts. */
  access: Access | AccessLevel;
  /** An old-service route: the setting turns it on, and its failures are 200 bodies of this kind. */
  legacy?: LegacyKind;
  /** A `public` route that is rate-limited per client anyway (sign-in). */
  rateLimited?: boolean;
  /** Runs the engine: refused with BUSY before its body is read when the engine is saturated. */
  engineBound?: boolean | ((req: FastifyRequest) => boolean);
  /** Also served on the second (anti-spoofing) listener. */
  antispoofListener?: boolean;
  /**
   * A route of Hadir's own API that answers the old caller too (compare with JSON embeddings): with the
   * legacy setting on, requests it matches get legacy (200) failures.
   */
  legacyWhen?: (req: FastifyRequest) => LegacyKind | null;
  schema: FastifySchema & { response: Record<number, unknown> };
  /** Multipart file fields, for the document (fastify does not validate multipart bodies). */
  multipart?: MultipartDoc;
  /**
   * A raw body of this media type (e.g. `image/jpeg`: a camera frame), taken only by routes that say so
   * and documented as binary.
   */
  rawBody?: { mime: string; description: string };
  /** Documented error statuses (each answers the error body). */
  errors: number[];
  /** The 200 body as documented, when it differs from the serialisation schema (alternatives). */
  docResponse?: Record<string, unknown>;
  /** The 200 answer's media types as documented, when not only JSON (file downloads). */
  docContent?: Record<string, unknown>;
  /** Not in the OpenAPI document (the document's own routes). */
  hidden?: boolean;
  handler: (ctx: RouteContext, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    def?: RouteDef;
  }
  interface FastifyRequest {
    /** The API key's owner, when the request carried a valid key. */
    principal: ApiPrincipal | null;
    /** performance.now() when the request arrived. */
    startedAt: number;
  }
}

const r2 = (v: number | undefined) => Math.round((v ?? 0) * 100) / 100;

/** Stage timings as answered, summed over the analyses of one request. */
export function timingsMs(
  analyses: readonly { timings: StageTimings }[],
  startedAt: number,
  extraDecodeMs = 0,
): TimingsMs {
  const sum = (k: keyof StageTimings) => analyses.reduce((s, a) => s + (a.timings[k] ?? 0), 0);
  return {
    decode: r2(sum('decode') + extraDecodeMs),
    detect: r2(sum('detect')),
    align: r2(sum('align')),
    embed: r2(sum('embed')),
    liveness: r2(sum('liveness')),
    total: r2(performance.now() - startedAt),
  };
}

export function thresholdsOf(
  pack: ModelPack,
  engine: Pick<AnalysisEngine, 'livenessThreshold'>,
  livenessOverride: number | undefined,
  packLiveness: number,
): Thresholds {
  return {
    match: pack.thresholds?.match ?? null,
    strict: pack.thresholds?.strict ?? null,
    // Read at each use: an operator's change of the setting applies to the next request.
    get liveness() {
      return engine.livenessThreshold ?? livenessOverride ?? packLiveness;
    },
  };
}
