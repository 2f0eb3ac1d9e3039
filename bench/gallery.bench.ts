/**
 * Gallery benchmark: start-up load time of the in-memory gallery from SQLite, and identify latency,
 * for 10k and 100k people with 3 random L2-normalised templates each (128-d, the default pack's size),
 * in a temp database file. Also the cost of noticing another connection's write (an import while
 * the kiosk runs): one person enrolled through a second connection, then one identify.
 *
 *   node bin/run-ts.mjs bench/gallery.bench.ts [--people 10000,100000] [--dim 128] [--json out.json]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Identifier } from '../src/main/services/identify';
import { openDb } from '../src/main/store/db';
import { Gallery } from '../src/main/store/gallery';
import { PeopleRepo } from '../src/main/store/people-repo';
import { TemplatesRepo } from '../src/main/store/templates-repo';
import { randomUnitVectors } from '../src/main/testing/synthetic-faces';
import { percentile, table } from './stats';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '10000,100000' },
    dim: { type: 'string', default: '128' },
    json: { type: 'string' },
  },
});
const SIZES = values.people.split(',').map(Number);
const D = Number(values.dim);
const PER_PERSON = 3;
const PACK = 'bench-pack';
const PROBES = 200;

interface Row {
  people: number;
  templates: number;
  insertS: number;
  dbMb: number;
  loadMs: number;
  identifyP50Ms: number;
  identifyP95Ms: number;
  resyncMs: number;
  matrixMb: number;
}

const rows: Row[] = [];
// A pool of vectors reused with a per-row perturbation, so 300k random vectors need not be drawn.
const pool = randomUnitVectors(4096, D, 1);
const probes = randomUnitVectors(PROBES, D, 2);

for (const people of SIZES) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-gallery-bench-'));
  const file = path.join(dir, 'hadir.db');
  try {
    const db = openDb({ file });
    const peopleRepo = new PeopleRepo(db);
    const templates = new TemplatesRepo(db);
    let t0 = performance.now();
    const emb = new Float32Array(D);
    const BATCH = 5000;
    for (let start = 0; start < people; start += BATCH) {
      db.transaction(() => {
        for (let i = start; i < Math.min(people, start + BATCH); i++) {
          const p = peopleRepo.create({
            employeeNumber: `19800101${String(i).padStart(10, '0')}`,
            fullName: `Pegawai ${i}`,
            unit: `Unit ${i % 50}`,
          });
          for (let k = 0; k < PER_PERSON; k++) {
            const a = pool[(i * 7 + k) % pool.length];
            const b = pool[(i * 13 + k * 5 + 1) % pool.length];
            let n = 0;
            for (let j = 0; j < D; j++) {
              emb[j] = a[j] + 0.5 * b[j];
              n += emb[j] * emb[j];
            }
            n = Math.sqrt(n);
            for (let j = 0; j < D; j++) emb[j] /= n;
            templates.insert({ personId: p.id, packId: PACK, embedding: emb, source: 'import' });
          }
        }
      })();
    }
    const insertS = (performance.now() - t0) / 1000;
    db.close();

    // Start-up: a fresh connection, as the app opens it, then the gallery load.
    const kiosk = openDb({ file });
    const kioskTemplates = new TemplatesRepo(kiosk);
    t0 = performance.now();
    const gallery = Gallery.load(kiosk, kioskTemplates, PACK, D);
    const loadMs = performance.now() - t0;
    // The matrix (with its growth headroom) is the gallery's memory; the id arrays add 12 bytes a row.
    const matrixMb = (gallery.stats().capacity * (D * 4 + 12)) / 2 ** 20;
    const identifier = new Identifier(gallery, new PeopleRepo(kiosk), () => ({
      threshold: 0.3,
      margin: 0.1,
      thresholdSource: 'pack',
    }));
    for (let i = 0; i < 10; i++) identifier.identify(probes[i]);
    const times: number[] = [];
    for (const p of probes) {
      const t = performance.now();
      identifier.identify(p);
      times.push(performance.now() - t);
    }
    // Another process enrolls someone; the next identify notices and applies it.
    const cli = openDb({ file });
    cli.transaction(() => {
      const p = new PeopleRepo(cli).create({ employeeNumber: 'new', fullName: 'Baru' });
      for (let k = 0; k < PER_PERSON; k++)
        new TemplatesRepo(cli).insert({ personId: p.id, packId: PACK, embedding: pool[k], source: 'import' });
    })();
    cli.close();
    t0 = performance.now();
    identifier.identify(probes[0]);
    const resyncMs = performance.now() - t0;
    if (gallery.size !== people * PER_PERSON + PER_PERSON) throw new Error(`gallery has ${gallery.size} rows`);
    kiosk.close();
    rows.push({
      people,
      templates: people * PER_PERSON,
      insertS,
      dbMb: statSync(file).size / 2 ** 20,
      loadMs,
      identifyP50Ms: percentile(times, 50),
      identifyP95Ms: percentile(times, 95),
      resyncMs,
      matrixMb,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `gallery: ${D}-d, ${PER_PERSON} templates/person, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism?.() ?? os.cpus().length}`,
);
console.log(
  table(
    [
      'people',
      'templates',
      'insert s',
      'db MB',
      'load ms',
      'identify p50 ms',
      'p95 ms',
      'resync+identify ms',
      'matrix MB',
    ],
    rows.map((r) => [
      String(r.people),
      String(r.templates),
      r.insertS,
      r.dbMb,
      r.loadMs,
      r.identifyP50Ms,
      r.identifyP95Ms,
      r.resyncMs,
      r.matrixMb,
    ]),
  ),
);
if (values.json) writeFileSync(values.json, JSON.stringify({ dim: D, perPerson: PER_PERSON, rows }, null, 2));
