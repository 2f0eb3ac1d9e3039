/**
 * The bodies of Hadir's HTTP API (/api/v1), as clients see them. The JSON schemas in
 * src/main/api/schemas.ts describe the same shapes for validation, serialisation and the OpenAPI
 * document (docs/openapi.json); a test checks every answer against them.
 */
import type { AttendanceRecord } from './attendance';
import type { ErrorInfo } from './errors';
import type { BBox, Landmarks5, LivenessResult } from './face';
import type { HubStatus } from './hub-status';
import type { Identity } from './identity';

export interface ErrorBody {
  error: ErrorInfo;
  /** The request's id in the server's log (a server-side failure's message names only this). */
  request_id?: string;
}

/** Milliseconds per stage, rounded to 0.01. `total` is the whole request as the server saw it. */
export interface TimingsMs {
  decode: number;
  detect: number;
  align: number;
  embed: number;
  liveness: number;
  total: number;
}

export interface HealthBody {
  /** `warming`: the engine is ready but the gallery is still loading (a hub at start). */
  status: 'ok' | 'warming' | 'unavailable';
  version: string;
  ready: boolean;
  model_pack: {
    id: string;
    name: string;
    embedding_size: number;
    match_threshold: number | null;
    strict_threshold: number | null;
  };
  provider: { requested: string; active: string; fallback_reason: string | null } | null;
  device: string;
  /**
   * Cross-request batching of the recognizer (HADIR_BATCH_FACES): the setting and whether it is on
   * (`auto`: on a GPU provider); null from an engine that does not say.
   */
  batch_faces: { setting: string; on: boolean } | null;
  workers: { total: number; live: number; busy: number };
  queue_depth: number;
  max_queue: number;
  gallery_size: number;
  /** While the gallery loads: templates loaded of those expected, and for how long; null once ready. */
  gallery_warming: { loaded_templates: number; expected_templates: number; elapsed_ms: number } | null;
  liveness_available: boolean;
  liveness_threshold: number;
  warnings: string[];
  /** HTTPS on this listener, and the certificate's SHA-256 fingerprint ("AB:CD:…") for pinning. */
  tls: { enabled: boolean; fingerprint_sha256: string | null };
  /** The kiosk's hub link (`hadir join`); null for a standalone kiosk. */
  hub: HubStatus | null;
  /** The identification threshold in force and where it comes from; null without a store. */
  identification: IdentificationPolicyInfo | null;
}

/** What `hadir calibrate --show` prints, for monitoring: the threshold follows the people searched. */
export interface IdentificationPolicyInfo {
  threshold: number;
  source: 'manual' | 'settings' | 'gallery' | 'pack';
  margin: number;
  /** People searched (G). */
  gallery_people: number;
  target_fpir: number | null;
  /** Expected false non-identification rate at the threshold (one genuine comparison), when known. */
  expected_fnir: number | null;
}

export interface DetectFace {
  bbox: BBox;
  score: number;
  /** Left eye, right eye, nose, left mouth corner, right mouth corner. */
  landmarks: Landmarks5;
}

export interface DetectBody {
  width: number;
  height: number;
  faces: DetectFace[];
  timings_ms: TimingsMs;
}

/** Why recognition faces carry no `identity` (null) or do. */
export type IdentificationState = 'done' | 'key_required' | 'empty_gallery' | 'unavailable';

export interface RecognitionFace extends DetectFace {
  embedding: number[];
  /** Null when liveness was not requested or the pack has no liveness models. */
  liveness: LivenessResult | null;
  /** Null unless `identification` is `done`. */
  identity: Identity | null;
}

export interface RecognitionBody {
  width: number;
  height: number;
  faces: RecognitionFace[];
  liveness_available: boolean;
  identification: IdentificationState;
  timings_ms: TimingsMs;
}

export interface LivenessFace {
  bbox: BBox;
  p_real: number;
  decision: LivenessResult['decision'];
}

export interface LivenessBody {
  width: number;
  height: number;
  faces: LivenessFace[];
  threshold: number;
  timings_ms: TimingsMs;
}

export type CompareVerdict = 'same' | 'different' | 'uncalibrated';

export interface ImageQuality {
  field: string;
  width: number;
  height: number;
  face_found: boolean;
  face_count: number;
  /** The main face (largest box), or null without one. */
  face: {
    bbox: BBox;
    score: number;
    /** Distance between the eye centres, pixels. */
    inter_ocular: number;
    box_width: number;
    box_height: number;
    /**
     * Focus measure of the aligned 112×112 crop (variance of its Laplacian, as enrollment measures it):
     * higher is sharper; enrollment asks for at least 60.
     */
    blur: number;
    /** Mean grey level of the aligned crop, 0–255. */
    brightness: number;
    /** Degrees, from the 5 landmarks (rough); null when they are degenerate. */
    pose: { yaw: number; roll: number } | null;
  } | null;
}

export interface CompareImagesBody {
  similarity: number;
  threshold: number | null;
  match: boolean;
  verdict: CompareVerdict;
  images: [ImageQuality, ImageQuality];
  timings_ms: TimingsMs;
}

export interface CompareEmbeddingsBody {
  similarity: number;
  threshold: number | null;
  match: boolean;
  verdict: CompareVerdict;
  /** Only with legacy routes on: the failure, answered with 200 for the old caller. */
  error?: ErrorInfo;
}

// ─── People and attendance (POST /identify, POST /attendance/check) ───────────────────────────────
// The other store-backed routes answer the contract's types (src/shared/contract.ts) unchanged.

export interface IdentifyFace extends DetectFace {
  liveness: LivenessResult | null;
  /** Who the face is; only `decision: 'match'` names a person. */
  identity: Identity;
}

export interface IdentifyBody {
  width: number;
  height: number;
  faces: IdentifyFace[];
  liveness_available: boolean;
  timings_ms: TimingsMs;
}

/**
 * What a remote check-in attempt came to. Only `checked_in` and `checked_out` recorded anything.
 * The attendance rules' answers (`already_checked_in`, `cooldown`, `closed`, `holiday`, `on_leave`) and
 * the policy's refusals: `spoof` (a frame judged not live, or the head-turn challenge failed),
 * `liveness_unavailable`, `unknown` (a face matched nobody), `disagree` (frames of different people),
 * `no_face`, `too_few_frames` (fewer agreeing frames than the policy needs), `inactive`.
 */
export type AttendanceCheckOutcome =
  | 'checked_in'
  | 'checked_out'
  | 'already_checked_in'
  | 'cooldown'
  | 'closed'
  | 'holiday'
  | 'on_leave'
  | 'unknown'
  | 'spoof'
  | 'liveness_unavailable'
  | 'disagree'
  | 'no_face'
  | 'too_few_frames'
  | 'inactive';

export interface AttendanceCheckFrame {
  index: number;
  /** Faces found in the frame; the largest is the one judged. */
  faces: number;
  identity: Identity | null;
  /** Liveness at the site's threshold; null when not judged. */
  liveness: LivenessResult | null;
  /** What the policy made of the frame: pending, confirmed, spoof, unknown, disagree, no_face, … */
  verdict: string;
}

export interface AttendanceCheckBody {
  outcome: AttendanceCheckOutcome;
  recorded: boolean;
  message: string;
  person: { id: number; employee_number: string; full_name: string } | null;
  /** The day's record when one was written (or, for `already_checked_in`, the existing one). */
  record: AttendanceRecord | null;
  late?: boolean;
  retry_after_s?: number;
  holiday?: string;
  frames: AttendanceCheckFrame[];
  required_frames: number;
  timings_ms: TimingsMs;
}

// ─── Door tablets (POST /kiosk/pairing-codes, /kiosk/pair; GET /kiosk/schedule) ─────────────────────

export interface PairingCodeBody {
  /** The one-time code (10 letters and digits), valid until `expires_at`, usable once. */
  code: string;
  /** The name the tablet's key will get. */
  name: string;
  expires_at: string;
  /** The page to open on the tablet: it trades the code for its key by itself. */
  url: string;
}

export interface KioskPairedBody {
  /** The `kiosk`-scoped API key: shown this once; the page keeps it in its local storage. */
  key: string;
  key_id: number;
  name: string;
}

/** What a door tablet may know of its site: today's schedule and how it greets people. */
export interface KioskScheduleBody {
  time_zone: string;
  /** Today, YYYY-MM-DD in the site's time zone. */
  date: string;
  holiday: string | null;
  workday: boolean;
  /** Attendance at any hour, nobody late (then `today` is null). */
  all_day: boolean;
  /** Today's windows, local "HH:MM"; null when closed or all day. */
  today: { check_in: [string, string]; on_time_until: string; check_out: [string, string] } | null;
  cooldown_seconds: number;
  language: 'id' | 'en';
  /** The confirmation card and notice times and the chime. */
  greeting: { card_seconds: number; notice_seconds: number; sound: boolean };
}
