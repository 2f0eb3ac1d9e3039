import type { AnalyzedFace, LivenessResult } from '../../shared/face';
import { cosineSimilarity } from '../../shared/face';
import type { Identity } from '../../shared/identity';
import type {
  Actor,
  EnrollmentRefusal,
  Person,
  SampleRejection,
  SampleRejectionCode,
  SampleVerdict,
  TemplateSource,
} from '../../shared/people';
import type { NewPerson } from '../store/people-repo';
import {
  checkQuality,
  DEFAULT_QUALITY_LIMITS,
  type FaceQuality,
  type QualityCheck,
  type QualityLimits,
} from '../vision/quality';

/**
 * The rules of enrollment, written once for every store: which samples are good enough, whether they
 * are of one person, whether they match the person they are added to, and whether they already
 * belong to someone else. {@link decideEnrollment} reads nothing and writes nothing; the kiosk's
 * EnrollmentService (SQLite) and the hub's import (PostgreSQL) gather the facts it needs, then write
 * what it accepted in one transaction of their own.
 */

/** One face of a sample, measured while its picture was still at hand. */
export interface PreparedFace extends AnalyzedFace {
  quality: FaceQuality;
  /** JPEG with context, only when the site keeps thumbnails. */
  thumbnail?: Uint8Array;
}

/**
 * One enrollment sample (an uploaded photo or a camera frame) after analysis: every face with its
 * quality figures, so the picture itself need not be kept.
 */
export interface PreparedSample {
  source: TemplateSource;
  /** The caller's name for it (a file name), repeated in its verdict. */
  label?: string;
  width: number;
  height: number;
  faces: PreparedFace[];
  /** The operator's choice when the picture holds several faces. */
  faceIndex?: number;
  /** The caller's liveness judgement of the chosen face; else the face's own, when analysed with liveness. */
  liveness?: LivenessResult;
}

export interface EnrollmentPolicy {
  /** Accepted samples needed (default 3). */
  minSamples: number;
  /** Accepted samples kept at most (default 5); later good samples are left out as surplus. */
  maxSamples: number;
  quality: QualityLimits;
  /**
   * Lowest cosine similarity allowed between any two accepted samples. Two photos of one person
   * score 0.64 on average with the default pack and fall under 0.15 for about 1% of pairs (profile
   * against frontal); two different people score 0.00 ± 0.09. The floor catches a wrong photo in a
   * set (a mix-up 95% of the time) while refusing about 1 set in 30 of one person.
   */
  consistencyFloor: number;
  /** Refuse samples without a liveness judgement (camera enrollment at an unattended kiosk). */
  requireLiveness: boolean;
}

export const DEFAULT_ENROLLMENT_POLICY: EnrollmentPolicy = {
  minSamples: 3,
  maxSamples: 5,
  quality: DEFAULT_QUALITY_LIMITS,
  consistencyFloor: 0.15,
  requireLiveness: false,
};

/** The default policy with a request's overrides (quality limits merged one by one). */
export function resolvePolicy(over?: Partial<EnrollmentPolicy>): EnrollmentPolicy {
  return {
    ...DEFAULT_ENROLLMENT_POLICY,
    ...over,
    quality: { ...DEFAULT_ENROLLMENT_POLICY.quality, ...over?.quality },
  };
}

export interface ConsentInput {
  /** How consent was given: 'signed form', 'on-screen', 'bulk import: organisation records'. */
  method: string;
  /** When (ISO instant); default now. */
  givenAt?: string;
  note?: string;
}

/**
 * @typeParam Tx the store's transaction handle given to {@link alsoInTransaction}: none on the kiosk
 * (its SQLite transaction is synchronous and implicit), a PostgreSQL client on the hub.
 */
export interface EnrollRequest<Tx = void> {
  /** A new person, or templates added to someone already enrolled. */
  person: NewPerson | { personId: number };
  samples: readonly PreparedSample[];
  /** Required for a new person (UU PDP: biometric data needs recorded consent). */
  consent?: ConsentInput;
  actor: Actor;
  /** Enroll even though the face already identifies as someone else (operator confirmed). */
  confirmDuplicate?: boolean;
  /**
   * Add faces to an existing person although they do not match that person's templates: the
   * operator's written reason (audited). Without it such faces are refused as 'not_same_person'.
   */
  confirmNotSameReason?: string;
  policy?: Partial<EnrollmentPolicy>;
  /**
   * Writes that must commit or roll back with this enrollment (a bulk import's progress row). On the
   * kiosk it runs inside a synchronous SQLite transaction and must not be async.
   */
  alsoInTransaction?: (person: Person, tx: Tx) => void | Promise<void>;
}

const QUALITY_CODE: Record<QualityCheck, SampleRejectionCode> = {
  inter_ocular: 'inter_ocular',
  blur: 'blur',
  yaw: 'yaw',
  roll: 'roll',
  pose_unknown: 'pose_unknown',
  too_dark: 'too_dark',
  too_bright: 'too_bright',
  clipped: 'clipped',
};

/** How an actor is written in consent records. */
export const actorName = (a: Actor) => (a.id ? `${a.type}:${a.id}` : a.type);

const qualityFigures = (q: FaceQuality): Record<string, number | null> => ({
  inter_ocular: round(q.interOcular, 1),
  blur: round(q.blur, 1),
  yaw: q.yaw === null ? null : round(q.yaw, 1),
  roll: q.roll === null ? null : round(q.roll, 1),
  brightness: round(q.brightness, 1),
  dark_clipped: round(q.darkClipped, 4),
  bright_clipped: round(q.brightClipped, 4),
  det_score: round(q.detScore, 4),
});

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Judge one sample: exactly one face (or the one the operator chose), with an embedding, within the
 * quality limits, and not judged a spoof. Returns the verdict and the face when accepted.
 */
export function judgeSample(
  sample: PreparedSample,
  index: number,
  policy: EnrollmentPolicy,
): { verdict: SampleVerdict; face: PreparedFace | null } {
  const verdict: SampleVerdict = { index, label: sample.label, accepted: false, rejections: [] };
  const reject = (r: SampleRejection) => {
    verdict.rejections.push(r);
    return { verdict, face: null };
  };
  if (sample.faces.length === 0) return reject({ code: 'no_face', message: 'no face found in the picture' });
  let face: PreparedFace;
  if (sample.faceIndex !== undefined) {
    const chosen = sample.faces[sample.faceIndex];
    if (!chosen) {
      return reject({
        code: 'face_index',
        value: sample.faceIndex,
        limit: sample.faces.length - 1,
        message: `face ${sample.faceIndex} was chosen but the picture has ${sample.faces.length}`,
      });
    }
    face = chosen;
  } else if (sample.faces.length > 1) {
    return reject({
      code: 'multiple_faces',
      value: sample.faces.length,
      limit: 1,
      message: `${sample.faces.length} faces in the picture: only the person being enrolled may be in it (or choose one)`,
    });
  } else {
    face = sample.faces[0];
  }
  verdict.quality = qualityFigures(face.quality);
  if (!face.embedding)
    return reject({ code: 'no_embedding', message: 'the face could not be embedded (landmarks missing)' });
  for (const f of checkQuality(face.quality, policy.quality)) {
    verdict.rejections.push({ code: QUALITY_CODE[f.check], value: f.value, limit: f.limit, message: f.message });
  }
  const liveness = sample.liveness ?? face.liveness;
  if (liveness && liveness.decision !== 'real') {
    verdict.rejections.push({
      code: 'spoof',
      value: round(liveness.p_real, 4),
      message: `judged a photo or screen rather than a live face (p_real ${liveness.p_real.toFixed(3)})`,
    });
  } else if (!liveness && policy.requireLiveness) {
    verdict.rejections.push({
      code: 'liveness_missing',
      message: 'liveness is required but was not checked for this sample',
    });
  }
  if (verdict.rejections.length > 0) return { verdict, face: null };
  verdict.accepted = true;
  return { verdict, face };
}

/** What a store looked up for {@link decideEnrollment}. */
export interface EnrollmentFacts {
  /**
   * For `{ personId }`: that person (null: there is none). For a new person: whoever already holds
   * the employee number (null: it is free).
   */
  person: Person | null;
  /** The existing person's usable embeddings of the pack (none for a new person), for the 1:1 check. */
  ownEmbeddings: readonly Float32Array[];
  /** The pack's 1:1 (verification) threshold: new faces of an enrolled person must reach it; null: no check. */
  verifyThreshold?: number | null;
  /** Who one face is among everyone enrolled (the kiosk's gallery, or the organisation's), leaving out `exclude`. */
  identify(embedding: Float32Array, exclude: readonly number[]): Identity;
}

/** A sample accepted as a template, ready to be stored. */
export interface AcceptedTemplate {
  embedding: Float32Array;
  /** The sample's quality figures, its liveness score and label (stored with the template). */
  quality: Record<string, unknown>;
  source: TemplateSource;
  thumbnail: Uint8Array | null;
}

export type EnrollmentDecision =
  | { ok: false; refusal: EnrollmentRefusal; samples: SampleVerdict[] }
  | {
      ok: true;
      /** The person the templates are added to; null: a new person (`req.person` is a NewPerson). */
      existing: Person | null;
      templates: AcceptedTemplate[];
      samples: SampleVerdict[];
      action: 'person.enroll' | 'person.templates.add';
      /** What the audit entry says besides who, which pack and which template rows (see {@link enrollmentAuditDetails}). */
      audit: Record<string, unknown>;
    };

/**
 * Decide an enrollment: judge the samples, check they agree with each other, that faces added to
 * someone enrolled are theirs, and that they do not already belong to someone else. Refusals carry
 * the codes and messages every caller shows; an acceptance lists the templates to store.
 */
export function decideEnrollment<Tx>(req: EnrollRequest<Tx>, facts: EnrollmentFacts): EnrollmentDecision {
  const policy = resolvePolicy(req.policy);
  const samples: SampleVerdict[] = [];
  const accepted: { face: PreparedFace; sample: PreparedSample; verdict: SampleVerdict }[] = [];
  req.samples.forEach((sample, i) => {
    const { verdict, face } = judgeSample(sample, i, policy);
    if (face && accepted.length >= policy.maxSamples) {
      verdict.accepted = false;
      verdict.rejections.push({
        code: 'surplus',
        value: accepted.length,
        limit: policy.maxSamples,
        message: `${policy.maxSamples} good samples were already taken`,
      });
    } else if (face) {
      accepted.push({ face, sample, verdict });
    }
    samples.push(verdict);
  });
  const refuse = (refusal: EnrollmentRefusal): EnrollmentDecision => ({ ok: false, refusal, samples });

  // Who: an existing person, or a new one whose number is free.
  let existing: Person | null = null;
  if ('personId' in req.person) {
    existing = facts.person;
    if (!existing) return refuse({ code: 'person_not_found', message: `no person with id ${req.person.personId}` });
  } else {
    const taken = facts.person;
    if (taken) {
      return refuse({
        code: 'employee_number_taken',
        message: `employee number ${req.person.employeeNumber} already belongs to ${taken.full_name} (id ${taken.id}); add templates to that person instead`,
      });
    }
    if (!req.consent?.method) {
      return refuse({
        code: 'consent_missing',
        message: 'record how the person gave consent before enrolling their face',
      });
    }
  }

  if (accepted.length < policy.minSamples) {
    const reasons = [...new Set(samples.flatMap((s) => s.rejections.map((r) => r.code)))].join(', ');
    return refuse({
      code: 'too_few_samples',
      message: `${accepted.length} of ${req.samples.length} samples are usable, ${policy.minSamples} needed${reasons ? ` (rejected: ${reasons})` : ''}`,
    });
  }

  // The samples must be of one person: the least similar pair decides.
  let worst: { a: number; b: number; score: number } | null = null;
  for (let i = 0; i < accepted.length; i++) {
    for (let j = i + 1; j < accepted.length; j++) {
      const score = cosineSimilarity(accepted[i].face.embedding!, accepted[j].face.embedding!);
      if (!worst || score < worst.score) worst = { a: accepted[i].verdict.index, b: accepted[j].verdict.index, score };
    }
  }
  if (worst && worst.score < policy.consistencyFloor) {
    return refuse({
      code: 'inconsistent',
      message: `samples ${worst.a} and ${worst.b} do not look like the same person (similarity ${worst.score.toFixed(3)}, needs ${policy.consistencyFloor})`,
      pair: { a: worst.a, b: worst.b, score: round(worst.score, 4), floor: policy.consistencyFloor },
    });
  }

  // Faces added to someone enrolled must be theirs: a friend's face under their number would check
  // them in whenever the friend walks past (buddy punching). The best new face against the person's
  // own templates decides, at the 1:1 threshold; an operator may override with a written reason.
  let verification: { score: number; threshold: number } | undefined;
  const bar = facts.verifyThreshold;
  if (existing && bar !== undefined && bar !== null && facts.ownEmbeddings.length > 0) {
    let best = -Infinity;
    for (const a of accepted) {
      for (const e of facts.ownEmbeddings) best = Math.max(best, cosineSimilarity(a.face.embedding!, e));
    }
    verification = { score: round(best, 4), threshold: bar };
    const reason = req.confirmNotSameReason?.trim() ?? '';
    if (best < bar && reason.length < 5) {
      return refuse({
        code: 'not_same_person',
        message: `these faces do not match ${existing.full_name}'s enrolled faces (similarity ${best.toFixed(3)}, needs ${bar.toFixed(3)}); an operator may add them with a written reason`,
        verification,
      });
    }
    if (best >= bar) verification = undefined;
  }

  // Does this face already identify as someone else? Each sample on its own: they are all the same
  // face, not faces of one frame.
  const exclude = existing ? [existing.id] : [];
  let duplicate: EnrollmentRefusal['duplicate'] | undefined;
  for (const a of accepted) {
    const id = facts.identify(a.face.embedding!, exclude);
    if (id.decision === 'match' && id.person_id !== null && (!duplicate || id.score > duplicate.score)) {
      duplicate = {
        person_id: id.person_id,
        employee_number: id.employee_number!,
        name: id.name!,
        score: round(id.score, 4),
      };
    }
  }
  if (duplicate && !req.confirmDuplicate) {
    return refuse({
      code: 'duplicate',
      message: `this face already identifies as ${duplicate.name} (${duplicate.employee_number}, similarity ${duplicate.score.toFixed(3)}); confirm to enroll anyway`,
      duplicate,
    });
  }

  return {
    ok: true,
    existing,
    samples,
    action: existing ? 'person.templates.add' : 'person.enroll',
    templates: accepted.map((a) => {
      const liveness = a.sample.liveness ?? a.face.liveness;
      return {
        embedding: a.face.embedding!,
        quality: {
          ...a.verdict.quality,
          ...(liveness ? { p_real: round(liveness.p_real, 4) } : {}),
          ...(a.sample.label ? { label: a.sample.label } : {}),
        },
        source: a.sample.source,
        thumbnail: a.face.thumbnail ?? null,
      };
    }),
    audit: {
      sources: [...new Set(accepted.map((a) => a.sample.source))],
      rejected_samples: samples.filter((s) => !s.accepted).length,
      ...(req.consent ? { consent_method: req.consent.method } : {}),
      ...(duplicate ? { confirmed_duplicate_of: duplicate } : {}),
      ...(verification
        ? { confirmed_not_matching: { ...verification, reason: req.confirmNotSameReason!.trim() } }
        : {}),
    },
  };
}

/** The audit entry's details of an accepted enrollment, the same on every store. */
export function enrollmentAuditDetails(
  decision: Extract<EnrollmentDecision, { ok: true }>,
  written: { employeeNumber: string; packId: string; templateIds: readonly (number | string)[] },
): Record<string, unknown> {
  return {
    employee_number: written.employeeNumber,
    pack: written.packId,
    templates: written.templateIds,
    ...decision.audit,
  };
}

/** Thrown inside the transaction when the employee number was taken by a concurrent writer. */
export class EmployeeNumberTaken extends Error {
  constructor(readonly employeeNumber: string) {
    super(`employee number ${employeeNumber} is already enrolled`);
  }
}
