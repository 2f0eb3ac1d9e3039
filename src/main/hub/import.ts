import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { EnrollmentResult, Person } from '../../shared/people';
import type { ModelPack } from '../engine/manifest';
import type { FaceAnalyzer } from '../services/analyzer';
import type { ImportProgress, ImportProgressEntry, ImportTarget } from '../services/bulk-import';
import { prepareSample } from '../services/enrollment';
import {
  actorName,
  decideEnrollment,
  EmployeeNumberTaken,
  enrollmentAuditDetails,
  type EnrollmentDecision,
  type EnrollRequest,
} from '../services/enrollment-rules';
import { checkPersonFields } from '../services/validation';
import { decodeImage } from '../vision/decode';
import type { NewPerson } from '../store/people-repo';
import type { HubGallery } from './gallery';
import { requireSite } from './sites';
import { recordAudit } from './store/audit';
import { recordChange } from './store/changes';
import { inTransaction, isUniqueViolation } from './store/db';
import { galleryTemplatesOf } from './store/face';
import * as imports from './store/imports';
import * as people from './store/people';

/**
 * `hadir hub import` in the hub's terms: the bulk import of services/bulk-import.ts (the kiosk's own
 * procedure) into PostgreSQL. Each person is decided by the same enrollment rules as at a kiosk
 * (services/enrollment-rules.ts), with the duplicate check against the whole organisation (the hub's
 * in-memory gallery, caught up from the change log before each person, so someone this run enrolled
 * a moment ago is found too), then written in one transaction: person (home site = the import's
 * site), consent, templates sealed under the data key, change-log entry (the site's kiosks receive
 * them), audit entry and the import's progress row.
 */

/** A hub person as the services know people. */
export function personOf(row: people.PersonRow): Person {
  return {
    id: row.id,
    employee_number: row.employee_number,
    full_name: row.full_name,
    unit: row.unit,
    active: row.active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/**
 * How the hub's imports (the CLI's and the console's) turn a photo into a sample: decoded, analysed by
 * the engine given, and no thumbnail kept (the hub keeps no pictures: they stay where they were taken).
 */
export function importSampleLoader(analyzer: FaceAnalyzer) {
  return async (file: string) => {
    const img = await decodeImage(await readFile(file));
    return prepareSample(img, await analyzer.analyzeImage(img), { source: 'import', label: path.basename(file) });
  };
}

/** Thrown inside the transaction when the person to add templates to was deleted meanwhile. */
class PersonGone extends Error {}

export class HubImportTarget implements ImportTarget<pg.PoolClient> {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly gallery: HubGallery,
    private readonly site: { id: number; code: string },
    readonly pack: ModelPack,
  ) {}

  /**
   * The target for one site (NOT_FOUND when there is no such site). `gallery` must be the
   * organisation's gallery of `pack`, started; this waits until it has loaded.
   */
  static async open(
    pool: pg.Pool,
    gallery: HubGallery,
    opts: { site: string; pack: ModelPack },
  ): Promise<HubImportTarget> {
    const site = await requireSite(pool, opts.site);
    await gallery.ready;
    return new HubImportTarget(pool, gallery, { id: site.id, code: site.code }, opts.pack);
  }

  async getPersonByEmployeeNumber(employeeNumber: string): Promise<Person | null> {
    const row = await people.personByEmployeeNumber(this.pool, employeeNumber);
    return row ? personOf(row) : null;
  }

  personTemplateCount(personId: number): Promise<number> {
    return imports.templateCount(this.pool, personId, this.pack.id);
  }

  async enroll(req: EnrollRequest<pg.PoolClient>): Promise<EnrollmentResult> {
    // Whoever was enrolled since (by this run, another import, a kiosk through any hub process).
    await this.gallery.catchUp();
    const byId = 'personId' in req.person;
    const row =
      'personId' in req.person
        ? await people.personById(this.pool, req.person.personId)
        : await people.personByEmployeeNumber(this.pool, req.person.employeeNumber);
    const verifyThreshold = this.pack.thresholds?.match ?? null;
    const decision = decideEnrollment(req, {
      person: row ? personOf(row) : null,
      ownEmbeddings:
        byId && row && verifyThreshold !== null
          ? (await galleryTemplatesOf(this.pool, this.pack.id, [row.id])).map((t) => t.embedding)
          : [],
      verifyThreshold,
      identify: (embedding, exclude) => this.gallery.identifyExcluding(embedding, exclude),
    });
    if (!decision.ok) return decision;
    const refuse = (code: 'employee_number_taken' | 'person_not_found', message: string): EnrollmentResult => ({
      ok: false,
      refusal: { code, message },
      samples: decision.samples,
    });
    let person: Person;
    try {
      person = await inTransaction(this.pool, (tx) => this.write(tx, req, decision));
    } catch (e) {
      if (e instanceof EmployeeNumberTaken) return refuse('employee_number_taken', e.message);
      if (e instanceof PersonGone) return refuse('person_not_found', e.message);
      // Another writer took the number between our check and our insert.
      if (isUniqueViolation(e) && 'employeeNumber' in req.person) {
        return refuse('employee_number_taken', new EmployeeNumberTaken(req.person.employeeNumber).message);
      }
      throw e;
    }
    return { ok: true, person, templates: decision.templates.length, samples: decision.samples };
  }

  private async write(
    tx: pg.PoolClient,
    req: EnrollRequest<pg.PoolClient>,
    decision: Extract<EnrollmentDecision, { ok: true }>,
  ): Promise<Person> {
    let row: people.PersonRow;
    if (decision.existing) {
      const locked = await people.personById(tx, decision.existing.id, true);
      if (!locked) throw new PersonGone(`no person with id ${decision.existing.id}`);
      row = locked;
    } else {
      const p = checkPersonFields(req.person as NewPerson);
      if (await people.personByEmployeeNumber(tx, p.employeeNumber)) throw new EmployeeNumberTaken(p.employeeNumber);
      row = await people.insertPerson(tx, {
        employeeNumber: p.employeeNumber,
        fullName: p.fullName,
        unit: p.unit,
        homeSiteId: this.site.id,
      });
    }
    if (req.consent) {
      await people.insertConsent(tx, {
        personId: row.id,
        method: req.consent.method,
        recordedBy: actorName(req.actor),
        givenAt: req.consent.givenAt,
      });
    }
    const templateIds: string[] = [];
    for (const t of decision.templates) {
      // The hub keeps no thumbnails: its templates travel to kiosks, pictures do not.
      const stored = await people.insertTemplate(tx, {
        personId: row.id,
        packId: this.pack.id,
        embedding: t.embedding,
        quality: t.quality,
        source: t.source,
      });
      templateIds.push(stored.hub_id);
    }
    await people.setDuplicateCheck(tx, row.id, 'confirmed_duplicate_of' in decision.audit ? 'overridden' : 'passed');
    const sites = [row.home_site_id, ...(await people.extraSitesOf(tx, row.id))];
    await recordChange(tx, { kind: 'person', key: row.id, personHubId: row.hub_id, sites });
    await recordAudit(tx, {
      actor: req.actor,
      action: decision.action,
      targetType: 'person',
      targetId: row.employee_number,
      details: {
        ...enrollmentAuditDetails(decision, {
          employeeNumber: row.employee_number,
          packId: this.pack.id,
          templateIds,
        }),
        site: this.site.code,
      },
    });
    const person = personOf(row);
    await req.alsoInTransaction?.(person, tx);
    return person;
  }
}

/** The hub's progress table (`import_items`, migration 6). */
export class HubImportProgress implements ImportProgress<pg.PoolClient> {
  constructor(private readonly pool: pg.Pool) {}

  get(source: string): Promise<imports.ImportItemRow | null> {
    return imports.importItem(this.pool, source);
  }

  record(entry: ImportProgressEntry, tx?: pg.PoolClient): Promise<void> {
    return imports.recordImportItem(tx ?? this.pool, {
      source: entry.source,
      runId: entry.runId,
      status: entry.status,
      personId: entry.personId ?? null,
      reason: entry.reason ?? null,
    });
  }

  list(runId?: string): Promise<imports.ImportItemRow[]> {
    return imports.importItems(this.pool, runId);
  }
}
