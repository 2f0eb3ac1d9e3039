import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelPack } from '../engine/manifest';
import { startTestHub, TEST_ACTOR, TEST_PACK, type TestHub } from '../testing/postgres-hub';
import { staticSettings } from './face-api';
import { HubGallery } from './gallery';
import { ChangeNotifier } from './notifier';
import { addPerson, addTemplates, deletePerson } from './people';
import { addSite } from './sites';

/**
 * The organisation's gallery loaded page by page from a real PostgreSQL: pages of 2 rows, so every
 * boundary of the start-up load (people pages, template pages asked for ahead, site matrices sized in
 * advance) is crossed many times, and what it holds is compared with what was stored.
 */

const DIM = 8;
const PACK = { id: TEST_PACK, recognizer: { embeddingSize: DIM }, thresholds: { match: 0.5 } } as unknown as ModelPack;

/** A unit vector pointing mostly along axis `i` (people differ by axis, their templates only slightly). */
function unit(i: number, wobble: number): Float32Array {
  const v = new Float32Array(DIM).fill(0.01);
  v[i % DIM] = 1;
  v[(i + 1) % DIM] += wobble;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
  await addSite(t.hub.pool, { code: 'JKT', name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
  await addSite(t.hub.pool, { code: 'BDG', name: 'Bandung', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
  // 7 people: 4 at JKT, 3 at BDG, one of BDG's also allowed at JKT; 3, 2 or 1 templates each.
  for (let i = 0; i < 7; i++) {
    const home = i < 4 ? 'JKT' : 'BDG';
    await addPerson(
      t.hub.pool,
      { employeeNumber: `P${i}`, fullName: `Person ${i}`, homeSite: home, alsoSites: i === 6 ? ['JKT'] : [] },
      TEST_ACTOR,
    );
    const n = 1 + (i % 3);
    await addTemplates(
      t.hub.pool,
      `P${i}`,
      Array.from({ length: n }, (_, k) => ({ packId: TEST_PACK, embedding: unit(i, k * 0.05), source: `t${k}` })),
      TEST_ACTOR,
    );
  }
  // Someone deleted before the load is not in it.
  await deletePerson(t.hub.pool, 'P5', TEST_ACTOR);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('the hub gallery, loaded in small pages', () => {
  it('holds every stored template of every active person, per site as allowed, and names them', async () => {
    const notifier = new ChangeNotifier(t.db.url, { pollMs: 60_000 });
    await notifier.start();
    const gallery = new HubGallery(t.hub.pool, notifier, PACK, staticSettings({}), { pageSize: 2 });
    try {
      gallery.start();
      await gallery.ready;
      // Templates: 1+2+3+1+2 (P0..P4) + 1 (P6) = 10; P5 (3 templates) was deleted.
      expect(gallery.stats()).toMatchObject({ state: 'ready', templates: 10, people: 6, sites: 2 });
      const org = gallery.identity();
      expect(org.gallerySize()).toBe(10);
      const jkt = await org.forSite!('JKT');
      const bdg = await org.forSite!('BDG');
      // JKT: P0..P3 (1+2+3+1) and P6 (1); BDG: P4 (2) and P6 (1).
      expect(jkt.gallerySize()).toBe(8);
      expect(bdg.gallerySize()).toBe(3);
      for (const i of [0, 1, 2, 3, 4, 6]) {
        expect(org.identifyFaces([unit(i, 0.02)])[0].employee_number).toBe(`P${i}`);
      }
      expect(jkt.identifyFaces([unit(4, 0.02)])[0].employee_number).not.toBe('P4');
      expect(bdg.identifyFaces([unit(6, 0.02)])[0].employee_number).toBe('P6');
      expect(org.identifyFaces([unit(5, 0.02)])[0].employee_number).not.toBe('P5');
    } finally {
      await gallery.close();
      await notifier.close();
    }
  });
});
