import type { Actor } from '../../shared/people';
import type { EnrollmentUploadRequest, EnrollmentUploadResponse, UploadTemplate } from '../../shared/sync-protocol';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { HubUploadsRepo, type PendingUpload } from '../store/hub-uploads-repo';
import { PeopleRepo } from '../store/people-repo';
import { ReplicaRepo } from '../store/replica-repo';
import { embeddingToBlob, TemplatesRepo } from '../store/templates-repo';
import { estimateClockOffset, failureText, type HubClient, type HubFailure } from './hub-client';

/** The uploader's writes in the audit log (the enrollment itself was audited with its operator). */
const HUB_ACTOR: Actor = { type: 'system', id: 'hub-sync' };

export type UploadOutcome =
  | { kind: 'empty' }
  | { kind: 'uploaded'; answer: EnrollmentUploadResponse; warnings: string[] }
  /** The hub will not take it (another site's employee number, a new person without consent…). */
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; failure: HubFailure };

export interface UploaderOptions {
  db: Db;
  client: HubClient;
  now?: () => Date;
}

/**
 * One step of the enrollment uploads: send the oldest pending enrollment, then, in one local
 * transaction, link the person and each uploaded template to the hub's ids and mark the upload done.
 *
 * Why that is enough for "exactly once" whatever fails in between:
 * - the hub keeps its answer under (device, upload id) in the transaction that wrote the person, so a
 *   retry after a lost answer, a crash or a kill -9 before the bookkeeping gets the same answer and
 *   the hub writes nothing twice;
 * - the replica may bring the person back before the bookkeeping (the pull loop runs beside this one):
 *   it adopts the local person by employee number and adds copies of the hub's templates; the
 *   bookkeeping then drops each copy whose hub id it gives to the local original, so the person ends
 *   up once, with each template once, carrying the hub's ids — which the replica's next upsert keeps.
 */
export class Uploader {
  private readonly uploads: HubUploadsRepo;
  private readonly people: PeopleRepo;
  private readonly templates: TemplatesRepo;
  private readonly replica: ReplicaRepo;
  private readonly link: HubLinkRepo;
  private readonly audit: AuditRepo;
  private readonly now: () => Date;

  constructor(private readonly o: UploaderOptions) {
    this.now = o.now ?? (() => new Date());
    this.uploads = new HubUploadsRepo(o.db);
    this.people = new PeopleRepo(o.db, this.now);
    this.templates = new TemplatesRepo(o.db, this.now);
    this.replica = new ReplicaRepo(o.db);
    this.link = new HubLinkRepo(o.db);
    this.audit = new AuditRepo(o.db, this.now);
  }

  pending(): number {
    return this.uploads.counts().pending;
  }

  async uploadOnce(signal?: AbortSignal): Promise<UploadOutcome> {
    const u = this.uploads.oldestPending();
    if (!u) return { kind: 'empty' };
    const body = this.requestFor(u);
    if (!body) {
      // The row outlives its person only if the foreign key was off; nothing is left to send.
      this.uploads.markRefused(u.id, 'the person was deleted at this kiosk before the upload', this.at());
      return { kind: 'refused', reason: 'the person was deleted at this kiosk' };
    }
    const r = await this.o.client.uploadEnrollment(body, signal);
    if (!r.ok) {
      const f = r.failure;
      if (isFinalRefusal(f)) {
        const reason = f.kind === 'http' ? f.message : failureText(f);
        this.o.db.transaction(() => {
          this.uploads.markRefused(u.id, reason, this.at());
          this.link.markContact(this.at());
        })();
        return { kind: 'refused', reason };
      }
      this.uploads.markAttemptFailed(u.id, failureText(f));
      return { kind: 'failed', failure: f };
    }
    const warnings = this.o.db
      .transaction(() => {
        const w = this.applyAnswer(u, r.value);
        this.link.markContact(this.at(), estimateClockOffset(r.value.server_time, r.sentAt, r.receivedAt));
        return w;
      })
      .immediate();
    return { kind: 'uploaded', answer: r.value, warnings };
  }

  /** The request for an upload, read now (the person as they are, the templates still there). */
  requestFor(u: PendingUpload): EnrollmentUploadRequest | null {
    const person = this.people.get(u.person_id);
    if (!person) return null;
    const templates: UploadTemplate[] = [];
    for (const id of u.template_ids) {
      const info = this.templates.get(id);
      const embedding = info && info.person_id === u.person_id ? this.templates.embedding(id) : null;
      if (!info || !embedding) continue; // deleted here since: the hub gets the rest
      templates.push({
        local_id: id,
        dim: embedding.length,
        embedding: embeddingToBlob(embedding).toString('base64'),
        quality: info.quality,
        source: info.source,
        created_at: info.created_at,
      });
    }
    return {
      upload_id: u.upload_id,
      pack_id: u.pack_id,
      person: { employee_number: person.employee_number, full_name: person.full_name, unit: person.unit },
      consent: u.consent,
      templates,
    };
  }

  /** Link the local person and templates to the hub's ids; call inside a transaction. */
  private applyAnswer(u: PendingUpload, answer: EnrollmentUploadResponse): string[] {
    const warnings: string[] = [];
    const current = this.uploads.personHubId(u.person_id);
    let linked = current !== undefined;
    if (current === null) {
      const holder = this.replica.byHubId(answer.hub_id);
      if (holder && holder.id !== u.person_id) {
        // The replica holds the hub's person as another row (their number was changed here meanwhile):
        // linking ours too would give one hub person two rows. Left for the operator.
        warnings.push(
          `upload ${u.upload_id}: the hub's person ${answer.hub_id} is already person ${holder.id} here; person ${u.person_id} stays local`,
        );
        linked = false;
      } else {
        this.replica.adopt(u.person_id, answer.hub_id);
      }
    } else if (current !== undefined && current !== answer.hub_id) {
      warnings.push(
        `upload ${u.upload_id}: person ${u.person_id} is hub person ${current}, the hub answered ${answer.hub_id}`,
      );
      linked = false;
    }
    if (linked) {
      // A snapshot in progress sweeps away, at its end, the linked people it did not send: this one may
      // have been created after it began (it then comes in the log that follows).
      if (this.link.get()?.snapshot_active) this.link.markSeen(answer.hub_id);
      for (const m of answer.templates) {
        const local = this.uploads.templateOf(u.person_id, m.local_id);
        if (!local || local.hub_id === m.hub_id) continue;
        // The replica's copy of this very template, if the change came back before this answer.
        const copy = this.replica.templateByHubId(m.hub_id);
        if (copy !== null && copy !== local.id) this.replica.deleteTemplate(copy);
        this.uploads.setTemplateHubId(local.id, m.hub_id);
      }
    }
    this.uploads.markDone(u.id, answer.hub_id, this.at());
    this.audit.record({
      actor: HUB_ACTOR,
      action: 'person.upload',
      targetType: 'person',
      targetId: u.person_id,
      details: {
        upload_id: u.upload_id,
        hub_id: answer.hub_id,
        created: answer.created,
        templates: answer.templates.length,
        ...(linked ? {} : { linked: false }),
      },
    });
    return warnings;
  }

  private at(): string {
    return this.now().toISOString();
  }
}

/**
 * The hub answered and will answer the same again: a conflict (another site's person) or a body it
 * cannot take. Retrying would only block the uploads behind it. An unknown or revoked credential,
 * a rate limit and server errors are worth retrying (or stop the loops, for a revoked device).
 */
function isFinalRefusal(f: HubFailure): boolean {
  if (f.kind !== 'http') return false;
  return f.status >= 400 && f.status < 500 && ![401, 408, 429].includes(f.status);
}
