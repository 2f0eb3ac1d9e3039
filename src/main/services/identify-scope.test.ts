import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import { getPack } from '../engine/manifest';
import { AuditRepo } from '../store/audit-repo';
import { syntheticFace, syntheticSample } from '../testing/synthetic-enrollment';
import { nearby, randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import type { FaceAnalyzer } from './analyzer';
import { AttendanceService } from './attendance-service';
import { FaceService } from './face-service';
import { SiteSettingsService } from './site-settings';
import { UnitService } from './units';

/**
 * A standalone kiosk limited to some units (issue 15, item 5: "search only who may be here; a standalone
 * kiosk can be limited to units"): check-in names only people of those units, the threshold's G counts
 * only them, enrollment's duplicate check still searches everyone, and the limit follows a person who
 * moves unit and a renamed unit. Through the real FaceService and settings service over a real SQLite
 * file with the default pack's real score distributions; only the embeddings are synthetic (seeded).
 */

const pack = getPack('mbf-y1');
const D = pack.recognizer.embeddingSize;
const noModels: FaceAnalyzer = { pack, analyzeImage: () => Promise.reject(new Error('no models here')) };
const actor: Actor = { type: 'operator', id: 'siti' };
const faces = randomUnitVectors(30, D, 9151);
const photosOf = (face: Float32Array, seed: number) =>
  [1, 2, 3].map((i) => syntheticSample(syntheticFace(nearby(face, 0.97, seed + i))));
const probeOf = (i: number) => nearby(faces[i], 0.9, 5000 + i);

describe('a kiosk limited to some units', () => {
  let t: ReturnType<typeof tempDb>;
  let service: FaceService;
  let settings: SiteSettingsService;
  let units: UnitService;
  const unitOf = (i: number) => (i < 10 ? 'Keuangan' : i < 20 ? 'Bagian Umum' : 'Sekretariat');

  beforeEach(() => {
    t = tempDb('hadir-unit-scope-');
    service = FaceService.open({ db: t.db, analyzer: noModels });
    settings = new SiteSettingsService({
      db: t.db,
      attendance: new AttendanceService({ db: t.db }),
      pack,
      api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
      policy: () => service.policy(),
    });
    units = new UnitService(t.db);
    faces.forEach((face, i) => {
      const r = service.enroll({
        person: { employeeNumber: `E-${i}`, fullName: `Pegawai ${i}`, unit: unitOf(i) },
        samples: photosOf(face, 100 * i),
        consent: { method: 'on-screen' },
        actor,
      });
      if (!r.ok) throw new Error(`E-${i}: ${r.refusal.message}`);
    });
  });
  afterEach(() => t.cleanup());

  const unitId = (name: string) => units.list().find((u) => u.name === name)!.id;
  const named = (i: number) => service.identify(probeOf(i)).employee_number;

  it('names only people of the chosen units, with the threshold for that many people', async () => {
    // Everyone first: all 30 named, G = 30.
    expect(faces.map((_, i) => named(i))).toEqual(faces.map((_, i) => `E-${i}`));
    expect(service.policy().gallery?.gallerySize).toBe(30);

    const view = await settings.update({ recognition: { units: [unitId('Keuangan'), unitId('Sekretariat')] } }, actor);
    expect(view.recognition.units.map((u) => u.name)).toEqual(['Keuangan', 'Sekretariat']);
    expect(view.recognition.gallery?.people).toBe(20);
    expect(service.policy().gallery?.gallerySize).toBe(20);
    for (let i = 0; i < 30; i++) {
      const id = service.identify(probeOf(i));
      if (unitOf(i) === 'Bagian Umum') {
        // Their face is enrolled here, but this kiosk does not serve their unit: nobody is named.
        expect(id.employee_number, `E-${i}`).not.toBe(`E-${i}`);
        expect(id.decision, `E-${i}`).not.toBe('match');
      } else expect(id.employee_number, `E-${i}`).toBe(`E-${i}`);
    }
    // The change is audited with who made it.
    const audit = new AuditRepo(t.db).list({ action: 'settings.update', targetId: 'identify.units' });
    expect(audit.map((a) => [a.actor_id, a.details])).toEqual([
      ['siti', { before: null, after: [unitId('Keuangan'), unitId('Sekretariat')].sort((a, b) => a - b) }],
    ]);

    // Back to everyone.
    await settings.update({ recognition: { units: [] } }, actor);
    expect(named(12)).toBe('E-12');
    expect(service.policy().gallery?.gallerySize).toBe(30);
  });

  it('keeps the duplicate check over everyone enrolled here', async () => {
    await settings.update({ recognition: { units: [unitId('Keuangan')] } }, actor);
    // Someone of Bagian Umum enrolling again under a new number is still refused as a duplicate.
    const again = service.enroll({
      person: { employeeNumber: 'NEW-1', fullName: 'Orang Baru', unit: 'Keuangan' },
      samples: photosOf(faces[15], 7777),
      consent: { method: 'on-screen' },
      actor,
    });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.refusal.code).toBe('duplicate');
  });

  it('follows a person who moves unit and a unit that is renamed', async () => {
    await settings.update({ recognition: { units: [unitId('Keuangan')] } }, actor);
    expect(named(12)).not.toBe('E-12');
    const p = service.people.getByEmployeeNumber('E-12')!;
    service.updatePerson(actor, p.id, { unit: 'Keuangan' });
    expect(named(12)).toBe('E-12');
    expect(service.policy().gallery?.gallerySize).toBe(11);
    units.rename(unitId('Keuangan'), 'Keuangan Daerah', actor);
    expect(named(3)).toBe('E-3');
    expect(settings.recognition().units.map((u) => u.name)).toEqual(['Keuangan Daerah']);
  });

  it('refuses a unit that does not exist, changing nothing', async () => {
    await expect(settings.update({ recognition: { units: [unitId('Keuangan'), 9999] } }, actor)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(settings.recognition().units).toEqual([]);
    expect(named(12)).toBe('E-12');
  });
});
