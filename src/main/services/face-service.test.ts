import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { getPack } from '../engine/manifest';
import { openPipeline } from '../engine/open-pipeline';
import type { FacePipeline } from '../engine/pipeline';
import { AttendanceRepo } from '../store/attendance-repo';
import { syntheticFace, syntheticSample } from '../testing/synthetic-enrollment';
import { nearby, randomUnitVectors } from '../testing/synthetic-faces';
import { facesDir, haveSharedData } from '../testing/paths';
import { tempDb } from '../testing/temp-db';
import { decodeImage } from '../vision/decode';
import { pipelineAnalyzer, type FaceAnalyzer } from './analyzer';
import { FaceService, KEEP_THUMBNAILS_KEY } from './face-service';

const actor: Actor = { type: 'operator', id: 'admin' };
const noModels: FaceAnalyzer = {
  pack: getPack('mbf-y1'),
  analyzeImage: () => Promise.reject(new Error('no models here')),
};
const faces = randomUnitVectors(3, 128, 77);
const samples = (face: Float32Array, seed: number) =>
  [1, 2, 3].map((i) => syntheticSample(syntheticFace(nearby(face, 0.85, seed + i))));

describe('FaceService people', () => {
  let t: ReturnType<typeof tempDb>;
  let service: FaceService;
  beforeEach(() => {
    t = tempDb('hadir-face-service-');
    service = FaceService.open({ db: t.db, analyzer: noModels });
  });
  afterEach(() => t.cleanup());

  const enroll = (n: number, employeeNumber: string) => {
    const r = service.enroll({
      person: { employeeNumber, fullName: `Person ${employeeNumber}`, unit: 'TU' },
      samples: samples(faces[n], n * 10),
      consent: { method: 'on-screen' },
      actor,
    });
    if (!r.ok) throw new Error(r.refusal.message);
    return r.person;
  };

  it('creates, finds, lists, updates, deactivates and reactivates people, auditing each change', () => {
    const a = enroll(0, '1001');
    const b = service.createPerson(actor, { employeeNumber: '1002', fullName: 'Budi Santoso', unit: 'Keuangan' });
    expect(() => service.createPerson(actor, { employeeNumber: '1002', fullName: 'X' })).toThrow(HadirError);
    expect(service.getPersonByEmployeeNumber('1002')).toEqual(b);
    expect(service.listPeople().items.map((p) => [p.employee_number, p.templates])).toEqual([
      ['1002', 0],
      ['1001', 3],
    ]);
    expect(service.listPeople({ search: 'budi' }).items.map((p) => p.id)).toEqual([b.id]);
    expect(service.listPeople({ unit: 'TU' }).total).toBe(1);

    const renamed = service.updatePerson(actor, b.id, { fullName: 'Dr. Budi Santoso, S.Kom.' });
    expect(renamed.full_name).toBe('Dr. Budi Santoso, S.Kom.');
    expect(() => service.updatePerson(actor, b.id, { employeeNumber: '1001' })).toThrow(/already belongs/);
    expect(() => service.updatePerson(actor, 999, { fullName: 'x' })).toThrow(/no person/);

    expect(service.identify(faces[0])).toMatchObject({ person_id: a.id, decision: 'match' });
    service.deactivatePerson(actor, a.id);
    expect(service.identify(faces[0]).decision).toBe('unknown');
    expect(service.listPeople({ active: true }).items.map((p) => p.id)).toEqual([b.id]);
    service.reactivatePerson(actor, a.id);
    expect(service.identify(faces[0])).toMatchObject({ person_id: a.id, decision: 'match' });

    const actions = service.audit.list({ targetType: 'person' }).map((e) => [e.action, e.actor_id]);
    expect(actions).toEqual([
      ['person.reactivate', 'admin'],
      ['person.deactivate', 'admin'],
      ['person.update', 'admin'],
      ['person.create', 'admin'],
      ['person.enroll', 'admin'],
    ]);
    expect(service.audit.list({ action: 'person.update' })[0].details).toEqual({
      changed: { full_name: { from: 'Budi Santoso', to: 'Dr. Budi Santoso, S.Kom.' } },
    });
  });

  it('deletes a person with their templates and gallery rows, keeping attendance unless told to erase it', () => {
    const attendance = new AttendanceRepo(t.db);
    const record = (p: { id: number; employee_number: string; full_name: string }) =>
      attendance.insert({
        person_id: p.id,
        employee_number: p.employee_number,
        full_name: p.full_name,
        unit: null,
        local_date: '2026-01-05',
        check_in_at: '2026-01-05T00:30:00.000Z',
        check_out_at: null,
        late: false,
        kiosk_id: 'k1',
        similarity: 0.6,
        liveness: 0.9,
        check_out_kiosk_id: null,
        check_out_similarity: null,
        check_out_liveness: null,
        decided_by: 'face',
        clock_flag: null,
        note: null,
        at: '2026-01-05T00:30:00.000Z',
      });
    const keep = enroll(0, '2001');
    const erase = enroll(1, '2002');
    const kept = record(keep);
    record(erase);
    expect(service.galleryStats().templates).toBe(6);

    expect(service.deletePerson(actor, keep.id)).toEqual({ templates: 3, attendance: 0 });
    expect(service.getPerson(keep.id)).toBeNull();
    expect(service.personTemplates(keep.id)).toEqual([]);
    expect(service.personConsents(keep.id)).toEqual([]);
    expect(service.identify(faces[0]).decision).toBe('unknown');
    expect(service.galleryStats().templates).toBe(3);
    // History outlives the person, unlinked, under their number and name.
    expect(attendance.get(kept.id)).toMatchObject({
      person_id: null,
      employee_number: '2001',
      full_name: 'Person 2001',
    });

    expect(service.deletePerson(actor, erase.id, { eraseAttendance: true })).toEqual({ templates: 3, attendance: 1 });
    expect(t.db.prepare("SELECT count(*) FROM attendance WHERE employee_number = '2002'").pluck().get()).toBe(0);
    expect(service.galleryStats().templates).toBe(0);
    expect(service.audit.list({ action: 'person.delete' }).map((e) => e.details)).toEqual([
      expect.objectContaining({ employee_number: '2002', attendance_erased: true, attendance_records_erased: 1 }),
      expect.objectContaining({ employee_number: '2001', attendance_erased: false, templates: 3 }),
    ]);
    expect(() => service.deletePerson(actor, keep.id)).toThrow(/no person/);
    expect(t.db.pragma('secure_delete', { simple: true })).toBe(1);
  });

  it('deletes a single template', () => {
    const p = enroll(2, '3001');
    const [first] = service.personTemplates(p.id);
    expect(service.deleteTemplate(actor, first.id)).toBe(true);
    expect(service.deleteTemplate(actor, first.id)).toBe(false);
    expect(service.personTemplateCount(p.id)).toBe(2);
    expect(service.galleryStats().templates).toBe(2);
  });
});

describe.skipIf(!haveSharedData())('FaceService with models: thumbnails and pack switches', () => {
  let pipeline: FacePipeline;
  let other: FacePipeline;
  let t: ReturnType<typeof tempDb>;
  beforeAll(async () => {
    pipeline = await openPipeline('mbf-y1');
    other = await openPipeline('det2.5g-mbf-y1');
    t = tempDb('hadir-packs-');
  });
  afterAll(async () => {
    t?.cleanup();
    await pipeline?.dispose();
    await other?.dispose();
  });

  it('keeps thumbnails only when set, re-embeds them on a pack switch, and counts who must re-enroll', async () => {
    const service = FaceService.open({ db: t.db, analyzer: pipelineAnalyzer(pipeline) });
    const prepare = async (file: string) =>
      service.prepareSample(await decodeImage(await readFile(path.join(facesDir, file))), {
        source: 'upload',
        label: file,
      });
    // Without the setting: no thumbnails.
    const a = service.enroll({
      person: { employeeNumber: 'A', fullName: 'Ariel Sharon' },
      samples: [await prepare('0c5e25d359f6.jpg'), await prepare('22e82d129abd.jpg')],
      consent: { method: 'signed form' },
      actor,
      policy: { minSamples: 2 },
    });
    expect(a.ok).toBe(true);
    service.settings.set(KEEP_THUMBNAILS_KEY, true);
    const h = service.enroll({
      person: { employeeNumber: 'H', fullName: 'Hugo Chavez' },
      samples: [await prepare('f7993a058288.jpg'), await prepare('245237f5b3ef.jpg')],
      consent: { method: 'signed form' },
      actor,
      policy: { minSamples: 2 },
    });
    if (!a.ok || !h.ok) throw new Error('enrollment refused');
    expect(service.personTemplates(a.person.id).map((x) => x.has_thumbnail)).toEqual([false, false]);
    expect(service.personTemplates(h.person.id).map((x) => x.has_thumbnail)).toEqual([true, true]);
    const jpeg = service.templates.thumbnail(service.personTemplates(h.person.id)[0].id)!;
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    expect(jpeg.byteLength).toBeLessThan(20_000);

    // Switch to a pack with another detector: Hugo is re-embedded from his thumbnails, Ariel is not.
    const probe = await decodeImage(await readFile(path.join(facesDir, '8d452698e88e.jpg'))); // another Hugo photo
    const result = await service.switchPack(actor, pipelineAnalyzer(other));
    expect(result).toMatchObject({
      packId: 'det2.5g-mbf-y1',
      previous: 'mbf-y1',
      disabledTemplates: 4,
      reembedded: { people: 1, templates: 2, failed: 0 },
      needReenrollment: 1,
      needReenrollmentIds: [a.person.id],
    });
    expect(FaceService.activePack(t.db)).toBe('det2.5g-mbf-y1');
    expect(service.galleryStats()).toMatchObject({ packId: 'det2.5g-mbf-y1', people: 1, templates: 2 });
    // det2.5g-mbf-y1 has no calibrated threshold of its own: until calibrated, identify refuses to guess.
    await expect(service.recognizeImage(probe)).rejects.toThrow(/calibrate/);
    service.settings.set('thresholds.det2.5g-mbf-y1', {
      match: 0.2754,
      far: 0.001,
      source: 'test',
      calibratedAt: 'now',
    });
    const seen = await service.recognizeImage(probe);
    expect(seen.faces[0].identity).toMatchObject({ employee_number: 'H', decision: 'match' });
    // Switching back restores the old templates (nothing was deleted) and keeps the new ones aside.
    const back = await service.switchPack(actor, pipelineAnalyzer(pipeline));
    expect(back).toMatchObject({ enabledTemplates: 4, disabledTemplates: 2, needReenrollment: 0 });
    expect(service.galleryStats()).toMatchObject({ people: 2, templates: 4 });
    expect(service.audit.list({ action: 'pack.switch' })).toHaveLength(2);
  });
});
