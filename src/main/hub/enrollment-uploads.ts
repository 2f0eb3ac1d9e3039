import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import type { EnrollmentUploadRequest, EnrollmentUploadResponse } from '../../shared/sync-protocol';
import { checkPersonFields } from '../services/validation';
import type { HubGallery } from './gallery';
import { withReason } from './http';
import { recordAudit } from './store/audit';
import { recordChange } from './store/changes';
import { inTransaction, isUniqueViolation, requireDurableCommit } from './store/db';
import { lockDevice } from './store/devices';
import * as people from './store/people';
import { siteById } from './store/sites';
import { recordUploadAnswer, storedUploadAnswer } from './store/uploads';

/** What the refusal of someone of another site says in `error.reason`. */
export const PERSON_OF_ANOTHER_SITE = 'PERSON_OF_ANOTHER_SITE';
/** What the refusal of a face that already identifies as someone else says in `error.reason`. */
export const DUPLICATE_IN_ORGANISATION = 'DUPLICATE_IN_ORGANISATION';

export type UploadAnswer = Omit<EnrollmentUploadResponse, 'server_time'>;

/**
 * An enrollment made at a kiosk, taken into the hub in ONE transaction: the person (new: home site =
 * the device's site) or the templates added to them, the consent, the templates sealed under the data
 * key (people.insertTemplate, like every hub template), the change-log entry that brings them to every
 * kiosk of their sites, the audit entry with the device as actor, and the answer under (device,
 * upload id). A repeated upload returns the stored answer and writes nothing.
 *
 * The device row is locked first, so a retry racing its original waits and then finds the answer. Two
 * devices creating the same new employee number at once: the loser's insert violates the unique
 * number, and its upload is decided again, now as templates added to an existing person.
 */
export async function acceptEnrollmentUpload(
  pool: pg.Pool,
  deviceId: string,
  body: EnrollmentUploadRequest,
  gallery?: HubGallery,
): Promise<UploadAnswer> {
  const fields = checkPersonFields({
    employeeNumber: body.person.employee_number,
    fullName: body.person.full_name,
    unit: body.person.unit,
  });
  const templates = body.templates.map((t) => ({ ...t, vector: decodeTemplate(t.local_id, t.embedding, t.dim) }));
  if (new Set(templates.map((t) => t.local_id)).size !== templates.length) {
    throw new HadirError('BAD_REQUEST', 'each template needs its own local_id');
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(pool, (tx) => write(tx, deviceId, body, fields, templates, gallery));
    } catch (e) {
      if (attempt === 0 && isUniqueViolation(e)) continue;
      throw e;
    }
  }
}

async function write(
  tx: pg.PoolClient,
  deviceId: string,
  body: EnrollmentUploadRequest,
  fields: { employeeNumber: string; fullName: string; unit: string | null },
  templates: readonly { local_id: number; vector: Float32Array; quality: unknown; source: string }[],
  gallery: HubGallery | undefined,
): Promise<UploadAnswer> {
  // The answer lets the kiosk mark the upload done: what it says must survive a crash of the server.
  await requireDurableCommit(tx);
  const device = await lockDevice(tx, deviceId);
  if (!device) throw new HadirError('UNAUTHORIZED', 'unknown device');
  const stored = await storedUploadAnswer(tx, deviceId, body.upload_id);
  if (stored) return stored;

  let person = await people.personByEmployeeNumber(tx, fields.employeeNumber, true);
  let extra: number[] = [];
  const created = person === null;
  if (!person) {
    if (!body.consent) {
      throw new HadirError(
        'BAD_REQUEST',
        'this employee number is new to the hub: its enrollment needs the consent recorded at the kiosk',
      );
    }
    person = await people.insertPerson(tx, { ...fields, homeSiteId: device.site_id });
  } else {
    extra = await people.extraSitesOf(tx, person.id);
    if (person.home_site_id !== device.site_id && !extra.includes(device.site_id)) {
      // Without their site or name: a device learns nothing about people it may not see. (The message
      // ends up in the kiosk's status, which names nobody: the kiosk knows whose upload it was.)
      throw withReason(
        new HadirError(
          'CONFLICT',
          'this employee number belongs to a person of another site who may not check in at this one; ' +
            "the hub's administrator can grant this site to them, or correct the number here",
        ),
        PERSON_OF_ANOTHER_SITE,
      );
    }
  }
  if (gallery && (await refuseDuplicates(gallery, body.pack_id, templates, person.id))) {
    await people.setDuplicateCheck(tx, person.id, 'passed');
  }
  const actor: Actor = { type: 'kiosk', id: deviceId };
  if (body.consent) {
    await people.insertConsent(tx, {
      personId: person.id,
      method: body.consent.method,
      recordedBy: `kiosk:${deviceId}`,
      givenAt: body.consent.given_at,
    });
  }
  const mapped: UploadAnswer['templates'] = [];
  for (const t of templates) {
    const stored = await people.insertTemplate(tx, {
      personId: person.id,
      packId: body.pack_id,
      embedding: t.vector,
      quality: t.quality ?? null,
      source: t.source,
    });
    mapped.push({ local_id: t.local_id, hub_id: stored.hub_id });
  }
  await recordChange(tx, {
    kind: 'person',
    key: person.id,
    personHubId: person.hub_id,
    sites: [person.home_site_id, ...extra],
  });
  const site = await siteById(tx, device.site_id);
  await recordAudit(tx, {
    actor,
    action: created ? 'person.enroll' : 'person.templates.add',
    targetType: 'person',
    targetId: person.employee_number,
    details: {
      via: 'kiosk upload',
      site: site?.code ?? null,
      upload_id: body.upload_id,
      pack: body.pack_id,
      templates: mapped.map((m) => m.hub_id),
      consent: body.consent?.method ?? null,
    },
  });
  const answer: UploadAnswer = { hub_id: person.hub_id, created, templates: mapped };
  await recordUploadAnswer(tx, { deviceId, uploadId: body.upload_id, personId: person.id, answer });
  return answer;
}

/** base64 Float32 LE of `dim` finite values, or BAD_REQUEST naming the template. */
function decodeTemplate(localId: number, b64: string, dim: number): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  if (dim <= 0 || bytes.length !== dim * 4) {
    throw new HadirError('BAD_REQUEST', `template ${localId}: the embedding is not ${dim} base64 Float32 values`);
  }
  const v = people.embeddingFromBytes(bytes);
  if (!v.every((x) => Number.isFinite(x))) {
    throw new HadirError('BAD_REQUEST', `template ${localId}: the embedding holds a value that is not finite`);
  }
  return v;
}

/**
 * The kiosk checked the face against its own site; the hub checks it against the whole organisation,
 * with the identification threshold for the organisation's size (the gallery's policy), as `hadir hub
 * import` does. Refused, the upload stays local at the kiosk with the reason in its status: a face that
 * is really two people's (twins) is enrolled at the hub with `hadir hub import --allow-duplicates`.
 * The gallery must be of the upload's pack (else nothing is checked: false); one still loading answers
 * WARMING (503), and the kiosk retries later. True: checked and passed.
 */
async function refuseDuplicates(
  gallery: HubGallery,
  packId: string,
  templates: readonly { vector: Float32Array }[],
  personId: number | null,
): Promise<boolean> {
  if (gallery.packId !== packId) return false;
  await gallery.catchUp();
  for (const t of templates) {
    const id = gallery.identifyExcluding(t.vector, personId === null ? [] : [personId]);
    if (id.decision === 'match') {
      // Without the other person's name: a device learns nothing about people it may not see.
      throw withReason(
        new HadirError(
          'CONFLICT',
          'this face already identifies as another person of the organisation; the hub did not enroll it. ' +
            "The hub's administrator can check both records",
        ),
        DUPLICATE_IN_ORGANISATION,
      );
    }
  }
  return true;
}
