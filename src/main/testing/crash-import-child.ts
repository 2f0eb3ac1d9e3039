/**
 * Child process of the crash-consistency test: a bulk import of synthetic people (3 samples each,
 * random 128-d faces) into the database file given as argv[2], printing "enrolled <n>" after each
 * person so the parent can SIGKILL it part-way. Models are not needed: the samples arrive prepared.
 * With `pause`, every person's transaction also prints "in-transaction <key>" and then holds the
 * transaction open for a moment, so a kill on that line lands inside an uncommitted enrollment.
 *
 *   node bin/run-ts.mjs src/main/testing/crash-import-child.ts <db file> <people> [pause]
 */
import { getPack } from '../engine/manifest';
import type { FaceAnalyzer } from '../services/analyzer';
import { runImport, type ImportPlanItem } from '../services/bulk-import';
import { FaceService } from '../services/face-service';
import { openDb } from '../store/db';
import { ImportRepo } from '../store/import-repo';
import { syntheticFace, syntheticSample } from './synthetic-enrollment';
import { nearby, randomUnitVectors } from './synthetic-faces';

const [file, count, pause] = [process.argv[2], Number(process.argv[3] ?? 500), process.argv[4] === 'pause'];

/** Progress rows are written inside each enrollment's transaction: the place to stop in the middle. */
class PausingImports extends ImportRepo {
  override record(item: Parameters<ImportRepo['record']>[0]): void {
    super.record(item);
    if (!pause || item.status !== 'enrolled') return;
    process.stdout.write(`in-transaction ${item.source}\n`);
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // hold the transaction open (synchronously, as better-sqlite3 transactions are)
    }
  }
}
const db = openDb({ file });
const analyzer: FaceAnalyzer = {
  pack: getPack('mbf-y1'),
  analyzeImage: () => Promise.reject(new Error('no models in the crash test')),
};
const service = FaceService.open({ db, analyzer });
const items: ImportPlanItem[] = Array.from({ length: count }, (_, i) => ({
  key: `synthetic#${i}`,
  employeeNumber: `19900101${String(i).padStart(10, '0')}`,
  fullName: `Pegawai ${i}`,
  unit: `Unit ${i % 7}`,
  files: ['a', 'b', 'c'].map((s) => `${i}-${s}`),
}));
const bases = randomUnitVectors(count, 128, 42);
let enrolled = 0;
await runImport(
  items,
  {
    target: service,
    imports: new PausingImports(db),
    loadSample: async (f) => {
      const [i, s] = f.split('-');
      return syntheticSample(syntheticFace(nearby(bases[Number(i)], 0.85, Number(i) * 3 + s.charCodeAt(0))), {
        label: f,
      });
    },
  },
  {
    actor: { type: 'cli', id: 'crash-test' },
    consentMethod: 'signed form',
    allowDuplicates: true,
    policy: { minSamples: 3 },
    onItem: (_item, outcome) => {
      if (outcome === 'enrolled') process.stdout.write(`enrolled ${++enrolled}\n`);
    },
  },
);
process.stdout.write('done\n');
db.close();
