import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { ConsentRepo } from '../store/consent-repo';
import { Gallery } from '../store/gallery';
import { PeopleRepo } from '../store/people-repo';
import { TemplatesRepo } from '../store/templates-repo';
import { syntheticFace, syntheticSample } from '../testing/synthetic-enrollment';
import { nearby, randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import { EnrollmentService, judgeSample, DEFAULT_ENROLLMENT_POLICY } from './enrollment';
import { Identifier } from './identify';

const D = 64;
const actor: Actor = { type: 'operator', id: 'siti' };
const consent = { method: 'signed form' };
const [alice, bob] = randomUnitVectors(2, D, 21);
/** n samples of one face: noisy copies at similarity ~0.8 to it. */
const samplesOf = (face: Float32Array, n: number, seed = 0) =>
  Array.from({ length: n }, (_, i) =>
    syntheticSample(syntheticFace(nearby(face, 0.85, seed + i + 1)), { label: `s${i}.jpg` }),
  );

let t: ReturnType<typeof tempDb>;
let service: EnrollmentService;
let gallery: Gallery;
let people: PeopleRepo;
let templates: TemplatesRepo;
let audit: AuditRepo;

beforeEach(() => {
  t = tempDb('hadir-enroll-');
  people = new PeopleRepo(t.db);
  templates = new TemplatesRepo(t.db);
  audit = new AuditRepo(t.db);
  gallery = Gallery.load(t.db, templates, 'p', D);
  const identifier = new Identifier(gallery, people, () => ({ threshold: 0.3, margin: 0.1, thresholdSource: 'pack' }));
  service = new EnrollmentService({
    db: t.db,
    people,
    templates,
    consents: new ConsentRepo(t.db),
    audit,
    gallery,
    identifier,
    packId: 'p',
  });
});
afterEach(() => t.cleanup());

describe('judgeSample', () => {
  const judge = (s: ReturnType<typeof syntheticSample>, policy = DEFAULT_ENROLLMENT_POLICY) =>
    judgeSample(s, 0, policy).verdict;

  it('says which check failed and by how much', () => {
    const v = judge(
      syntheticSample(
        syntheticFace(alice, { interOcular: 31.26, blur: 12, yaw: -41, roll: 3, brightness: 30, darkClipped: 0.3 }),
      ),
    );
    expect(v.accepted).toBe(false);
    expect(v.rejections.map((r) => [r.code, r.value, r.limit])).toEqual([
      ['inter_ocular', 31.3, 40],
      ['blur', 12, 60],
      ['yaw', -41, 30],
      ['too_dark', 30, 50],
      ['clipped', 0.3, 0.15],
    ]);
    expect(v.rejections[0].message).toMatch(/31.3 px between the eyes, needs 40/);
    expect(v.quality).toMatchObject({ inter_ocular: 31.3, blur: 12, yaw: -41 });
    expect(judge(syntheticSample(syntheticFace(alice, { brightness: 240 }))).rejections[0].code).toBe('too_bright');
    expect(judge(syntheticSample(syntheticFace(alice, { roll: 40 }))).rejections[0]).toMatchObject({
      code: 'roll',
      value: 40,
      limit: 25,
    });
    expect(judge(syntheticSample(syntheticFace(alice, { yaw: null, roll: null }))).rejections[0].code).toBe(
      'pose_unknown',
    );
  });

  it('needs exactly one face, or the operator choosing one', () => {
    expect(judge(syntheticSample([])).rejections[0].code).toBe('no_face');
    const two = [syntheticFace(alice), syntheticFace(bob)];
    expect(judge(syntheticSample(two)).rejections[0]).toMatchObject({ code: 'multiple_faces', value: 2 });
    expect(judge(syntheticSample(two, { faceIndex: 1 })).accepted).toBe(true);
    expect(judge(syntheticSample(two, { faceIndex: 2 })).rejections[0].code).toBe('face_index');
    const noEmbedding = syntheticFace(alice);
    delete noEmbedding.embedding;
    expect(judge(syntheticSample(noEmbedding)).rejections[0].code).toBe('no_embedding');
  });

  it('refuses samples judged a spoof, and samples without liveness when it is required', () => {
    const spoof = syntheticSample(syntheticFace(alice), { liveness: { p_real: 0.12, decision: 'spoof' } });
    expect(judge(spoof).rejections[0]).toMatchObject({ code: 'spoof', value: 0.12 });
    const face = { ...syntheticFace(alice), liveness: { p_real: 0.2, decision: 'spoof' as const } };
    expect(judge(syntheticSample(face)).rejections[0].code).toBe('spoof');
    const strict = { ...DEFAULT_ENROLLMENT_POLICY, requireLiveness: true };
    expect(judge(syntheticSample(syntheticFace(alice)), strict).rejections[0].code).toBe('liveness_missing');
    expect(
      judge(syntheticSample(syntheticFace(alice), { liveness: { p_real: 0.9, decision: 'real' } }), strict).accepted,
    ).toBe(true);
  });
});

describe('EnrollmentService', () => {
  it('enrolls a person with consent, templates, quality and an audit entry, in step with the gallery', () => {
    const r = service.enroll({
      person: { employeeNumber: '198501012010011001', fullName: 'Siti', unit: 'TU' },
      samples: samplesOf(alice, 4),
      consent,
      actor,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.templates).toBe(4);
    expect(r.samples.every((s) => s.accepted)).toBe(true);
    const ts = templates.forPerson(r.person.id);
    expect(ts).toHaveLength(4);
    expect(ts[0]).toMatchObject({
      pack_id: 'p',
      source: 'upload',
      has_thumbnail: false,
      quality: { inter_ocular: 60, label: 's0.jpg' },
    });
    expect(new ConsentRepo(t.db).forPerson(r.person.id)).toEqual([
      expect.objectContaining({ method: 'signed form', recorded_by: 'operator:siti' }),
    ]);
    const entry = audit.list({ action: 'person.enroll' })[0];
    expect(entry).toMatchObject({
      actor_type: 'operator',
      actor_id: 'siti',
      target_type: 'person',
      target_id: String(r.person.id),
    });
    expect(entry.details).toMatchObject({
      employee_number: '198501012010011001',
      pack: 'p',
      consent_method: 'signed form',
    });
    expect(gallery.size).toBe(4);
    expect(gallery.hasPerson(r.person.id)).toBe(true);
  });

  it('keeps at most maxSamples good samples and refuses with too few', () => {
    const r = service.enroll({
      person: { employeeNumber: '1', fullName: 'A' },
      samples: samplesOf(alice, 7),
      consent,
      actor,
    });
    expect(r.ok && r.templates).toBe(5);
    expect(r.samples.slice(5).map((s) => s.rejections[0].code)).toEqual(['surplus', 'surplus']);
    const bad = samplesOf(bob, 3);
    bad[1] = syntheticSample(syntheticFace(bob, { blur: 5 }));
    bad[2] = syntheticSample([]);
    const refused = service.enroll({ person: { employeeNumber: '2', fullName: 'B' }, samples: bad, consent, actor });
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'too_few_samples' } });
    if (!refused.ok)
      expect(refused.refusal.message).toMatch(/1 of 3 samples are usable, 3 needed \(rejected: blur, no_face\)/);
    expect(people.getByEmployeeNumber('2')).toBeNull();
    expect(gallery.size).toBe(5);
  });

  it('refuses samples that do not agree with each other, naming the pair', () => {
    const samples = [...samplesOf(alice, 2), syntheticSample(syntheticFace(bob), { label: 'wrong.jpg' })];
    const r = service.enroll({ person: { employeeNumber: '1', fullName: 'A' }, samples, consent, actor });
    expect(r).toMatchObject({ ok: false, refusal: { code: 'inconsistent', pair: { b: 2, floor: 0.15 } } });
    expect(people.count()).toBe(0);
  });

  it('refuses a face that already identifies as someone else, unless the operator confirms', () => {
    const first = service.enroll({
      person: { employeeNumber: 'A1', fullName: 'Alice' },
      samples: samplesOf(alice, 3),
      consent,
      actor,
    });
    expect(first.ok).toBe(true);
    const again = {
      person: { employeeNumber: 'A2', fullName: 'Alice again' },
      samples: samplesOf(alice, 3, 50),
      consent,
      actor,
    };
    const r = service.enroll(again);
    expect(r).toMatchObject({
      ok: false,
      refusal: { code: 'duplicate', duplicate: { employee_number: 'A1', name: 'Alice' } },
    });
    const confirmed = service.enroll({ ...again, confirmDuplicate: true });
    expect(confirmed.ok).toBe(true);
    expect(audit.list({ action: 'person.enroll' })[0].details).toMatchObject({
      confirmed_duplicate_of: { employee_number: 'A1' },
    });
    // Adding templates to an existing person is not a duplicate of themselves.
    const more = service.enroll({
      person: { personId: first.ok ? first.person.id : 0 },
      samples: samplesOf(alice, 3, 90),
      actor,
      confirmDuplicate: false,
    });
    expect(more).toMatchObject({ ok: false, refusal: { code: 'duplicate', duplicate: { employee_number: 'A2' } } });
  });

  it("refuses a friend's face added under someone's number unless an operator gives a reason (audited)", () => {
    const guarded = new EnrollmentService({
      db: t.db,
      people,
      templates,
      consents: new ConsentRepo(t.db),
      audit,
      gallery,
      // A strict identifier so the duplicate check stays out of the way: this is the 1:1 guard.
      identifier: new Identifier(gallery, people, () => ({ threshold: 0.99, margin: 0.1, thresholdSource: 'pack' })),
      packId: 'p',
      verifyThreshold: 0.3,
    });
    const bobEnrolled = guarded.enroll({
      person: { employeeNumber: 'B9', fullName: 'Bob' },
      samples: samplesOf(bob, 3),
      consent,
      actor,
    });
    if (!bobEnrolled.ok) throw new Error('not enrolled');
    const id = bobEnrolled.person.id;
    // Alice's face under Bob's number.
    const friend = guarded.enroll({ person: { personId: id }, samples: samplesOf(alice, 3, 40), actor });
    expect(friend).toMatchObject({ ok: false, refusal: { code: 'not_same_person', verification: { threshold: 0.3 } } });
    expect(templates.forPerson(id)).toHaveLength(3);
    // A reason too short to be one is no reason.
    expect(
      guarded.enroll({
        person: { personId: id },
        samples: samplesOf(alice, 3, 40),
        actor,
        confirmNotSameReason: ' ok ',
      }),
    ).toMatchObject({ ok: false, refusal: { code: 'not_same_person' } });
    // Bob's own new photos pass without a reason, and nothing unusual is audited.
    expect(guarded.enroll({ person: { personId: id }, samples: samplesOf(bob, 3, 60), actor })).toMatchObject({
      ok: true,
    });
    expect(audit.list({ action: 'person.templates.add' })[0].details).not.toHaveProperty('confirmed_not_matching');
    const overridden = guarded.enroll({
      person: { personId: id },
      samples: samplesOf(alice, 3, 40),
      actor,
      confirmNotSameReason: 'new photo after surgery, checked against ID card',
    });
    expect(overridden.ok).toBe(true);
    const entries = audit.list({ action: 'person.templates.add' });
    expect(entries.some((e) => (e.details as Record<string, unknown>).confirmed_not_matching)).toBe(true);
    const withReason = entries.find((e) => (e.details as Record<string, unknown>).confirmed_not_matching)!;
    expect(withReason.details).toMatchObject({
      confirmed_not_matching: { threshold: 0.3, reason: 'new photo after surgery, checked against ID card' },
    });
  });

  it('adds templates to an existing person; refuses a taken number, an unknown person and missing consent', () => {
    const first = service.enroll({
      person: { employeeNumber: 'B1', fullName: 'Bob' },
      samples: samplesOf(bob, 3),
      consent,
      actor,
    });
    if (!first.ok) throw new Error('not enrolled');
    const more = service.enroll({ person: { personId: first.person.id }, samples: samplesOf(bob, 3, 20), actor });
    expect(more).toMatchObject({ ok: true, templates: 3 });
    expect(templates.forPerson(first.person.id)).toHaveLength(6);
    expect(audit.list({ action: 'person.templates.add' })).toHaveLength(1);
    expect(
      service.enroll({ person: { employeeNumber: 'B1', fullName: 'X' }, samples: samplesOf(alice, 3), consent, actor }),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'employee_number_taken' },
    });
    expect(service.enroll({ person: { personId: 999 }, samples: samplesOf(alice, 3), actor })).toMatchObject({
      ok: false,
      refusal: { code: 'person_not_found' },
    });
    expect(
      service.enroll({ person: { employeeNumber: 'C', fullName: 'C' }, samples: samplesOf(alice, 3), actor }),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'consent_missing' },
    });
  });

  it('stores thumbnails only when the samples carry them', () => {
    const samples = samplesOf(alice, 3).map((s) => ({
      ...s,
      faces: s.faces.map((f) => ({ ...f, thumbnail: new Uint8Array([0xff, 0xd8, 1, 2]) })),
    }));
    const r = service.enroll({ person: { employeeNumber: 'T', fullName: 'T' }, samples, consent, actor });
    if (!r.ok) throw new Error('not enrolled');
    const ts = templates.forPerson(r.person.id);
    expect(ts.every((x) => x.has_thumbnail)).toBe(true);
    expect(Array.from(templates.thumbnail(ts[0].id)!)).toEqual([0xff, 0xd8, 1, 2]);
  });

  it('writes all or nothing: a failure inside the transaction leaves no half-enrolled person', () => {
    expect(() =>
      service.enroll({
        person: { employeeNumber: 'X', fullName: 'X' },
        samples: samplesOf(alice, 3),
        consent,
        actor,
        alsoInTransaction: () => {
          throw new Error('disk full');
        },
      }),
    ).toThrow('disk full');
    expect(people.count()).toBe(0);
    expect(t.db.prepare('SELECT count(*) FROM face_templates').pluck().get()).toBe(0);
    expect(t.db.prepare('SELECT count(*) FROM consents').pluck().get()).toBe(0);
    expect(audit.list()).toHaveLength(0);
    gallery.refresh();
    expect(gallery.size).toBe(0);
  });
});
