import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { ConsentRepo } from '../store/consent-repo';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { HubUploadsRepo, type NewUpload } from '../store/hub-uploads-repo';
import type { EnrolledTemplates } from './enrollment';

/**
 * The upload outbox row of an enrollment: the one builder, for the enrollment hook (face-service.ts)
 * and for the people enrolled before the join that the operator chose to upload ({@link offerLocalPeople}).
 */
export function enrollmentUpload(
  e: Pick<EnrolledTemplates, 'packId' | 'templateIds' | 'consent'> & { person: { id: number } },
  at: string,
): NewUpload {
  return {
    personId: e.person.id,
    packId: e.packId,
    templateIds: e.templateIds,
    consent: e.consent && { method: e.consent.method, given_at: e.consent.givenAt },
    at,
  };
}

export type OfferOutcome =
  | { ok: true; queued: number; personIds: number[] }
  /** NOT_JOINED: a standalone or revoked kiosk has no hub to upload to. */
  | { ok: false; code: 'NOT_JOINED'; message: string };

/** How many local people {@link offerLocalPeople} would queue now (the join's question names it). */
export function localPeopleToOffer(db: Db, packId: string): number {
  return new HubUploadsRepo(db).localPeopleNotOffered(packId).length;
}

/**
 * Queue, for the hub, every local person of a joined kiosk never offered to it (people enrolled before
 * the join: see HubUploadsRepo.localPeopleNotOffered), each as one enrollment upload with their current
 * templates of `packId` and their latest recorded consent. One transaction: all are queued or none, and
 * a second run finds them queued and queues nobody twice. The uploader sends them like any enrollment;
 * the hub's answers link them, or refuse them (they stay local, the status says why).
 * Attendance recorded before the join is not part of this: it stays local.
 */
export function offerLocalPeople(db: Db, o: { packId: string; actor: Actor; now?: () => Date }): OfferOutcome {
  const now = o.now ?? (() => new Date());
  const uploads = new HubUploadsRepo(db);
  const consents = new ConsentRepo(db);
  const audit = new AuditRepo(db, now);
  return db
    .transaction((): OfferOutcome => {
      const link = new HubLinkRepo(db).get();
      if (!link || link.revoked_at) {
        return {
          ok: false,
          code: 'NOT_JOINED',
          message: link
            ? `the hub ${link.hub_url} revoked this kiosk: its people stay local until it joins again`
            : 'this kiosk is not joined to a hub: its people stay local',
        };
      }
      const personIds: number[] = [];
      const at = now().toISOString();
      for (const c of uploads.localPeopleNotOffered(o.packId)) {
        const latest = consents.forPerson(c.personId).at(-1);
        const uploadId = uploads.recordIfJoined(
          enrollmentUpload(
            {
              person: { id: c.personId },
              packId: o.packId,
              templateIds: c.templateIds,
              consent: latest ? { method: latest.method, givenAt: latest.given_at } : null,
            },
            at,
          ),
        );
        // The link was read in this transaction: a null here is a bug, and throwing rolls everything back.
        if (uploadId === null) throw new Error('the hub link vanished inside the transaction');
        audit.record({
          actor: o.actor,
          action: 'person.offer_to_hub',
          targetType: 'person',
          targetId: c.personId,
          details: { upload_id: uploadId, pack: o.packId, templates: c.templateIds.length },
        });
        personIds.push(c.personId);
      }
      return { ok: true, queued: personIds.length, personIds };
    })
    .immediate();
}
