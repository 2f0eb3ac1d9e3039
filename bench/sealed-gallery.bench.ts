/**
 * What sealing templates at rest costs the gallery: a full load of N templates from SQLite, the rows in
 * the clear (as before migration 9) and then the same rows sealed (AES-256-GCM, one envelope per row),
 * in one process on one database, best of a few runs each. Also the bare cost of opening N envelopes
 * with no SQLite around it.
 *
 *   node bin/run-ts.mjs bench/sealed-gallery.bench.ts [--templates 30000] [--dims 128,512] [--runs 5] [--json out.json]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { keyringOf, templateAad } from '../src/main/store/data-cipher';
import { sealRows } from '../src/main/store/data-encryption';
import { openDb } from '../src/main/store/db';
import { Gallery } from '../src/main/store/gallery';
import { TemplatesRepo } from '../src/main/store/templates-repo';
import { randomUnitVectors } from '../src/main/testing/synthetic-faces';
import { table } from './stats';

const { values } = parseArgs({
  options: {
    templates: { type: 'string', default: '30000' },
    dims: { type: 'string', default: '128,512' },
    runs: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
});
const N = Number(values.templates);
const RUNS = Number(values.runs);
const PACK = 'bench-pack';

/** Best wall time and best CPU time (user + system) of RUNS runs, ms: on a shared machine the CPU time is the steadier. */
const best = (f: () => void) => {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
};

const rows: Record<string, string | number>[] = [];
for (const dim of values.dims.split(',').map(Number)) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-sealed-bench-'));
  try {
    const db = openDb({ file: path.join(dir, 'hadir.db'), keyFile: path.join(dir + '-keys', 'data.key') });
    const pool = randomUnitVectors(1024, dim, 3);
    // Rows in the clear, as a database from before migration 9 holds them (sealed below, in place).
    db.transaction(() => {
      const person = db.prepare(
        "INSERT INTO people (employee_number, full_name, created_at, updated_at) VALUES (?, 'x', '', '')",
      );
      const template = db.prepare(
        `INSERT INTO face_templates (person_id, pack_id, dim, embedding, source, created_at)
         VALUES (?, ?, ?, ?, 'import', '')`,
      );
      for (let i = 0; i < N; i++) {
        const p = i % 3 === 0 ? Number(person.run(String(i)).lastInsertRowid) : Math.ceil(i / 3);
        const e = pool[i % pool.length];
        template.run(p, PACK, dim, Buffer.from(e.buffer, e.byteOffset, e.byteLength));
      }
    })();
    const templates = new TemplatesRepo(db);
    const load = () => {
      const g = Gallery.load(db, templates, PACK, dim);
      if (g.size !== N) throw new Error(`loaded ${g.size} of ${N}`);
    };
    const plainMs = best(load);
    const t0 = performance.now();
    sealRows(db, { plaintextOnly: true });
    const sealS = (performance.now() - t0) / 1000;
    const sealedMs = best(load);
    // The envelopes alone: open every row's embedding, nothing else.
    const keyring = keyringOf(db)!;
    const stored = db.prepare('SELECT id, person_id, embedding FROM face_templates').raw().all() as [
      number,
      number,
      Buffer,
    ][];
    const openMs = best(() => {
      for (const [id, person, b] of stored) keyring.open(b, templateAad('embedding', id, person));
    });
    rows.push({
      dim: String(dim),
      templates: String(N),
      'load plain ms (cpu)': `${Math.round(plainMs.wall)} (${Math.round(plainMs.cpu)})`,
      'load sealed ms (cpu)': `${Math.round(sealedMs.wall)} (${Math.round(sealedMs.cpu)})`,
      'open only ms (cpu)': `${Math.round(openMs.wall)} (${Math.round(openMs.cpu)})`,
      'cpu µs per template': Number(((openMs.cpu * 1000) / N).toFixed(1)),
      'seal all once s': Number(sealS.toFixed(2)),
    });
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dir + '-keys', { recursive: true, force: true });
  }
}
const header = Object.keys(rows[0] ?? {});
process.stdout.write(
  `${table(
    header,
    rows.map((r) => header.map((h) => r[h])),
  )}\n(node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, best of ${RUNS})\n`,
);
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
