import type { ImageAnalysis, LivenessResult } from '../../shared/face';
import type { EnrollmentResult, Person, TemplateSource } from '../../shared/people';
import type { AuditRepo } from '../store/audit-repo';
import type { ConsentRepo } from '../store/consent-repo';
import type { Db } from '../store/db';
import type { Gallery } from '../store/gallery';
import type { NewPerson, PeopleRepo } from '../store/people-repo';
import type { TemplatesRepo } from '../store/templates-repo';
import type { RgbImage } from '../vision/image';
import { measureFaceQuality } from '../vision/quality';
import { faceThumbnailJpeg } from '../vision/thumbnail';
import {
  actorName,
  decideEnrollment,
  EmployeeNumberTaken,
  enrollmentAuditDetails,
  type EnrollRequest,
  type PreparedFace,
  type PreparedSample,
} from './enrollment-rules';
import type { Identifier } from './identify';
import { checkPersonFields } from './validation';

// The rules themselves live in enrollment-rules.ts (shared with the hub); what callers import from here.
export {
  DEFAULT_ENROLLMENT_POLICY,
  EmployeeNumberTaken,
  judgeSample,
  type ConsentInput,
  type EnrollmentPolicy,
  type EnrollRequest,
  type PreparedFace,
  type PreparedSample,
} from './enrollment-rules';

export interface PrepareOptions {
  source: TemplateSource;
  label?: string;
  faceIndex?: number;
  liveness?: LivenessResult;
  /** Make a thumbnail of each face (only when the site keeps them). */
  thumbnails?: boolean;
}

/** Measure every face of an analysed picture for enrollment. */
export async function prepareSample(
  img: RgbImage,
  analysis: ImageAnalysis,
  opts: PrepareOptions,
): Promise<PreparedSample> {
  const faces: PreparedFace[] = [];
  for (const f of analysis.faces) {
    const face: PreparedFace = { ...f, quality: measureFaceQuality(img, f) };
    if (opts.thumbnails) face.thumbnail = await faceThumbnailJpeg(img, f.bbox);
    faces.push(face);
  }
  return {
    source: opts.source,
    label: opts.label,
    width: analysis.width,
    height: analysis.height,
    faces,
    faceIndex: opts.faceIndex,
    liveness: opts.liveness,
  };
}

export interface EnrollmentDeps {
  db: Db;
  people: PeopleRepo;
  templates: TemplatesRepo;
  consents: ConsentRepo;
  audit: AuditRepo;
  gallery: Gallery;
  identifier: Identifier;
  packId: string;
  /** The pack's 1:1 (verification) threshold: new faces of an enrolled person must reach it. */
  verifyThreshold?: number | null;
  now?: () => Date;
  /**
   * Called inside every enrollment's transaction, whichever path the request came by (camera session,
   * photo upload, bulk import): a joined kiosk queues the enrollment for its hub here, so the upload
   * row commits or rolls back with the person and templates it names.
   */
  onEnrolled?: (e: EnrolledTemplates) => void;
}

/** What an enrollment wrote, as {@link EnrollmentDeps.onEnrolled} hears it. */
export interface EnrolledTemplates {
  person: Person;
  /** True for a new person; false when templates were added to someone enrolled. */
  created: boolean;
  packId: string;
  templateIds: number[];
  /** The consent recorded with this enrollment, if any. */
  consent: { method: string; givenAt: string } | null;
}

/**
 * Enrollment: judge the samples, check they agree with each other and do not already belong to
 * someone else, then write the person, their consent, their templates and the audit entry in one
 * transaction, and bring the gallery up to date.
 */
export class EnrollmentService {
  private readonly now: () => Date;

  constructor(private readonly deps: EnrollmentDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  enroll(req: EnrollRequest): EnrollmentResult {
    const { deps } = this;
    const person =
      'personId' in req.person
        ? deps.people.get(req.person.personId)
        : deps.people.getByEmployeeNumber(req.person.employeeNumber);
    const decision = decideEnrollment(req, {
      person,
      ownEmbeddings: 'personId' in req.person && person ? this.ownEmbeddings(person.id) : [],
      verifyThreshold: deps.verifyThreshold,
      identify: (embedding, exclude) => deps.identifier.identifyFaces([embedding], { exclude })[0],
    });
    if (!decision.ok) return decision;
    const { existing } = decision;

    const at = this.now();
    let enrolled!: Person;
    const write = deps.db.transaction(() => {
      if (existing) {
        enrolled = existing;
      } else {
        const p = checkPersonFields(req.person as NewPerson);
        // Checked again inside the transaction: another process may have taken the number meanwhile
        // (the UNIQUE constraint would refuse it anyway; this gives the better message).
        if (deps.people.getByEmployeeNumber(p.employeeNumber)) throw new EmployeeNumberTaken(p.employeeNumber);
        enrolled = deps.people.create(p);
      }
      if (req.consent) {
        deps.consents.record({
          personId: enrolled.id,
          givenAt: req.consent.givenAt ?? at.toISOString(),
          recordedBy: actorName(req.actor),
          method: req.consent.method,
          note: req.consent.note,
        });
      }
      const templateIds = decision.templates.map((t) =>
        deps.templates.insert({ personId: enrolled.id, packId: deps.packId, ...t }),
      );
      deps.audit.record({
        actor: req.actor,
        action: decision.action,
        targetType: 'person',
        targetId: enrolled.id,
        at,
        details: enrollmentAuditDetails(decision, {
          employeeNumber: enrolled.employee_number,
          packId: deps.packId,
          templateIds,
        }),
      });
      deps.onEnrolled?.({
        person: enrolled,
        created: !existing,
        packId: deps.packId,
        templateIds,
        consent: req.consent ? { method: req.consent.method, givenAt: req.consent.givenAt ?? at.toISOString() } : null,
      });
      const also = req.alsoInTransaction?.(enrolled);
      // A promise here would run after the commit, outside the transaction it belongs to.
      if (also instanceof Promise) throw new Error('alsoInTransaction must be synchronous on the kiosk');
    });
    try {
      write();
    } catch (e) {
      if (!(e instanceof EmployeeNumberTaken)) throw e;
      return { ok: false, refusal: { code: 'employee_number_taken', message: e.message }, samples: decision.samples };
    }
    deps.gallery.sync();
    return { ok: true, person: enrolled, templates: decision.templates.length, samples: decision.samples };
  }

  /** The person's usable embeddings of this pack (for the 1:1 check), only when there is a bar to reach. */
  private ownEmbeddings(personId: number): Float32Array[] {
    const { deps } = this;
    if (deps.verifyThreshold === undefined || deps.verifyThreshold === null) return [];
    return deps.templates
      .forPerson(personId)
      .filter((t) => t.pack_id === deps.packId && t.usable)
      .map((t) => deps.templates.embedding(t.id))
      .filter((e): e is Float32Array => e !== null);
  }
}
