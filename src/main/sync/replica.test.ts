import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangesPage, SyncItem, SyncPerson, SyncSite } from '../../shared/sync-protocol';
import { AttendanceService, SCHEDULE_SETTING } from '../services/attendance-service';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { Gallery } from '../store/gallery';
import { HubLinkRepo } from '../store/hub-link-repo';
import { PeopleRepo } from '../store/people-repo';
import { SettingsRepo } from '../store/settings-repo';
import { TemplatesRepo } from '../store/templates-repo';
import { tempDb } from '../testing/temp-db';
import { applyPage, decodeEmbedding, purgeRemovedBytes } from './replica';

const PACK = 'test-pack';
const DIM = 8;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function joinedDb(): { db: Db; file: string } {
  const t = tempDb('hadir-replica-');
  cleanups.push(t.cleanup);
  new HubLinkRepo(t.db).create({
    hub_url: 'http://hub.test',
    hub_id: 'hub-1',
    device_id: 'dev-1',
    site: site(),
    pack_id: PACK,
    joined_at: '2026-01-05T00:00:00.000Z',
    clock_offset_ms: null,
  });
  return { db: t.db, file: t.file };
}

function site(over: Partial<SyncSite> = {}): SyncSite {
  return {
    code: 'KANTOR-PUSAT',
    name: 'Kantor Pusat',
    time_zone: 'Asia/Makassar',
    schedule: null,
    holidays: [{ date: '2026-01-01', name: 'Tahun Baru' }],
    ...over,
  };
}

/** A unit vector whose bytes are recognisable in a raw file. */
function embedding(seed: number): Float32Array {
  const e = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) e[i] = Math.sin(seed * 7.3 + i * 1.7) + 0.001 * seed;
  const n = Math.hypot(...e);
  return e.map((x) => x / n);
}
const b64 = (e: Float32Array) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64');

function person(n: number, over: Partial<SyncPerson> = {}): SyncPerson {
  return {
    hub_id: `p-${n}`,
    employee_number: `19850101201001${String(n).padStart(4, '0')}`,
    full_name: `Pegawai ${n}`,
    unit: 'Umum',
    active: true,
    templates: [
      { hub_id: `t-${n}-a`, pack_id: PACK, dim: DIM, embedding: b64(embedding(n)), created_at: '2026-01-02T00:00:00Z' },
    ],
    leave: [],
    updated_at: '2026-01-02T00:00:00Z',
    ...over,
  };
}

let cursorNo = 0;
function page(phase: ChangesPage['phase'], items: SyncItem[], more = false): ChangesPage {
  return { phase, items, cursor: `c${++cursorNo}`, more, server_time: new Date().toISOString() };
}
const cursor = (db: Db) => new HubLinkRepo(db).get()!.cursor;
const apply = (db: Db, p: ChangesPage) => applyPage(db, p, cursor(db), { packId: PACK });
const count = (db: Db, sql: string) => db.prepare(sql).pluck().get() as number;

describe('applying a page of the hub changes', () => {
  it('upserts people with their templates, leave and the site, and applying it twice changes nothing', () => {
    const { db } = joinedDb();
    const first = page('snapshot', [
      { type: 'site', site: site() },
      {
        type: 'person',
        person: person(1, { leave: [{ from_date: '2026-01-10', to_date: '2026-01-12', kind: 'cuti' }] }),
      },
      { type: 'person', person: person(2) },
    ]);
    first.progress = { done: 2, total: 3 };
    const r = apply(db, first);
    expect(r).toMatchObject({ applied: true, upserted: 2, siteUpdated: true, warnings: [] });
    const people = new PeopleRepo(db).list({ packId: PACK });
    expect(people.map((p) => [p.employee_number, p.templates])).toEqual([
      ['198501012010010001', 1],
      ['198501012010010002', 1],
    ]);
    const t = db.prepare('SELECT id, embedding FROM face_templates WHERE hub_id = ?').get('t-1-a') as {
      id: number;
      embedding: Buffer;
    };
    expect(Array.from(new TemplatesRepo(db).embedding(t.id)!)).toEqual(Array.from(embedding(1)));
    expect(count(db, 'SELECT count(*) FROM leave')).toBe(1);
    expect(new HubLinkRepo(db).get()).toMatchObject({ cursor: first.cursor, snapshot_done: 2, snapshot_total: 3 });
    // The site: its holidays, and a schedule-less site's all-day schedule in the site's zone.
    expect(db.prepare('SELECT date, name FROM holidays').all()).toEqual([{ date: '2026-01-01', name: 'Tahun Baru' }]);
    expect(new SettingsRepo(db).get(SCHEDULE_SETTING)).toMatchObject({ timeZone: 'Asia/Makassar', allDay: true });

    // The same page again, from the same position: every row as it was, no template rewritten.
    const changesBefore = count(db, 'SELECT count(*) FROM template_changes');
    new HubLinkRepo(db).restartSnapshot();
    const again = applyPage(db, { ...first, cursor: 'c-again' }, null, { packId: PACK });
    expect(again.applied).toBe(true);
    expect(count(db, 'SELECT count(*) FROM people')).toBe(2);
    expect(count(db, 'SELECT count(*) FROM face_templates')).toBe(2);
    expect(count(db, 'SELECT count(*) FROM leave')).toBe(1);
    expect(count(db, 'SELECT count(*) FROM template_changes')).toBe(changesBefore);
  });

  it('ignores a page asked from a position the link has left (another process applied it)', () => {
    const { db } = joinedDb();
    apply(db, page('snapshot', [{ type: 'person', person: person(1) }]));
    const stale = applyPage(db, page('snapshot', [{ type: 'person', person: person(9) }]), null, { packId: PACK });
    expect(stale.applied).toBe(false);
    expect(count(db, 'SELECT count(*) FROM people')).toBe(1);
  });

  it('replaces templates (keeping only the kiosk pack), updates fields, and deletes people', () => {
    const { db } = joinedDb();
    apply(
      db,
      page('snapshot', [
        { type: 'person', person: person(1) },
        { type: 'person', person: person(2) },
      ]),
    );
    apply(db, page('log', []));
    const p1 = person(1, {
      full_name: 'Pegawai Satu',
      active: false,
      templates: [
        { hub_id: 't-1-b', pack_id: PACK, dim: DIM, embedding: b64(embedding(11)), created_at: '2026-01-03T00:00:00Z' },
        {
          hub_id: 't-1-x',
          pack_id: 'other-pack',
          dim: 4,
          embedding: b64(new Float32Array(4)),
          created_at: '2026-01-03T00:00:00Z',
        },
      ],
    });
    const r = apply(
      db,
      page('log', [
        { type: 'person', person: p1 },
        { type: 'person_delete', hub_id: 'p-2' },
      ]),
    );
    expect(r).toMatchObject({ upserted: 1, deleted: 1, templatesRemoved: 2 });
    expect(db.prepare('SELECT hub_id, pack_id FROM face_templates').all()).toEqual([
      { hub_id: 't-1-b', pack_id: PACK },
    ]);
    expect(db.prepare('SELECT full_name, active FROM people').all()).toEqual([
      { full_name: 'Pegawai Satu', active: 0 },
    ]);
    // Deleting someone the kiosk does not hold is harmless (the item is a state).
    expect(apply(db, page('log', [{ type: 'person_delete', hub_id: 'p-404' }])).deleted).toBe(0);
    expect(new AuditRepo(db).list({ action: 'person.delete' })).toHaveLength(1);
  });

  it('adopts a person enrolled at the kiosk before it joined, by employee number, and audits it', () => {
    const { db } = joinedDb();
    const local = new PeopleRepo(db).create({ employeeNumber: '198501012010010001', fullName: 'Lokal' });
    const localTemplate = new TemplatesRepo(db).insert({
      personId: local.id,
      packId: PACK,
      embedding: embedding(99),
      source: 'camera',
    });
    new PeopleRepo(db).create({ employeeNumber: '777', fullName: 'Only here' });
    apply(db, page('snapshot', [{ type: 'person', person: person(1) }]));
    expect(db.prepare('SELECT id, hub_id, full_name FROM people ORDER BY id').all()).toEqual([
      { id: local.id, hub_id: 'p-1', full_name: 'Pegawai 1' },
      { id: local.id + 1, hub_id: null, full_name: 'Only here' },
    ]);
    // The local enrollment stays beside the hub's template (it is not on the hub yet).
    expect(new TemplatesRepo(db).forPerson(local.id).map((t) => t.id)).toContain(localTemplate);
    expect(new AuditRepo(db).list({ action: 'person.adopt' })[0]).toMatchObject({
      target_id: String(local.id),
      details: { hub_id: 'p-1', employee_number: '198501012010010001' },
    });
    // The snapshot ends: a local person is never swept, a replicated one not in the snapshot is.
    apply(db, page('log', []));
    expect(count(db, 'SELECT count(*) FROM people')).toBe(2);
  });

  it('a restarted snapshot deletes replicated people it no longer sends, before the log page items', () => {
    const { db } = joinedDb();
    apply(
      db,
      page(
        'snapshot',
        [1, 2, 3].map((n) => ({ type: 'person' as const, person: person(n) })),
      ),
    );
    apply(db, page('log', []));
    new HubLinkRepo(db).restartSnapshot();
    apply(db, page('snapshot', [{ type: 'person', person: person(1) }], true));
    apply(db, page('snapshot', [{ type: 'person', person: person(3) }]));
    expect(count(db, 'SELECT count(*) FROM people')).toBe(3);
    apply(db, page('log', [{ type: 'person', person: person(4) }]));
    expect(db.prepare('SELECT hub_id FROM people ORDER BY hub_id').pluck().all()).toEqual(['p-1', 'p-3', 'p-4']);
    expect(new HubLinkRepo(db).get()!.snapshot_active).toBe(false);
  });

  it("a deleted person's template bytes are gone from the database file and its WAL", () => {
    const { db, file } = joinedDb();
    const secret = embedding(4242);
    const bytes = Buffer.from(secret.buffer);
    apply(
      db,
      page('snapshot', [
        {
          type: 'person',
          person: person(1, {
            templates: [
              { hub_id: 't-s', pack_id: PACK, dim: DIM, embedding: b64(secret), created_at: '2026-01-02T00:00:00Z' },
            ],
          }),
        },
      ]),
    );
    db.pragma('wal_checkpoint(TRUNCATE)');
    const onDisk = () => Buffer.concat([readFileSync(file), readOrEmpty(`${file}-wal`)]);
    // Replicated templates are sealed at rest like local ones: the plain bytes never reach the disk.
    const sealed = db.prepare("SELECT embedding FROM face_templates WHERE hub_id = 't-s'").pluck().get() as Buffer;
    expect(onDisk().includes(bytes)).toBe(false);
    expect(onDisk().includes(sealed)).toBe(true);
    const r = apply(db, page('log', [{ type: 'person_delete', hub_id: 'p-1' }]));
    expect(r.templatesRemoved).toBe(1);
    purgeRemovedBytes(db);
    expect(onDisk().includes(sealed)).toBe(false);
  });

  it('the in-memory gallery follows the replica through the template change log', () => {
    const { db } = joinedDb();
    const gallery = Gallery.load(db, new TemplatesRepo(db), PACK, DIM);
    expect(gallery.size).toBe(0);
    apply(
      db,
      page('snapshot', [
        { type: 'person', person: person(1) },
        { type: 'person', person: person(2) },
      ]),
    );
    gallery.refresh();
    expect(gallery.size).toBe(2);
    apply(db, page('log', [{ type: 'person_delete', hub_id: 'p-1' }]));
    gallery.refresh();
    expect(gallery.size).toBe(1);
    expect(gallery.topPeople(embedding(2), 1)[0].score).toBeCloseTo(1, 5);
  });

  it("the site's schedule becomes the kiosk's, and a joined kiosk refuses local schedule and holiday edits", () => {
    const { db } = joinedDb();
    const schedule = {
      week: { sat: { checkIn: ['07:00', '09:00'], onTimeUntil: '08:00', checkOut: ['12:00', '14:00'] } },
      cooldownSeconds: 30,
    };
    apply(db, page('snapshot', [{ type: 'site', site: site({ schedule, time_zone: 'Asia/Jayapura' }) }]));
    const attendance = new AttendanceService({ db });
    expect(attendance.schedule().settings).toMatchObject({ timeZone: 'Asia/Jayapura', cooldownSeconds: 30 });
    expect(attendance.schedule().settings.allDay).toBeUndefined();
    expect(attendance.schedule().settings.week.sat).toMatchObject({ onTimeUntil: '08:00' });
    const cli = { type: 'cli' as const, id: 'test' };
    expect(() => attendance.setSchedule({ cooldownSeconds: 10 }, cli)).toThrow(
      /from its hub \(http:\/\/hub.test, site KANTOR-PUSAT\)/,
    );
    // Saving the form unchanged is no edit.
    expect(attendance.setSchedule({ cooldownSeconds: 30 }, cli).cooldownSeconds).toBe(30);
    expect(() => attendance.setHoliday('2026-03-01', 'X', cli)).toThrow(/CONFLICT|from its hub/);
    // A schedule this kiosk cannot follow is reported and the previous one stays.
    const bad = apply(db, page('log', [{ type: 'site', site: site({ schedule: { cooldownSeconds: -1 } }) }]));
    expect(bad.warnings[0]).toMatch(/cooldownSeconds/);
    expect(attendance.schedule().settings.cooldownSeconds).toBe(30);
  });

  it('decodes only whole Float32 embeddings of the stated size', () => {
    expect(decodeEmbedding(b64(embedding(1)), DIM)).toEqual(embedding(1));
    expect(decodeEmbedding(b64(embedding(1)), DIM + 1)).toBeNull();
    expect(decodeEmbedding(b64(new Float32Array([NaN])), 1)).toBeNull();
  });
});

function readOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}
