import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import type { FaceAnalyzer } from './analyzer';
import { getPack } from '../engine/manifest';
import { FaceService } from './face-service';
import { readHubStatus } from './hub-status';
import { syntheticFace, syntheticSample } from '../testing/synthetic-enrollment';
import { nearby, randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { HubUploadsRepo } from '../store/hub-uploads-repo';

const actor: Actor = { type: 'operator', id: 'siti' };
const noModels: FaceAnalyzer = {
  pack: getPack('mbf-y1'),
  analyzeImage: () => Promise.reject(new Error('no models here')),
};
const faces = randomUnitVectors(4, 128, 91);
const samples = (face: Float32Array, seed: number) =>
  [1, 2, 3].map((i) => syntheticSample(syntheticFace(nearby(face, 0.85, seed + i))));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function kiosk(): { db: Db; faces: FaceService; uploads: HubUploadsRepo } {
  const t = tempDb('hadir-uploads-');
  cleanups.push(t.cleanup);
  return { db: t.db, faces: FaceService.open({ db: t.db, analyzer: noModels }), uploads: new HubUploadsRepo(t.db) };
}

function join(db: Db): void {
  new HubLinkRepo(db).create({
    hub_url: 'http://hub.test',
    hub_id: 'hub-1',
    device_id: 'dev-1',
    site: { code: 'S', name: 'Site', time_zone: 'Asia/Jakarta', schedule: null, holidays: [] },
    pack_id: 'mbf-y1',
    joined_at: '2026-01-05T00:00:00.000Z',
    clock_offset_ms: null,
  });
}

function enroll(f: FaceService, n: number, employeeNumber: string, alsoInTransaction?: () => void) {
  const r = f.enroll({
    person: { employeeNumber, fullName: `Person ${employeeNumber}` },
    samples: samples(faces[n], n * 10),
    consent: { method: 'on-screen', givenAt: '2026-03-02T01:00:00.000Z' },
    actor,
    alsoInTransaction,
  });
  if (!r.ok) throw new Error(r.refusal.message);
  return r.person;
}

describe('enrollment uploads queued by the enrollment itself', () => {
  it('a standalone kiosk queues nothing, and the people enrolled before the join are never queued', () => {
    const k = kiosk();
    const before = enroll(k.faces, 0, 'E0');
    expect(k.uploads.oldestPending()).toBeNull();
    join(k.db);
    expect(k.uploads.oldestPending()).toBeNull();
    expect(k.uploads.forPerson(before.id)).toEqual([]);
    expect(readHubStatus(k.db)).toMatchObject({ uploads_pending: 0, uploads_refused: 0, last_upload_refusal: null });
  });

  it('a joined kiosk queues each enrollment (new person, templates added) with its templates and consent', () => {
    const k = kiosk();
    join(k.db);
    const p = enroll(k.faces, 1, 'E1');
    const first = k.uploads.oldestPending()!;
    const templateIds = k.faces.templates.forPerson(p.id).map((t) => t.id);
    expect(first).toMatchObject({
      person_id: p.id,
      pack_id: 'mbf-y1',
      template_ids: templateIds,
      consent: { method: 'on-screen', given_at: '2026-03-02T01:00:00.000Z' },
      attempts: 0,
    });
    expect(first.upload_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const added = k.faces.enroll({ person: { personId: p.id }, samples: samples(faces[1], 50), actor });
    expect(added.ok).toBe(true);
    const rows = k.uploads.forPerson(p.id);
    expect(rows.map((r) => r.state)).toEqual(['pending', 'pending']);
    expect(new Set(rows.map((r) => r.upload_id)).size).toBe(2);
    expect(readHubStatus(k.db)).toMatchObject({ uploads_pending: 2 });

    k.uploads.markRefused(
      first.id,
      'this employee number belongs to a person of another site',
      '2026-03-02T02:00:00.000Z',
    );
    expect(readHubStatus(k.db)).toMatchObject({
      uploads_pending: 1,
      uploads_refused: 1,
      last_upload_refusal: { reason: 'this employee number belongs to a person of another site' },
    });
  });

  it('the upload row commits or rolls back with the enrollment', () => {
    const k = kiosk();
    join(k.db);
    expect(() =>
      enroll(k.faces, 2, 'E2', () => {
        throw new Error('the import progress row could not be written');
      }),
    ).toThrow(/progress row/);
    expect(k.faces.getPersonByEmployeeNumber('E2')).toBeNull();
    expect(k.uploads.oldestPending()).toBeNull();
  });

  it('a revoked kiosk queues nothing; a person deleted here takes their waiting upload along', () => {
    const k = kiosk();
    join(k.db);
    const p = enroll(k.faces, 3, 'E3');
    expect(k.uploads.forPerson(p.id)).toHaveLength(1);
    k.faces.deletePerson(actor, p.id);
    expect(k.uploads.oldestPending()).toBeNull();
    new HubLinkRepo(k.db).markRevoked('2026-03-02T03:00:00.000Z', 'revoked');
    enroll(k.faces, 0, 'E4');
    expect(k.uploads.oldestPending()).toBeNull();
  });
});
