import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topKPeople } from '../engine/search';
import { randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import { openDb, type Db } from './db';
import { Gallery } from './gallery';
import { PeopleRepo } from './people-repo';
import { TemplatesRepo } from './templates-repo';

const D = 32;
const PACK = 'test-pack';

let t: ReturnType<typeof tempDb>;
let people: PeopleRepo;
let templates: TemplatesRepo;
const vectors = randomUnitVectors(2000, D, 7);
let next = 0;
const vec = () => vectors[next++ % vectors.length];

beforeEach(() => {
  t = tempDb('hadir-gallery-');
  people = new PeopleRepo(t.db);
  templates = new TemplatesRepo(t.db);
  next = 0;
});
afterEach(() => t.cleanup());

function enroll(repo: { people: PeopleRepo; templates: TemplatesRepo; db: Db }, n: number, perPerson = 3, pack = PACK) {
  const ids: { person: number; templates: number[] }[] = [];
  repo.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const p = repo.people.create({ employeeNumber: `E${Date.now()}-${next}-${i}`, fullName: `Person ${i}` });
      const ts: number[] = [];
      for (let k = 0; k < perPerson; k++)
        ts.push(repo.templates.insert({ personId: p.id, packId: pack, embedding: vec(), source: 'import' }));
      ids.push({ person: p.id, templates: ts });
    }
  })();
  return ids;
}

/** The gallery's answer must equal a brute-force search over what the database says is usable. */
function expectInStep(g: Gallery, db: Db) {
  const rows = [...new TemplatesRepo(db).iterateGallery(PACK)].map((r) => ({ ...r, embedding: r.embedding.slice() }));
  expect(g.size).toBe(rows.length);
  expect(g.peopleCount).toBe(new Set(rows.map((r) => r.personId)).size);
  for (const r of rows) expect(g.hasTemplate(r.id)).toBe(true);
  const matrix = new Float32Array(rows.length * D);
  rows.forEach((r, i) => matrix.set(r.embedding, i * D));
  const personOf = Int32Array.from(rows.map((r) => r.personId));
  for (const probe of randomUnitVectors(5, D, 99)) {
    // The gallery runs the SIMD kernel, the copy here the JavaScript path: equal up to float32 rounding.
    const want = topKPeople(matrix, rows.length, D, personOf, probe, 3);
    const got = g.topPeople(probe, 3);
    expect(got.map((m) => m.personId)).toEqual(want.map((m) => m.personId));
    got.forEach((m, i) => expect(m.score).toBeCloseTo(want[i].score, 5));
  }
}

describe('Gallery', () => {
  it('loads every usable template of its pack of active people, and nothing else', () => {
    const a = enroll({ people, templates, db: t.db }, 10);
    enroll({ people, templates, db: t.db }, 3, 2, 'other-pack');
    people.setActive(a[0].person, false);
    templates.activatePack(PACK);
    const g = Gallery.load(t.db, templates, PACK, D);
    expect(g.size).toBe(27);
    expect(g.peopleCount).toBe(9);
    expect(g.hasPerson(a[0].person)).toBe(false);
    expect(g.stats().accelerated).toBe(true);
    expectInStep(g, t.db);
  });

  it('follows every kind of write without a full reload', () => {
    const g = Gallery.load(t.db, templates, PACK, D);
    const reloads = g.stats().reloads;
    // Enroll: rows added, growing the matrix past its first capacity (256 rows).
    const a = enroll({ people, templates, db: t.db }, 100);
    expect(g.refresh()).toBe(true);
    expect(g.size).toBe(300);
    expect(g.stats().capacity).toBeGreaterThanOrEqual(300);
    expectInStep(g, t.db);
    // Delete one template.
    templates.delete(a[5].templates[1]);
    g.refresh();
    expect(g.hasTemplate(a[5].templates[1])).toBe(false);
    expectInStep(g, t.db);
    // Deactivate, reactivate.
    people.setActive(a[7].person, false);
    g.refresh();
    expect(g.hasPerson(a[7].person)).toBe(false);
    expectInStep(g, t.db);
    people.setActive(a[7].person, true);
    g.refresh();
    expect(g.hasPerson(a[7].person)).toBe(true);
    expectInStep(g, t.db);
    // Delete a person (templates cascade).
    people.delete(a[9].person);
    g.refresh();
    expect(g.hasPerson(a[9].person)).toBe(false);
    expectInStep(g, t.db);
    // A pack switch away and back.
    templates.activatePack('other');
    g.refresh();
    expect(g.size).toBe(0);
    templates.activatePack(PACK);
    g.refresh();
    expectInStep(g, t.db);
    expect(g.stats().reloads).toBe(reloads);
    // Nothing written: refresh is a no-op.
    expect(g.refresh()).toBe(false);
  });

  it('notices a write committed through another connection (data_version) and resyncs', () => {
    enroll({ people, templates, db: t.db }, 5);
    const g = Gallery.load(t.db, templates, PACK, D);
    expect(g.size).toBe(15);
    const other = openDb({ file: t.file });
    try {
      const added = enroll({ people: new PeopleRepo(other), templates: new TemplatesRepo(other), db: other }, 4);
      new PeopleRepo(other).delete(added[0].person);
      const before = t.db.pragma('data_version', { simple: true });
      expect(g.refresh()).toBe(true);
      expect(t.db.pragma('data_version', { simple: true })).toBe(before);
      expect(g.size).toBe(15 + 9);
      expect(g.hasPerson(added[0].person)).toBe(false);
      expect(g.hasPerson(added[1].person)).toBe(true);
      expectInStep(g, t.db);
      expect(g.refresh()).toBe(false);
    } finally {
      other.close();
    }
  });

  it('reloads in full when the change log was pruned past where it had read', () => {
    const g = Gallery.load(t.db, templates, PACK, D);
    enroll({ people, templates, db: t.db }, 20);
    templates.pruneChanges(5);
    const reloads = g.stats().reloads;
    g.refresh();
    expect(g.stats().reloads).toBe(reloads + 1);
    expectInStep(g, t.db);
  });

  it('refuses a probe of the wrong dimension', () => {
    const g = Gallery.load(t.db, templates, PACK, D);
    expect(() => g.topPeople(new Float32Array(D + 1), 1)).toThrow(/dimensions/);
  });

  it('scores pairs of templates for calibration without labels', () => {
    enroll({ people, templates, db: t.db }, 10, 3);
    const g = Gallery.load(t.db, templates, PACK, D);
    let imp = 0;
    let gen = 0;
    const r = g.pairScores(1000, { impostor: () => imp++, genuine: () => gen++ });
    // 30 templates: 435 pairs, of which 10 people × 3 pairs are one person's.
    expect(r).toEqual({ probes: 30, impostorPairs: 405, genuinePairs: 30 });
    expect([imp, gen]).toEqual([405, 30]);
  });
});

describe('TemplatesRepo', () => {
  it('stores embeddings as sealed Float32 BLOBs and reads them back bit for bit', () => {
    const p = people.create({ employeeNumber: '1', fullName: 'A' });
    const e = vec();
    const id = templates.insert({ personId: p.id, packId: PACK, embedding: e, source: 'camera', quality: { blur: 1 } });
    const blob = t.db.prepare('SELECT embedding FROM face_templates WHERE id = ?').pluck().get(id) as Buffer;
    // Sealed at rest (store/data-cipher.ts): the Float32 bytes plus a 33-byte envelope, never in the clear.
    expect(blob.byteLength).toBe(D * 4 + 33);
    expect(blob.includes(Buffer.from(e.buffer, e.byteOffset, e.byteLength))).toBe(false);
    expect(Array.from(templates.embedding(id)!)).toEqual(Array.from(e));
    expect(templates.get(id)).toMatchObject({
      person_id: p.id,
      pack_id: PACK,
      dim: D,
      quality: { blur: 1 },
      source: 'camera',
      usable: true,
      has_thumbnail: false,
    });
  });
});
