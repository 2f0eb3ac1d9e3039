import { randomBytes } from 'node:crypto';
import type {
  EnrollmentCommitRequest,
  EnrollmentSampleFeedback,
  EnrollmentSession,
  SampleCheck,
} from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Actor, EnrollmentResult, SampleRejection, SampleRejectionCode } from '../../shared/people';
import { decodeImage } from '../vision/decode';
import type { FaceQuality } from '../vision/quality';
import { type Clock, systemClock } from './clock';
import { DEFAULT_ENROLLMENT_POLICY, type EnrollmentPolicy, judgeSample, type PreparedSample } from './enrollment';
import type { FaceService } from './face-service';

/**
 * Enrollment from a camera, one sample at a time, for the operator's Enrollment screen: a session
 * collects samples, each judged as it arrives (exactly one face, the quality checks with their
 * measured values and limits, a liveness judgement — a spoof is refused), lets the operator drop one
 * and take it again, and on commit hands the kept samples to the enrollment service with the consent.
 * Only the measurements of a sample are kept (faces, embeddings, quality figures, and a thumbnail
 * where the site keeps them), never the frame itself. Sessions live in memory and are forgotten after
 * `ttlMs` without use, on commit or on cancel; each belongs to the operator who started it.
 */

export interface EnrollmentSessionOptions {
  face: FaceService;
  /** Read at each sample and commit: the site's "liveness required" setting. */
  requireLiveness?: () => boolean;
  /** Whether the engine can judge liveness at all (when it cannot and liveness is required, samples are refused). */
  livenessAvailable?: () => boolean;
  /** The liveness threshold in force, shown as the liveness check's limit. */
  livenessThreshold?: () => number | null;
  policy?: Partial<Pick<EnrollmentPolicy, 'minSamples' | 'maxSamples' | 'quality' | 'consistencyFloor'>>;
  /** Idle lifetime of a session (default 15 minutes). */
  ttlMs?: number;
  /** Open sessions at most (default 32); the least recently used goes first. */
  maxSessions?: number;
  clock?: Pick<Clock, 'now' | 'monotonicMs'>;
}

interface Sample {
  index: number;
  prepared: PreparedSample;
}

interface OpenSession {
  id: string;
  owner: string;
  personId: number | null;
  samples: Sample[];
  nextIndex: number;
  lastUsedMono: number;
  busy: boolean;
}

export class EnrollmentSessions {
  private readonly sessions = new Map<string, OpenSession>();
  private readonly face: FaceService;
  private readonly policy: EnrollmentPolicy;
  private readonly ttlMs: number;
  private readonly maxSessions: number;
  private readonly clock: Pick<Clock, 'now' | 'monotonicMs'>;

  constructor(private readonly opts: EnrollmentSessionOptions) {
    this.face = opts.face;
    this.policy = {
      ...DEFAULT_ENROLLMENT_POLICY,
      ...opts.policy,
      quality: { ...DEFAULT_ENROLLMENT_POLICY.quality, ...opts.policy?.quality },
    };
    this.ttlMs = opts.ttlMs ?? 15 * 60_000;
    this.maxSessions = opts.maxSessions ?? 32;
    this.clock = opts.clock ?? systemClock;
  }

  /** Open sessions (for status and tests). */
  get size(): number {
    this.sweep();
    return this.sessions.size;
  }

  start(req: { personId?: number }, owner: Actor): EnrollmentSession {
    this.sweep();
    if (req.personId !== undefined && !this.face.getPerson(req.personId)) {
      throw new HadirError('NOT_FOUND', `no person with id ${req.personId}`);
    }
    while (this.sessions.size >= this.maxSessions) {
      this.sessions.delete(this.sessions.keys().next().value as string);
    }
    const s: OpenSession = {
      id: randomBytes(18).toString('base64url'),
      owner: ownerOf(owner),
      personId: req.personId ?? null,
      samples: [],
      nextIndex: 0,
      lastUsedMono: this.clock.monotonicMs(),
      busy: false,
    };
    this.sessions.set(s.id, s);
    return this.describe(s);
  }

  /** Judge one camera frame as a sample; an accepted one is kept under the returned index. */
  async addSample(
    req: { sessionId: string; jpeg: Uint8Array | ArrayBuffer; width: number; height: number },
    owner: Actor,
  ): Promise<EnrollmentSampleFeedback> {
    const s = this.get(req.sessionId, owner);
    if (s.busy) throw new HadirError('BUSY', 'the previous sample of this session is still being judged');
    if (s.samples.length >= this.policy.maxSamples) {
      throw new HadirError(
        'BAD_REQUEST',
        `this session already has ${this.policy.maxSamples} samples: remove one to take it again`,
      );
    }
    s.busy = true;
    try {
      const bytes = req.jpeg instanceof Uint8Array ? req.jpeg : new Uint8Array(req.jpeg);
      const img = await decodeImage(bytes);
      if (img.width !== req.width || img.height !== req.height) {
        throw new HadirError(
          'BAD_REQUEST',
          `the picture is ${img.width}×${img.height} pixels, not the stated ${req.width}×${req.height}`,
        );
      }
      const requireLiveness = this.opts.requireLiveness?.() ?? true;
      const canJudge = this.opts.livenessAvailable?.() ?? true;
      const prepared = await this.face.prepareSample(img, { source: 'camera', checkLiveness: canJudge });
      const { verdict, face } = judgeSample(prepared, s.nextIndex, { ...this.policy, requireLiveness });
      let index: number | null = null;
      if (face) {
        // Only the chosen face is kept: the frame had exactly one.
        index = s.nextIndex++;
        s.samples.push({ index, prepared: { ...prepared, faces: [face] } });
      }
      s.lastUsedMono = this.clock.monotonicMs();
      const judged = prepared.faces.length === 1 ? prepared.faces[0] : null;
      return {
        accepted: face !== null,
        index,
        checks: this.checks(prepared, verdict.rejections, requireLiveness),
        face: judged ? { bbox: judged.bbox, landmarks: judged.landmarks } : null,
        frameWidth: img.width,
        frameHeight: img.height,
        samples: s.samples.length,
        ready: s.samples.length >= this.policy.minSamples,
      };
    } finally {
      s.busy = false;
    }
  }

  removeSample(req: { sessionId: string; index: number }, owner: Actor): { samples: number; ready: boolean } {
    const s = this.get(req.sessionId, owner);
    const at = s.samples.findIndex((x) => x.index === req.index);
    if (at < 0) throw new HadirError('NOT_FOUND', `this session has no sample ${req.index}`);
    s.samples.splice(at, 1);
    return { samples: s.samples.length, ready: s.samples.length >= this.policy.minSamples };
  }

  /**
   * Enroll the session's samples. A refusal (too few, inconsistent, a duplicate to confirm) keeps the
   * session so the operator can retake; sample numbers in it are the session's indexes.
   */
  commit(req: Omit<EnrollmentCommitRequest, 'sessionId'> & { sessionId: string }, actor: Actor): EnrollmentResult {
    const s = this.get(req.sessionId, actor);
    if (s.busy) throw new HadirError('BUSY', 'a sample of this session is still being judged');
    const target = 'personId' in req.person ? req.person.personId : null;
    if (s.personId !== null && target !== s.personId) {
      throw new HadirError('BAD_REQUEST', `this session enrolls person ${s.personId}, not another`);
    }
    const person =
      'personId' in req.person
        ? { personId: req.person.personId }
        : {
            employeeNumber: req.person.create.employee_number,
            fullName: req.person.create.full_name,
            unit: req.person.create.unit,
          };
    const result = this.face.enroll({
      person,
      samples: s.samples.map((x) => x.prepared),
      consent: { method: req.consent.method, ...(req.consent.note ? { note: req.consent.note } : {}) },
      actor,
      confirmDuplicate: req.confirmDuplicate === true,
      policy: { ...this.policy, requireLiveness: this.opts.requireLiveness?.() ?? true },
    });
    // Verdicts and pairs name samples by their position in the list given: translate to session indexes.
    const indexOf = (i: number) => s.samples[i]?.index ?? i;
    const samples = result.samples.map((v) => ({ ...v, index: indexOf(v.index) }));
    if (result.ok) {
      this.sessions.delete(s.id);
      return { ...result, samples };
    }
    s.lastUsedMono = this.clock.monotonicMs();
    const refusal = result.refusal.pair
      ? {
          ...result.refusal,
          pair: { ...result.refusal.pair, a: indexOf(result.refusal.pair.a), b: indexOf(result.refusal.pair.b) },
        }
      : result.refusal;
    return { ok: false, refusal, samples };
  }

  cancel(req: { sessionId: string }, owner: Actor): null {
    const s = this.get(req.sessionId, owner);
    this.sessions.delete(s.id);
    return null;
  }

  private get(sessionId: string, owner: Actor): OpenSession {
    this.sweep();
    const s = this.sessions.get(sessionId);
    // Someone else's session is as absent as an expired one: its id tells the caller nothing.
    if (!s || s.owner !== ownerOf(owner)) {
      throw new HadirError('NOT_FOUND', 'no such enrollment session (it may have expired): start again');
    }
    s.lastUsedMono = this.clock.monotonicMs();
    // Most recently used last, so eviction takes the stalest.
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, s);
    return s;
  }

  private describe(s: OpenSession): EnrollmentSession {
    return {
      sessionId: s.id,
      minSamples: this.policy.minSamples,
      maxSamples: this.policy.maxSamples,
      expiresAt: new Date(this.clock.now().getTime() + this.ttlMs).toISOString(),
    };
  }

  private sweep(): void {
    const now = this.clock.monotonicMs();
    for (const [id, s] of this.sessions) {
      if (!s.busy && now - s.lastUsedMono > this.ttlMs) this.sessions.delete(id);
    }
  }

  /** Each check of a sample with what was measured and the limit, in the order the screen shows them. */
  private checks(
    sample: PreparedSample,
    rejections: readonly SampleRejection[],
    requireLiveness: boolean,
  ): SampleCheck[] {
    const failed = (...codes: SampleRejectionCode[]) => rejections.find((r) => codes.includes(r.code));
    const check = (
      name: SampleCheck['check'],
      value: number | null,
      limit: number | null,
      rejection: SampleRejection | undefined,
    ): SampleCheck => ({
      check: name,
      ok: rejection === undefined,
      value: value === null ? null : round(value),
      limit,
      ...(rejection ? { code: rejection.code } : {}),
    });
    const single = failed('no_face', 'multiple_faces', 'no_embedding');
    const out = [check('single_face', sample.faces.length, 1, single)];
    // Without exactly one face there is nothing else to measure.
    if (sample.faces.length !== 1) return out;
    const q: FaceQuality = sample.faces[0].quality;
    const limits = this.policy.quality;
    const pose = failed('pose_unknown');
    out.push(check('inter_ocular', q.interOcular, limits.minInterOcular, failed('inter_ocular')));
    out.push(check('blur', q.blur, limits.minBlur, failed('blur')));
    out.push(check('yaw', q.yaw, limits.maxYaw, failed('yaw') ?? pose));
    out.push(check('roll', q.roll, limits.maxRoll, failed('roll') ?? pose));
    const exposure = failed('too_dark', 'too_bright', 'clipped');
    if (exposure?.code === 'clipped') {
      out.push(check('exposure', q.darkClipped + q.brightClipped, limits.maxClipped, exposure));
    } else {
      const limit = exposure?.code === 'too_bright' ? limits.maxBrightness : limits.minBrightness;
      out.push(check('exposure', q.brightness, limit, exposure));
    }
    const liveness = sample.liveness ?? sample.faces[0].liveness;
    const livenessLimit = this.opts.livenessThreshold?.() ?? null;
    const refused = failed('spoof', 'liveness_missing');
    if (liveness || refused || requireLiveness) {
      out.push(check('liveness', liveness ? liveness.p_real : null, livenessLimit, refused));
    }
    return out;
  }
}

function ownerOf(a: Actor): string {
  return `${a.type}:${a.id ?? ''}`;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
