/**
 * People, actors and enrollment answers: contracts shared by the CLI, the HTTP API, IPC and the
 * renderer. Field names are snake_case like {@link Identity}, because they cross the same wires.
 */

/** Who made a change. The audit log names one of these behind every write. */
export type ActorType = 'operator' | 'api_key' | 'cli' | 'system' | 'kiosk';

export interface Actor {
  type: ActorType;
  /** Operator username, API key id, OS user for the CLI, kiosk id; null for the system itself. */
  id: string | null;
}

export interface Person {
  id: number;
  /** The organisation's number for the person, e.g. the 18-digit NIP. Unique. */
  employee_number: string;
  /** Full name with titles, as the organisation writes it. */
  full_name: string;
  unit: string | null;
  active: boolean;
  created_at: string;
  updated_at: string;
}

/** A person with the number of face templates they have for the active pack. */
export interface PersonSummary extends Person {
  templates: number;
}

/** Where an enrollment sample came from. */
export type TemplateSource = 'camera' | 'upload' | 'import';

/** Why one enrollment sample was refused: the check that failed, and by how much. */
export type SampleRejectionCode =
  | 'no_face'
  | 'multiple_faces'
  | 'face_index'
  | 'no_embedding'
  | 'inter_ocular'
  | 'blur'
  | 'yaw'
  | 'roll'
  | 'pose_unknown'
  | 'too_dark'
  | 'too_bright'
  | 'clipped'
  | 'liveness_missing'
  | 'spoof'
  /** Enough samples were accepted before this one; it was not needed. */
  | 'surplus';

export interface SampleRejection {
  code: SampleRejectionCode;
  /** The measured value (pixels, degrees, variance, fraction…), when the check measures one. */
  value?: number;
  /** The limit it was held to. */
  limit?: number;
  /** A sentence an operator can act on. */
  message: string;
}

/** The per-sample verdict of an enrollment attempt, in the order the samples were given. */
export interface SampleVerdict {
  index: number;
  /** The caller's name for the sample (a file name), when given. */
  label?: string;
  accepted: boolean;
  rejections: SampleRejection[];
  /** Quality figures of the face that was judged (absent when there was none). */
  quality?: Record<string, number | null>;
}

/** Why a whole enrollment was refused. */
export type EnrollmentRefusalCode =
  | 'too_few_samples'
  | 'too_many_samples'
  | 'inconsistent'
  | 'duplicate'
  | 'employee_number_taken'
  | 'person_not_found'
  | 'consent_missing'
  /**
   * Faces added to someone already enrolled do not match their templates at the 1:1 threshold: a
   * friend's face under their number (buddy punching) unless an operator confirms with a reason.
   */
  | 'not_same_person';

export interface EnrollmentRefusal {
  code: EnrollmentRefusalCode;
  message: string;
  /** For 'duplicate': who the face already identifies as, and how strongly. */
  duplicate?: { person_id: number; employee_number: string; name: string; score: number };
  /** For 'inconsistent': the pair of samples that disagree most, and their similarity. */
  pair?: { a: number; b: number; score: number; floor: number };
  /** For 'not_same_person': the best similarity of the new faces to the person's templates, and the bar. */
  verification?: { score: number; threshold: number };
}

export type EnrollmentResult =
  | { ok: true; person: Person; templates: number; samples: SampleVerdict[] }
  | { ok: false; refusal: EnrollmentRefusal; samples: SampleVerdict[] };
