import { HadirError } from '../../shared/errors';
import type { AnalyzedFace, ImageAnalysis, LivenessResult } from '../../shared/face';
import type { Identity } from '../../shared/identity';
import type { Actor, EnrollmentResult, Person, PersonSummary, TemplateSource } from '../../shared/people';
import { getPack, loadManifest, type ModelPack } from '../engine/manifest';
import { AuditRepo } from '../store/audit-repo';
import { ConsentRepo, type Consent } from '../store/consent-repo';
import type { Db } from '../store/db';
import { Gallery, type GalleryStats } from '../store/gallery';
import { HubUploadsRepo } from '../store/hub-uploads-repo';
import { ImportRepo } from '../store/import-repo';
import { PeopleRepo, type NewPerson, type PeopleQuery, type PersonPatch } from '../store/people-repo';
import { removePreRestoreCopies } from '../store/private-files';
import { SettingsRepo } from '../store/settings-repo';
import { TemplatesRepo, type TemplateInfo } from '../store/templates-repo';
import { decodeImage } from '../vision/decode';
import type { RgbImage } from '../vision/image';
import type { AnalyzeRequest, FaceAnalyzer } from './analyzer';
import { EnrollmentService, prepareSample, type EnrollRequest, type PreparedSample } from './enrollment';
import { enrollmentUpload } from './hub-uploads';
import { IdentifyScope, scopedSearch } from './identify-scope';
import { Identifier } from './identify';
import { activePackId, switchPack, type Reembedder, type SwitchPackResult } from './packs';
import { matchPolicy, type MatchPolicy } from './thresholds';
import { checkPersonFields, checkPersonPatch } from './validation';

/** Setting: keep a small face thumbnail with each template (off by default: less biometric data kept). */
export const KEEP_THUMBNAILS_KEY = 'keepThumbnails';

export interface RecognizedFace extends Omit<AnalyzedFace, 'embedding'> {
  identity: Identity;
}

export interface Recognition {
  width: number;
  height: number;
  faces: RecognizedFace[];
  analysis: ImageAnalysis;
}

export interface FaceServiceOptions {
  db: Db;
  analyzer: FaceAnalyzer;
  now?: () => Date;
}

/** How an enrollment sample was taken, and whether its liveness is to be judged. */
export interface SampleOptions {
  source: TemplateSource;
  label?: string;
  faceIndex?: number;
  liveness?: LivenessResult;
  checkLiveness?: boolean;
}

/**
 * The one face service the kiosk (IPC), the HTTP API and the CLI call: analysis through the engine,
 * identification against the in-memory gallery, enrollment, and people with their templates. Every
 * change takes an `actor` and is audited in the same transaction.
 */
export class FaceService {
  readonly people: PeopleRepo;
  readonly templates: TemplatesRepo;
  readonly settings: SettingsRepo;
  readonly audit: AuditRepo;
  readonly consents: ConsentRepo;
  private analyzer: FaceAnalyzer;
  private gallery: Gallery;
  /** Check-in and identification: the people this kiosk may name (a unit limit, identify-scope.ts). */
  private identifier: Identifier;
  /** Everyone enrolled here: enrollment's duplicate check is never narrowed by the unit limit. */
  private everyone: Identifier;
  private readonly scope: IdentifyScope;
  private enrollment: EnrollmentService;
  private readonly now: () => Date;

  private constructor(
    readonly db: Db,
    analyzer: FaceAnalyzer,
    now: () => Date,
  ) {
    this.now = now;
    this.people = new PeopleRepo(db, now);
    this.templates = new TemplatesRepo(db, now);
    this.settings = new SettingsRepo(db, now);
    this.audit = new AuditRepo(db, now);
    this.consents = new ConsentRepo(db);
    this.analyzer = analyzer;
    // The change log only needs to reach back as far as the slowest other reader; keep it bounded.
    this.templates.pruneChanges();
    this.gallery = Gallery.load(db, this.templates, analyzer.pack.id, analyzer.pack.recognizer.embeddingSize);
    this.scope = new IdentifyScope(db, this.settings);
    this.identifier = new Identifier(
      scopedSearch(() => this.gallery, this.scope),
      this.people,
      () => this.policy(),
    );
    this.everyone = new Identifier(this.gallery, this.people, () => this.wholePolicy());
    this.enrollment = this.makeEnrollment();
  }

  /**
   * Open the service over a database and an analyzer. The analyzer's pack should be the site's active
   * pack ({@link FaceService.activePack}); a different one is allowed (it searches that pack's templates).
   */
  static open(opts: FaceServiceOptions): FaceService {
    return new FaceService(opts.db, opts.analyzer, opts.now ?? (() => new Date()));
  }

  /** The site's active pack id (settings), else the manifest default. Load the engine with this pack. */
  static activePack(db: Db): string {
    return activePackId(new SettingsRepo(db), loadManifest().defaultPack);
  }

  get pack(): ModelPack {
    return this.analyzer.pack;
  }

  private makeEnrollment(): EnrollmentService {
    const uploads = new HubUploadsRepo(this.db);
    return new EnrollmentService({
      db: this.db,
      people: this.people,
      templates: this.templates,
      consents: this.consents,
      audit: this.audit,
      gallery: this.gallery,
      identifier: this.everyone,
      packId: this.analyzer.pack.id,
      verifyThreshold: this.analyzer.pack.thresholds?.match ?? null,
      now: this.now,
      // Every enrollment at a joined kiosk goes to the hub too (sync/uploader.ts sends it).
      onEnrolled: (e) => uploads.recordIfJoined(enrollmentUpload(e, this.now().toISOString())),
    });
  }

  /**
   * Threshold and margin in force: a manual or site-calibrated threshold, else the one for the people
   * searched now (G) at the site's target FPIR, from the pack's score distributions.
   */
  policy(): MatchPolicy {
    return matchPolicy(this.settings, this.analyzer.pack, this.scope.searchedPeople(this.gallery));
  }

  /** The same for a search of everyone enrolled here (the duplicate check). */
  private wholePolicy(): MatchPolicy {
    return matchPolicy(this.settings, this.analyzer.pack, this.gallery.peopleCount);
  }

  galleryStats(): GalleryStats {
    this.gallery.refresh();
    return this.gallery.stats();
  }

  /** Templates in the gallery, caught up with the database (the HTTP API's IdentityService). */
  gallerySize(): number {
    this.gallery.refresh();
    return this.gallery.size;
  }

  // ─── Analysis and identification ───────────────────────────────────────────────────────────────

  analyzeImage(img: RgbImage, req?: AnalyzeRequest): Promise<ImageAnalysis> {
    return this.analyzer.analyzeImage(img, req);
  }

  identify(probe: Float32Array): Identity {
    return this.identifier.identify(probe);
  }

  /** Who each face of one frame is; a person is given to at most one face. */
  identifyFaces(probes: readonly (Float32Array | null | undefined)[]): Identity[] {
    return this.identifier.identifyFaces(probes);
  }

  /** Detect, embed and identify every face of a decoded picture. */
  async recognizeImage(img: RgbImage, req?: AnalyzeRequest): Promise<Recognition> {
    const analysis = await this.analyzer.analyzeImage(img, req);
    const ids = this.identifier.identifyFaces(analysis.faces.map((f) => f.embedding));
    return {
      width: analysis.width,
      height: analysis.height,
      analysis,
      faces: analysis.faces.map(({ embedding: _embedding, ...f }, i) => ({ ...f, identity: ids[i] })),
    };
  }

  async recognizeEncoded(bytes: Uint8Array, req?: AnalyzeRequest): Promise<Recognition> {
    return this.recognizeImage(await decodeImage(bytes), req);
  }

  // ─── Enrollment ────────────────────────────────────────────────────────────────────────────────

  keepsThumbnails(): boolean {
    return this.settings.get<boolean>(KEEP_THUMBNAILS_KEY) === true;
  }

  /** Analyse one enrollment sample (a photo or a camera frame) and measure its faces. */
  async prepareSample(img: RgbImage, opts: SampleOptions): Promise<PreparedSample> {
    const analysis = await this.analyzer.analyzeImage(img, { liveness: opts.checkLiveness === true });
    return prepareSample(img, analysis, { ...opts, thumbnails: this.keepsThumbnails() });
  }

  async prepareEncodedSample(bytes: Uint8Array, opts: SampleOptions): Promise<PreparedSample> {
    return this.prepareSample(await decodeImage(bytes), opts);
  }

  enroll(req: EnrollRequest): EnrollmentResult {
    return this.enrollment.enroll(req);
  }

  // ─── People ────────────────────────────────────────────────────────────────────────────────────

  /** A person record without a face yet (enrolled later). */
  createPerson(actor: Actor, given: NewPerson): Person {
    const p = checkPersonFields(given);
    return this.db.transaction(() => {
      if (this.people.getByEmployeeNumber(p.employeeNumber)) throw conflict(p.employeeNumber);
      const person = this.people.create(p);
      this.audit.record({
        actor,
        action: 'person.create',
        targetType: 'person',
        targetId: person.id,
        details: { employee_number: person.employee_number, full_name: person.full_name, unit: person.unit },
      });
      return person;
    })();
  }

  getPerson(id: number): Person | null {
    return this.people.get(id);
  }

  getPersonByEmployeeNumber(employeeNumber: string): Person | null {
    return this.people.getByEmployeeNumber(employeeNumber);
  }

  /** People with their template counts for the active pack. */
  listPeople(q: Omit<PeopleQuery, 'packId'> = {}): { items: PersonSummary[]; total: number } {
    return {
      items: this.people.list({ ...q, packId: this.analyzer.pack.id }),
      total: this.people.count(q),
    };
  }

  /** Usable templates of the active pack that a person has. */
  personTemplateCount(personId: number): number {
    return this.templates.forPerson(personId).filter((t) => t.usable && t.pack_id === this.analyzer.pack.id).length;
  }

  personTemplates(personId: number): TemplateInfo[] {
    return this.templates.forPerson(personId);
  }

  personConsents(personId: number): Consent[] {
    return this.consents.forPerson(personId);
  }

  /**
   * One kept face picture of a person (a template's thumbnail, decrypted through the repository),
   * for an operator comparing a refused enrollment's new face with the person it resembles. Prefers a
   * usable template of the active pack (the face the gallery matches against). A face picture is
   * biometric data: every read is audited. NOT_FOUND when none is kept (the site keeps no thumbnails,
   * or retention cleared them).
   */
  personFace(actor: Actor, personId: number): { templateId: number; jpeg: Uint8Array } {
    if (!this.people.get(personId)) throw notFound(personId);
    const kept = this.templates.forPerson(personId).filter((t) => t.has_thumbnail);
    const chosen = kept.find((t) => t.usable && t.pack_id === this.analyzer.pack.id) ?? kept[0];
    const jpeg = chosen ? this.templates.thumbnail(chosen.id) : null;
    if (!chosen || !jpeg) throw new HadirError('NOT_FOUND', `no face picture of person ${personId} is kept`);
    this.audit.record({
      actor,
      action: 'person.face.view',
      targetType: 'person',
      targetId: personId,
      details: { template: chosen.id },
    });
    return { templateId: chosen.id, jpeg };
  }

  updatePerson(actor: Actor, id: number, given: PersonPatch): Person {
    const patch = checkPersonPatch(given);
    return this.db.transaction(() => {
      const before = this.people.get(id);
      if (!before) throw notFound(id);
      if (patch.employeeNumber && patch.employeeNumber !== before.employee_number) {
        if (this.people.getByEmployeeNumber(patch.employeeNumber)) throw conflict(patch.employeeNumber);
      }
      const after = this.people.update(id, patch)!;
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of ['employee_number', 'full_name', 'unit'] as const) {
        if (before[k] !== after[k]) changed[k] = { from: before[k], to: after[k] };
      }
      this.audit.record({ actor, action: 'person.update', targetType: 'person', targetId: id, details: { changed } });
      return after;
    })();
  }

  /** Take a person out of recognition (their templates leave the gallery) without deleting anything. */
  deactivatePerson(actor: Actor, id: number): Person {
    return this.setActive(actor, id, false);
  }

  reactivatePerson(actor: Actor, id: number): Person {
    return this.setActive(actor, id, true);
  }

  private setActive(actor: Actor, id: number, active: boolean): Person {
    const person = this.db.transaction(() => {
      const before = this.people.get(id);
      if (!before) throw notFound(id);
      if (before.active !== active) {
        this.people.setActive(id, active);
        this.audit.record({
          actor,
          action: active ? 'person.reactivate' : 'person.deactivate',
          targetType: 'person',
          targetId: id,
        });
      }
      return this.people.get(id)!;
    })();
    this.gallery.sync();
    return person;
  }

  /** Remove one template (a bad sample); audited. */
  deleteTemplate(actor: Actor, templateId: number): boolean {
    const removed = this.db.transaction(() => {
      const t = this.templates.get(templateId);
      if (!t) return false;
      this.templates.delete(templateId);
      this.audit.record({
        actor,
        action: 'person.template.delete',
        targetType: 'person',
        targetId: t.person_id,
        details: { template: templateId, pack: t.pack_id },
      });
      return true;
    })();
    this.gallery.sync();
    return removed;
  }

  /**
   * Delete a person: their templates, thumbnails and consents go (SQLite's secure_delete overwrites the
   * freed pages), the gallery drops their rows. Attendance history is kept under their number and name
   * unless `eraseAttendance`, which deletes it too.
   */
  deletePerson(
    actor: Actor,
    id: number,
    opts: { eraseAttendance?: boolean } = {},
  ): { templates: number; attendance: number } {
    const result = this.db.transaction(() => {
      const person = this.people.get(id);
      if (!person) throw notFound(id);
      const templates = this.templates.deleteForPerson(id);
      const attendance = opts.eraseAttendance ? this.people.eraseAttendance(id) : 0;
      // The import rows' source paths name the person's photo folder: they go with the person.
      const imports = new ImportRepo(this.db).deleteForPerson(id);
      this.people.delete(id);
      this.audit.record({
        actor,
        action: 'person.delete',
        targetType: 'person',
        targetId: id,
        details: {
          employee_number: person.employee_number,
          full_name: person.full_name,
          templates,
          attendance_erased: opts.eraseAttendance === true,
          attendance_records_erased: attendance,
          import_records: imports,
        },
      });
      return { templates, attendance };
    })();
    this.gallery.sync();
    // A copy kept aside by a restore still holds the person's templates and thumbnails.
    const removed = this.db.memory ? [] : removePreRestoreCopies(this.db.name);
    if (removed.length) {
      this.audit.record({
        actor,
        action: 'person.delete.copies',
        targetType: 'person',
        targetId: id,
        details: { files_removed: removed },
      });
    }
    return result;
  }

  // ─── Model packs ───────────────────────────────────────────────────────────────────────────────

  /**
   * Switch the site to another model pack, served by `analyzer` from now on. Kept thumbnails are
   * re-embedded with the new pack; everyone else is counted as needing enrollment again.
   */
  async switchPack(actor: Actor, analyzer: FaceAnalyzer): Promise<SwitchPackResult> {
    const pack = analyzer.pack;
    getPack(pack.id); // a pack the manifest knows
    const reembed: Reembedder = async (jpeg) => {
      const img = await decodeImage(jpeg);
      const a = await analyzer.analyzeImage(img);
      let best: AnalyzedFace | undefined;
      for (const f of a.faces) if (f.embedding && (!best || f.score > best.score)) best = f;
      return best?.embedding
        ? { embedding: best.embedding, quality: { det_score: Math.round(best.score * 1e4) / 1e4 } }
        : null;
    };
    const result = await switchPack(
      { db: this.db, people: this.people, templates: this.templates, settings: this.settings, audit: this.audit },
      pack.id,
      { actor, manifestDefault: loadManifest().defaultPack, reembed },
    );
    this.analyzer = analyzer;
    this.gallery = Gallery.load(this.db, this.templates, pack.id, pack.recognizer.embeddingSize);
    this.everyone = new Identifier(this.gallery, this.people, () => this.wholePolicy());
    this.enrollment = this.makeEnrollment();
    return result;
  }

  /** For scripts and tests that need the gallery itself (calibration from the gallery). */
  currentGallery(): Gallery {
    this.gallery.refresh();
    return this.gallery;
  }
}

function notFound(id: number): HadirError {
  return new HadirError('NOT_FOUND', `no person with id ${id}`);
}

function conflict(employeeNumber: string): HadirError {
  return new HadirError('CONFLICT', `employee number ${employeeNumber} already belongs to someone else`);
}
