import type { AttendanceOutcome } from '../../shared/attendance';
import type { FrameResult, Guidance, KioskEvent, KioskFace } from '../../shared/contract';
import { HadirError, isHadirError } from '../../shared/errors';
import { type AnalyzedFace, boxArea, interOcular, mainFaceIndex } from '../../shared/face';
import type { Identity } from '../../shared/identity';
import type { Actor } from '../../shared/people';
import type { AuditRecord } from '../store/audit-repo';
import { decodeImage } from '../vision/decode';
import type { RgbImage } from '../vision/image';
import type { FaceAnalyzer } from './analyzer';
import type { RecognitionInput } from './attendance-service';
import {
  CheckinConfirmation,
  type CheckinOutcome,
  type CheckinPolicySettings,
  DEFAULT_CHECKIN_POLICY,
} from './checkin-policy';
import { type Clock, systemClock } from './clock';
import { FaceFusion, ReplayGuard } from './frame-fusion';

/**
 * The kiosk's server side: every camera frame a kiosk streams comes here, and this is the only place a
 * streamed frame can turn into attendance. The page only shows what it is told; it never decides.
 *
 * Per frame: decode (the stated size must be the real one), analyse with liveness, take the main face
 * (the largest box), identify every face (one person per face), and feed the main face to the kiosk's
 * {@link CheckinConfirmation}: a check-in needs the same person on `requiredFrames` consecutive frames,
 * each judged real when liveness is required (the default; without liveness models it refuses). Only
 * then is {@link RecognitionInput} handed to the attendance service, whose answer becomes the frame's
 * event. A face that matches nobody for as many frames gets `unknown`; a presentation attack as many
 * frames running gets `spoof` and an audit entry with its scores (never an image). Refusals are not
 * repeated while the same face stays in front of the camera (see {@link KioskPolicyLimits.repeatRefusalMs}).
 */

/**
 * Where the policy reads its settings (the site's settings service): once per frame, so a change made
 * in Settings applies to the next frame.
 */
export type KioskSettingsSource = () => CheckinPolicySettings;

export interface KioskPolicyLimits {
  /** Inter-ocular distance (frame pixels) below which the face is too far to count: guidance `too_far`. */
  minInterOcular: number;
  /** Mean grey level (0–255) of the face box below which the person is asked for more light (`too_dark`). */
  minBrightness: number;
  /** Another face at least this fraction of the main face's box area makes `too_many` (who is checking in?). */
  largeFaceRatio: number;
  /** Frames further apart than this do not count as consecutive: the streak starts again. */
  maxFrameGapMs: number;
  /** The same refusal (unknown, spoof, …) is not repeated for a face still in front of the camera within this time. */
  repeatRefusalMs: number;
  /** A kiosk that sent no frame for this long is forgotten. */
  trackTtlMs: number;
  /** Kiosks tracked at once; beyond it the least recently seen is forgotten (the ids come from pages). */
  maxTracks: number;
}

export const DEFAULT_KIOSK_LIMITS: KioskPolicyLimits = {
  // The recogniser's accuracy falls off below ~30 px between the eyes (a face ~1.5 m from a 640-px
  // webcam); enrollment asks for 40 px, the kiosk is a little more lenient because it sees many frames.
  minInterOcular: 28,
  // The darkest test photos that still identify reliably have faces around 50 (see quality.ts).
  minBrightness: 45,
  largeFaceRatio: 0.4,
  maxFrameGapMs: 2000,
  repeatRefusalMs: 5000,
  trackTtlMs: 60_000,
  maxTracks: 256,
};

/** What the kiosk needs from the face service: who each face of one frame is. */
export interface KioskIdentifier {
  identifyFaces(probes: readonly (Float32Array | null | undefined)[]): Identity[];
}

/** What the kiosk needs from the attendance service. */
export interface KioskAttendance {
  recordRecognition(input: RecognitionInput): AttendanceOutcome;
}

export interface KioskServiceDeps {
  analyzer: FaceAnalyzer;
  identifier: KioskIdentifier;
  attendance: KioskAttendance;
  /** The audit log (refused presentation attacks are written there). */
  audit: { record(r: AuditRecord): unknown };
  settings?: KioskSettingsSource;
  limits?: Partial<KioskPolicyLimits>;
  /** The liveness threshold in force, for the audit entry of a refused attack. */
  livenessThreshold?: () => number | null;
  clock?: Pick<Clock, 'monotonicMs'>;
  /** Told about check-ins that failed unexpectedly (defaults to console.error). */
  onError?: (error: unknown) => void;
}

export interface KioskFrame {
  kioskId: string;
  jpeg: Uint8Array | ArrayBuffer;
  /** The size the page says it sent; checked against the decoded picture. */
  width: number;
  height: number;
}

type RefusalKind = 'unknown' | 'spoof' | 'liveness_unavailable';

interface Streak {
  kind: 'unknown' | 'spoof';
  frames: number;
  /** For spoof: the lowest and highest p_real seen, and the person the photo resembles (if anyone). */
  minPReal: number;
  maxPReal: number;
  personId: number | null;
  similarity: number | null;
}

/** One kiosk's state between frames. */
interface Track {
  confirmation: CheckinConfirmation;
  /** The settings the confirmation was built with: rebuilt when they change. */
  policyKey: string;
  lastFrameMs: number;
  /** Similarities of the frames counted toward the current check-in streak. */
  similarities: number[];
  refusalStreak: Streak | null;
  /** The last refusal event sent, so a face still standing there is not told again every frame. */
  lastRefusal: { kind: RefusalKind; atMs: number } | null;
  /** The main face's embeddings over consecutive frames, averaged before identifying (frame-fusion.ts). */
  fusion: FaceFusion;
  /** Frames with the pixels of a recent one count toward nothing (frame-fusion.ts). */
  replay: ReplayGuard;
  busy: boolean;
}

export interface KioskServiceStatus {
  /** Kiosks seen within the track lifetime. */
  kiosks: number;
}

export class KioskService {
  private readonly tracks = new Map<string, Track>();
  private readonly limits: KioskPolicyLimits;
  private readonly clock: Pick<Clock, 'monotonicMs'>;
  private readonly settings: KioskSettingsSource;
  private readonly onError: (error: unknown) => void;

  constructor(private readonly deps: KioskServiceDeps) {
    this.limits = { ...DEFAULT_KIOSK_LIMITS, ...deps.limits };
    this.clock = deps.clock ?? systemClock;
    this.settings = deps.settings ?? (() => DEFAULT_CHECKIN_POLICY);
    this.onError = deps.onError ?? ((e) => console.error('[kiosk] check-in failed:', e));
  }

  status(): KioskServiceStatus {
    this.sweep(this.clock.monotonicMs());
    return { kiosks: this.tracks.size };
  }

  /** Forget a kiosk's state (its face left, the screen changed mode). */
  reset(kioskId: string): void {
    this.tracks.delete(kioskId);
  }

  /**
   * Analyse one frame of a kiosk and apply the check-in policy. One frame per kiosk at a time: a
   * second one while the first is analysed is refused with BUSY (the page never has two in flight, and
   * a client that does gains nothing by it).
   */
  async submitFrame(frame: KioskFrame): Promise<FrameResult> {
    const { kioskId } = frame;
    if (typeof kioskId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(kioskId)) {
      throw new HadirError('BAD_REQUEST', 'kioskId: letters, digits, . _ - (1 to 64)');
    }
    const settings = this.settings();
    const track = this.trackFor(kioskId, settings);
    if (track.busy) throw new HadirError('BUSY', 'this kiosk already has a frame being analysed');
    track.busy = true;
    try {
      const bytes = frame.jpeg instanceof Uint8Array ? frame.jpeg : new Uint8Array(frame.jpeg);
      const img = await decodeImage(bytes);
      if (img.width !== frame.width || img.height !== frame.height) {
        throw new HadirError(
          'BAD_REQUEST',
          `the frame is ${img.width}×${img.height} pixels, not the stated ${frame.width}×${frame.height}`,
        );
      }
      const replayed = track.replay.seen(img.data);
      const analysis = await this.deps.analyzer.analyzeImage(img, {
        liveness: settings.requireLiveness,
        kioskFrame: true,
      });
      const now = this.clock.monotonicMs();
      const result = this.decide(
        kioskId,
        track,
        settings,
        img,
        analysis.faces,
        analysis.livenessAvailable,
        now,
        replayed,
      );
      track.lastFrameMs = now;
      return result;
    } finally {
      track.busy = false;
    }
  }

  private decide(
    kioskId: string,
    track: Track,
    settings: CheckinPolicySettings,
    img: RgbImage,
    analyzed: readonly AnalyzedFace[],
    livenessAvailable: boolean | undefined,
    now: number,
    replayed: boolean,
  ): FrameResult {
    const limits = this.limits;
    const reply = (faces: KioskFace[], guidance: Guidance | null, extra: Partial<FrameResult> = {}): FrameResult => ({
      frameWidth: img.width,
      frameHeight: img.height,
      faces,
      guidance,
      progress: null,
      event: null,
      ...extra,
    });

    // Not consecutive any more: a pause in the stream starts every count again.
    if (now - track.lastFrameMs > limits.maxFrameGapMs) this.clearStreaks(track);

    if (analyzed.length === 0) {
      this.clearStreaks(track);
      track.lastRefusal = null; // the face left: the next one is told afresh
      return reply([], 'no_face');
    }

    const main = mainFaceIndex(analyzed);
    const face = analyzed[main];
    const probes = analyzed.map((f) => f.embedding ?? null);
    // The main face is identified by its embedding averaged over the window of frames it was seen in.
    if (!replayed && face.embedding) probes[main] = track.fusion.add(face.embedding, face.bbox);
    const ids = this.deps.identifier.identifyFaces(probes);
    const identity = ids[main];
    const faces = analyzed.map((f, i) => kioskFace(f, ids[i]));

    // Guidance that stops the count: too small to trust, or not clear whose check-in it is.
    const mainArea = boxArea(face.bbox);
    const large = analyzed.filter((f) => boxArea(f.bbox) >= mainArea * limits.largeFaceRatio).length;
    if (large > 1) {
      this.clearStreaks(track);
      return reply(faces, 'too_many');
    }
    if (interOcular(face.landmarks) < limits.minInterOcular) {
      this.clearStreaks(track);
      return reply(faces, 'too_far');
    }
    // Guidance that does not: a dim face still counts when it is recognised and judged real.
    const guidance: Guidance | null = meanBoxBrightness(img, face.bbox) < limits.minBrightness ? 'too_dark' : null;
    // The same pixels again prove nothing new: shown, never counted (nor counted against anyone).
    if (replayed) return reply(faces, guidance);

    const matched = identity.decision === 'match' && identity.person_id !== null;
    // Liveness not required: it did not run, and the policy is told so (null).
    const liveness = settings.requireLiveness && livenessAvailable !== false ? (face.liveness ?? null) : null;
    const outcome = track.confirmation.observe({
      identity: matched ? String(identity.person_id) : null,
      liveness,
      landmarks: face.landmarks,
      at: now,
    });

    switch (outcome.kind) {
      case 'pending':
        track.refusalStreak = null;
        track.similarities.push(identity.score);
        return reply(faces, guidance, { progress: { frames: outcome.frames, required: outcome.requiredFrames } });
      case 'challenge':
        track.refusalStreak = null;
        track.similarities.push(identity.score);
        return reply(faces, outcome.direction === 'left' ? 'turn_left' : 'turn_right', {
          progress: { frames: settings.requiredFrames, required: settings.requiredFrames },
        });
      case 'confirmed': {
        track.refusalStreak = null;
        track.similarities.push(identity.score);
        // The weakest of the agreeing frames is the evidence recorded.
        const similarity = Math.min(...track.similarities);
        track.similarities = [];
        const event = this.checkIn(kioskId, Number(outcome.identity), similarity, outcome.minPReal);
        return reply(faces, guidance, {
          progress: { frames: settings.requiredFrames, required: settings.requiredFrames },
          event,
        });
      }
      case 'challenge_failed':
        // A real person who turned too late or the wrong way tries again; no event, nothing recorded.
        this.clearStreaks(track);
        return reply(faces, guidance);
      case 'liveness_unavailable':
        track.similarities = [];
        track.refusalStreak = null;
        return reply(faces, guidance, { event: this.refusal(track, 'liveness_unavailable', now) });
      case 'spoof':
      case 'unknown':
        track.similarities = [];
        return reply(faces, guidance, { event: this.countRefusal(kioskId, track, settings, outcome, identity, now) });
    }
  }

  /** Count a refused frame; the refusal is told (and a spoof audited) after as many frames as a check-in needs. */
  private countRefusal(
    kioskId: string,
    track: Track,
    settings: CheckinPolicySettings,
    outcome: Extract<CheckinOutcome, { kind: 'spoof' | 'unknown' }>,
    identity: Identity,
    now: number,
  ): KioskEvent | null {
    const pReal = outcome.kind === 'spoof' ? outcome.pReal : 1;
    let s = track.refusalStreak;
    if (!s || s.kind !== outcome.kind) {
      s = { kind: outcome.kind, frames: 0, minPReal: pReal, maxPReal: pReal, personId: null, similarity: null };
      track.refusalStreak = s;
    }
    s.frames++;
    s.minPReal = Math.min(s.minPReal, pReal);
    s.maxPReal = Math.max(s.maxPReal, pReal);
    if (identity.decision === 'match' && identity.person_id !== null && identity.score > (s.similarity ?? -1)) {
      s.personId = identity.person_id;
      s.similarity = identity.score;
    }
    if (s.frames < settings.requiredFrames) return null;
    track.refusalStreak = null;
    const event = this.refusal(track, outcome.kind, now);
    if (event && s.kind === 'spoof') this.auditSpoof(kioskId, s);
    return event;
  }

  private refusal(track: Track, kind: RefusalKind, now: number): KioskEvent | null {
    const last = track.lastRefusal;
    if (last && last.kind === kind && now - last.atMs < this.limits.repeatRefusalMs) return null;
    track.lastRefusal = { kind, atMs: now };
    return { kind };
  }

  private auditSpoof(kioskId: string, s: Streak): void {
    const actor: Actor = { type: 'kiosk', id: kioskId };
    const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
    this.deps.audit.record({
      actor,
      action: 'kiosk.spoof',
      targetType: 'kiosk',
      targetId: kioskId,
      // Scores only: no picture, no embedding. The person the photo resembles helps an investigation.
      details: {
        frames: s.frames,
        min_p_real: r4(s.minPReal),
        max_p_real: r4(s.maxPReal),
        threshold: this.deps.livenessThreshold?.() ?? null,
        resembles_person_id: s.personId,
        similarity: s.similarity === null ? null : r4(s.similarity),
      },
    });
  }

  private checkIn(kioskId: string, personId: number, similarity: number, pReal: number | null): KioskEvent | null {
    let outcome: AttendanceOutcome;
    try {
      outcome = this.deps.attendance.recordRecognition({ person: personId, similarity, liveness: pReal, kioskId });
    } catch (e) {
      // The person was deactivated or deleted between identification and now: nobody to greet.
      if (isHadirError(e) && (e.code === 'NOT_FOUND' || e.code === 'BAD_REQUEST')) return { kind: 'unknown' };
      this.onError(e);
      throw e;
    }
    return eventOf(outcome);
  }

  private trackFor(kioskId: string, settings: CheckinPolicySettings): Track {
    const now = this.clock.monotonicMs();
    this.sweep(now);
    const policyKey = JSON.stringify(settings);
    let track = this.tracks.get(kioskId);
    if (track && track.policyKey !== policyKey) {
      // The policy changed in Settings: a streak counted under the old one must not finish under the new.
      track.confirmation = newConfirmation(settings);
      track.policyKey = policyKey;
      this.clearStreaks(track);
    }
    if (!track) {
      while (this.tracks.size >= this.limits.maxTracks) {
        const oldest = this.tracks.keys().next().value as string;
        this.tracks.delete(oldest);
      }
      track = {
        confirmation: newConfirmation(settings),
        policyKey,
        lastFrameMs: now,
        similarities: [],
        refusalStreak: null,
        lastRefusal: null,
        fusion: new FaceFusion(),
        replay: new ReplayGuard(),
        busy: false,
      };
    }
    // Re-inserted so the map's order is least recently seen first.
    this.tracks.delete(kioskId);
    this.tracks.set(kioskId, track);
    return track;
  }

  private sweep(now: number): void {
    for (const [id, t] of this.tracks) {
      if (!t.busy && now - t.lastFrameMs > this.limits.trackTtlMs) this.tracks.delete(id);
    }
  }

  private clearStreaks(track: Track): void {
    track.confirmation.reset();
    track.fusion.reset();
    track.similarities = [];
    track.refusalStreak = null;
  }
}

function newConfirmation(settings: CheckinPolicySettings): CheckinConfirmation {
  return new CheckinConfirmation({
    ...settings,
    // Frames arrive unmirrored (the contract's `mirrored: false`).
    challenge: settings.challenge ? { ...settings.challenge, mirrored: false } : null,
  });
}

/** A face as the page may see it: the name only for a match that was not judged a spoof. */
function kioskFace(f: AnalyzedFace, id: Identity): KioskFace {
  const out: KioskFace = {
    bbox: f.bbox.map(round1) as KioskFace['bbox'],
    landmarks: f.landmarks.map(([x, y]) => [round1(x), round1(y)]) as KioskFace['landmarks'],
    score: Math.round(f.score * 1e4) / 1e4,
    decision: id.decision,
  };
  if (f.liveness) out.liveness = f.liveness.decision;
  if (id.decision === 'match' && id.name && f.liveness?.decision !== 'spoof') out.name = id.name;
  return out;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The events that greet a person: only these may carry a name to a caller who proved nothing. */
const GREETING_EVENTS: ReadonlySet<KioskEvent['kind']> = new Set(['checked_in', 'checked_out', 'already_checked_in']);

/**
 * A frame's answer for a caller without a credential (a browser on this machine): what the kiosk
 * screen needs and nothing that identifies anyone. Boxes, landmarks, liveness, guidance and progress
 * stay; the per-face match decision and name go (an anonymous caller could otherwise hold photos up
 * and learn who they resemble, spoof or not); an event keeps a name only when it greets an accepted
 * check-in or check-out.
 */
export function anonymousFrameResult(r: FrameResult): FrameResult {
  const faces = r.faces.map(({ bbox, landmarks, score, liveness }) => ({
    bbox,
    landmarks,
    score,
    ...(liveness ? { liveness } : {}),
  }));
  let event = r.event ?? null;
  if (event && !GREETING_EVENTS.has(event.kind) && event.name !== undefined) {
    const { name: _dropped, ...rest } = event;
    event = rest;
  }
  return { ...r, faces, event };
}

/** The attendance service's answer as the kiosk's event. */
export function eventOf(o: AttendanceOutcome): KioskEvent {
  switch (o.kind) {
    case 'checked_in':
      return { kind: 'checked_in', name: o.record.full_name, time: o.record.check_in_at ?? undefined, late: o.late };
    case 'checked_out':
      return { kind: 'checked_out', name: o.record.full_name, time: o.record.check_out_at ?? undefined, late: o.late };
    case 'already_checked_in':
      return {
        kind: 'already_checked_in',
        name: o.record.full_name,
        time: o.record.check_in_at ?? undefined,
        late: o.late,
        ...(o.next ? { nextAction: o.next } : {}),
      };
    case 'cooldown':
      // The day's times and the next action, so the kiosk speaks in times rather than a countdown.
      return {
        kind: 'cooldown',
        retryAfterSeconds: o.retry_after_s,
        ...(o.record?.check_in_at ? { checkInAt: o.record.check_in_at } : {}),
        ...(o.record?.check_out_at ? { checkOutAt: o.record.check_out_at } : {}),
        ...(o.next ? { nextAction: o.next } : {}),
      };
    case 'closed':
      return { kind: 'closed' };
    case 'holiday':
      return { kind: 'holiday', holiday: o.holiday };
    case 'on_leave':
      return { kind: 'on_leave' };
  }
}

/** Mean grey level of a face box (sampled on a grid of at most ~32×32 points; clipped to the picture). */
export function meanBoxBrightness(img: RgbImage, bbox: readonly number[]): number {
  const x0 = Math.max(0, Math.floor(bbox[0]));
  const y0 = Math.max(0, Math.floor(bbox[1]));
  const x1 = Math.min(img.width, Math.ceil(bbox[2]));
  const y1 = Math.min(img.height, Math.ceil(bbox[3]));
  if (x1 <= x0 || y1 <= y0) return 0;
  const stepX = Math.max(1, Math.floor((x1 - x0) / 32));
  const stepY = Math.max(1, Math.floor((y1 - y0) / 32));
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y += stepY) {
    for (let x = x0; x < x1; x += stepX) {
      const i = (y * img.width + x) * 3;
      sum += 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
      n++;
    }
  }
  return sum / n;
}
