import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zonedToUtc } from '../../shared/local-time';
import type { Actor, Person } from '../../shared/people';
import { getPack } from '../engine/manifest';
import { AuditRepo } from '../store/audit-repo';
import { ImportRepo } from '../store/import-repo';
import { ConsentRepo } from '../store/consent-repo';
import { PeopleRepo } from '../store/people-repo';
import { TemplatesRepo } from '../store/templates-repo';
import { tempDb } from '../testing/temp-db';
import { AttendanceService } from './attendance-service';
import type { FaceAnalyzer } from './analyzer';
import { TestClock } from './clock';
import { FaceService } from './face-service';
import { DEFAULT_RETENTION, PrivacyService } from './privacy';
import { DEFAULT_SCHEDULE } from './schedule';

const OPERATOR: Actor = { type: 'operator', id: 'siti' };
const wib = (date: string, time: string) => zonedToUtc(date, time, 'Asia/Jakarta');
const MARKER = 'SECRET-MARKER-7f3a9c';

let env: ReturnType<typeof tempDb>;
let clock: TestClock;
let ani: Person;
let budi: Person;
let attendance: AttendanceService;
let privacy: PrivacyService;
let templates: TemplatesRepo;

beforeEach(() => {
  env = tempDb();
  clock = new TestClock(wib('2025-01-06', '05:00'));
  const people = new PeopleRepo(env.db, () => clock.now());
  ani = people.create({ employeeNumber: '198501012010012001', fullName: 'Ani Lestari', unit: 'Keuangan' });
  budi = people.create({ employeeNumber: '199002022015031002', fullName: 'Budi Santoso', unit: 'Umum' });
  new ConsentRepo(env.db).record({
    personId: ani.id,
    givenAt: clock.now().toISOString(),
    recordedBy: 'siti',
    method: 'signed form',
  });
  templates = new TemplatesRepo(env.db, () => clock.now());
  templates.insert({
    personId: ani.id,
    packId: 'mbf-y1',
    embedding: new Float32Array([0.5, -0.5, 0.5, -0.5]),
    source: 'camera',
    thumbnail: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
  });
  attendance = new AttendanceService({ db: env.db, clock, schedule: DEFAULT_SCHEDULE });
  privacy = new PrivacyService(env.db, clock);
  // Old data (January 2025) and recent data (2026).
  clock.advanceTo(wib('2025-01-06', '07:00'));
  attendance.recordRecognition({ person: ani, similarity: 0.6, liveness: 0.9, kioskId: 'k' });
  attendance.addRecord({ person: budi, localDate: '2025-01-06', checkInAt: '07:10' }, MARKER, OPERATOR);
  attendance.addLeave({ person: ani, from: '2025-01-07', to: '2025-01-08', kind: 'cuti' }, OPERATOR);
  clock.advanceTo(wib('2026-03-02', '07:00'));
  attendance.recordRecognition({ person: ani, similarity: 0.61, liveness: 0.92, kioskId: 'k' });
  templates.insert({
    personId: ani.id,
    packId: 'mbf-y1',
    embedding: new Float32Array([1, 0, 0, 0]),
    source: 'upload',
    thumbnail: new Uint8Array([9, 9]),
  });
});

afterEach(() => env.cleanup());

describe('retention', () => {
  it('has documented defaults and validates settings', () => {
    expect(privacy.retention()).toEqual(DEFAULT_RETENTION);
    expect(() => privacy.setRetention({ auditDays: 0 }, OPERATOR)).toThrow(/auditDays/);
    expect(privacy.setRetention({ attendanceDays: 365, thumbnailDays: null }, OPERATOR)).toEqual({
      attendanceDays: 365,
      auditDays: 1095,
      thumbnailDays: null,
    });
    expect(new AuditRepo(env.db).list({ action: 'settings.retention' })).toHaveLength(1);
  });

  it('purges expired attendance, leave, audit entries and thumbnails, audited, leaving no bytes behind', () => {
    privacy.setRetention({ attendanceDays: 365, auditDays: 400, thumbnailDays: 180 }, OPERATOR);
    clock.advanceTo(wib('2026-03-10', '12:00'));
    const before = readFileSync(env.file).includes(MARKER) || readFileSync(`${env.file}-wal`).includes(MARKER);
    expect(before).toBe(true);

    const r = privacy.purgeExpired();
    expect(r).toEqual({
      cutoffs: {
        attendanceBefore: '2025-03-10',
        auditBefore: '2025-02-03T05:00:00.000Z',
        thumbnailsBefore: '2025-09-11T05:00:00.000Z',
      },
      attendance: 2,
      leave: 1,
      audit: 2, // attendance.create and leave.add of January 2025
      thumbnails: 1,
    });
    expect(attendance.query({ from: '2000-01-01', to: '2100-01-01' }).map((x) => x.local_date)).toEqual(['2026-03-02']);
    expect(templates.forPerson(ani.id).map((t) => t.has_thumbnail)).toEqual([false, true]);
    const purge = new AuditRepo(env.db).list({ action: 'retention.purge' });
    expect(purge).toHaveLength(1);
    expect(purge[0]).toMatchObject({ actor_type: 'system', details: { attendance: 2 } });
    // secure_delete overwrote the rows and the checkpoint emptied the WAL: the text is gone from disk.
    expect(readFileSync(env.file).includes(MARKER)).toBe(false);
    expect(readFileSync(`${env.file}-wal`).length).toBe(0);
    // Nothing more to do the next time.
    expect(privacy.purgeExpired()).toMatchObject({ attendance: 0, leave: 0, audit: 0, thumbnails: 0 });
  });
});

describe('data-subject export', () => {
  it('returns everything held about the person, embeddings included, and audits the request', () => {
    const data = privacy.exportPersonData(ani.id, OPERATOR);
    const json = JSON.parse(JSON.stringify(data)) as typeof data;
    expect(json.format).toBe('hadir.person-data/1');
    expect(json.person).toMatchObject({ id: ani.id, employee_number: '198501012010012001', full_name: 'Ani Lestari' });
    expect(json.consents).toMatchObject([{ recorded_by: 'siti', method: 'signed form' }]);
    expect(json.templates).toHaveLength(2);
    const e = json.templates[0].embedding!;
    expect(e).toMatchObject({ dtype: 'float32le', dim: 4 });
    expect(Array.from(new Float32Array(new Uint8Array(Buffer.from(e.base64, 'base64')).buffer))).toEqual([
      0.5, -0.5, 0.5, -0.5,
    ]);
    expect(Buffer.from(json.templates[0].thumbnail_jpeg_base64!, 'base64')).toEqual(
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
    );
    expect(json.attendance.map((r) => r.local_date)).toEqual(['2025-01-06', '2026-03-02']);
    expect(json.attendance.every((r) => r.person_id === ani.id)).toBe(true);
    expect(json.leave).toMatchObject([{ kind: 'cuti', from_date: '2025-01-07' }]);
    expect(json.audit.map((a) => a.action)).toEqual(['leave.add']);
    // Nothing about Budi.
    expect(JSON.stringify(json)).not.toContain('Budi');
    expect(new AuditRepo(env.db).list({ action: 'person.data_export' })[0]).toMatchObject({
      actor_id: 'siti',
      target_id: String(ani.id),
    });
    expect(() => privacy.exportPersonData(999, OPERATOR)).toThrow(/no person/);
  });
});

describe('every table that names the person', () => {
  it('exports spoof events, import rows, template changes and hub outbox rows about them', () => {
    // A picture of Ani held up to a kiosk, an import row of her photos, a joined kiosk's pending event.
    new AuditRepo(env.db).record({
      actor: { type: 'kiosk', id: 'door-1' },
      action: 'kiosk.spoof',
      targetType: 'kiosk',
      targetId: 'door-1',
      details: { frames: 3, resembles_person_id: ani.id, similarity: 0.7 },
    });
    new ImportRepo(env.db).record({ source: 'photos/ani', runId: 'r1', status: 'enrolled', personId: ani.id });
    env.db
      .prepare('INSERT INTO hub_outbox (event, created_at) VALUES (?, ?)')
      .run(JSON.stringify({ employee_number: ani.employee_number, type: 'in' }), clock.now().toISOString());
    const data = privacy.exportPersonData(ani.id, OPERATOR);
    expect(data.audit.map((a) => a.action)).toEqual(['leave.add', 'kiosk.spoof']);
    expect(data.imports).toMatchObject([{ source: 'photos/ani', status: 'enrolled' }]);
    expect(data.template_changes).toHaveLength(2);
    expect(data.hub_outbox).toMatchObject([{ event: { employee_number: ani.employee_number, type: 'in' } }]);
    expect(JSON.stringify(data)).not.toContain('Budi');
  });

  it('deletes their import rows and the copies a restore kept aside when the person is deleted', () => {
    new ImportRepo(env.db).record({ source: 'photos/ani', runId: 'r1', status: 'enrolled', personId: ani.id });
    new ImportRepo(env.db).record({ source: 'photos/budi', runId: 'r1', status: 'enrolled', personId: budi.id });
    const aside = `${env.file}.before-restore-20250106T000000Z`;
    writeFileSync(aside, 'a whole database, Ani included');
    const noModels: FaceAnalyzer = {
      pack: getPack('mbf-y1'),
      analyzeImage: () => Promise.reject(new Error('no models here')),
    };
    FaceService.open({ db: env.db, analyzer: noModels }).deletePerson(OPERATOR, ani.id);
    expect(new ImportRepo(env.db).list().map((i) => i.source)).toEqual(['photos/budi']);
    expect(existsSync(aside)).toBe(false);
    expect(new AuditRepo(env.db).list({ action: 'person.delete.copies' })[0]?.details).toEqual({
      files_removed: ['hadir.db.before-restore-20250106T000000Z'],
    });
  });
});
