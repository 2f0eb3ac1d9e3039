import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPipeline } from '../engine/open-pipeline';
import type { FacePipeline } from '../engine/pipeline';
import { openDb } from '../store/db';
import { ImportRepo } from '../store/import-repo';
import { facesDir, haveSharedData } from '../testing/paths';
import { tempDb } from '../testing/temp-db';
import { decodeImage } from '../vision/decode';
import { pipelineAnalyzer } from './analyzer';
import { parseCsv, planImport, runImport, type ImportOptions } from './bulk-import';
import { FaceService } from './face-service';
import { runHadir } from '../testing/run-cli';

const actor = { type: 'cli' as const, id: 'tester' };
const opts: ImportOptions = { actor, consentMethod: 'signed form (HR archive)' };

/** A folder as HR would hand it over: folders and files named by employee number, a bad photo or two. */
function makeImportFolder(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hadir-import-src-'));
  const put = (file: string, to: string) => {
    mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    copyFileSync(path.join(facesDir, file), path.join(root, to));
  };
  put('0c5e25d359f6.jpg', '100001/a.jpg'); // Ariel Sharon
  put('22e82d129abd.jpg', '100001/b.jpg');
  put('f7993a058288.jpg', '100002/1.jpg'); // Hugo Chavez
  put('245237f5b3ef.jpg', '100002/2.jpg');
  put('0746dd380003.jpg', '100003.jpg'); // John Salley, two loose files
  put('34ad49000741.jpg', '100003_2.jpg');
  put('3c386e553b62.jpg', '100004.jpg'); // no face
  put('7d5c7ded953d.jpg', '100005/only.jpg'); // Colin Powell, eyes 39.8 px apart
  writeFileSync(path.join(root, 'notes.txt'), 'not an image');
  mkdirSync(path.join(root, 'empty'));
  return root;
}

describe('import plans', () => {
  it('reads folders and files named by employee number', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'hadir-plan-'));
    try {
      for (const f of ['111/a.jpg', '111/b.png', '222.jpg', '222_2.JPG', '333_x.jpg', '.hidden.jpg', 'readme.md']) {
        mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
        writeFileSync(path.join(root, f), '');
      }
      mkdirSync(path.join(root, 'empty'));
      const plan = planImport(root);
      expect(plan.items.map((i) => [i.employeeNumber, i.files.map((f) => path.relative(root, f))])).toEqual([
        ['111', [path.join('111', 'a.jpg'), path.join('111', 'b.png')]],
        ['222', ['222.jpg', '222_2.JPG']],
        ['333_x', ['333_x.jpg']],
      ]);
      expect(plan.items[0].key).toBe(path.join(root, '111'));
      expect(plan.items[1].key).toBe(`${root}#222`);
      expect(plan.problems).toEqual(['empty/: no images']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads a CSV map with quoted names, a BOM, semicolons and missing files', () => {
    expect(parseCsv('a,b\r\n"Dr. Budi, S.Kom.","say ""hi""\nthere"\n')).toEqual([
      ['a', 'b'],
      ['Dr. Budi, S.Kom.', 'say "hi"\nthere'],
    ]);
    expect(parseCsv('file;nip\nx.jpg;1\n')).toEqual([
      ['file', 'nip'],
      ['x.jpg', '1'],
    ]);
    const root = mkdtempSync(path.join(os.tmpdir(), 'hadir-plan-csv-'));
    try {
      writeFileSync(path.join(root, 'p1.jpg'), '');
      writeFileSync(path.join(root, 'p2.jpg'), '');
      const csv = path.join(root, 'map.csv');
      writeFileSync(
        csv,
        '\uFEFFfile,employee_number,name,unit\np1.jpg,198501012010011001,"Dr. Budi Santoso, S.Kom.",Keuangan\np2.jpg,198501012010011001,,\ngone.jpg,2,X,\n',
      );
      const plan = planImport(root, { csv });
      expect(plan.items).toEqual([
        {
          key: `${root}#198501012010011001`,
          employeeNumber: '198501012010011001',
          fullName: 'Dr. Budi Santoso, S.Kom.',
          unit: 'Keuangan',
          files: [path.join(root, 'p1.jpg'), path.join(root, 'p2.jpg')],
        },
      ]);
      expect(plan.problems).toEqual(['map.csv line 4: gone.jpg not found']);
      writeFileSync(csv, 'photo,name\n');
      expect(() => planImport(root, { csv })).toThrow(/file and employee_number/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!haveSharedData())('bulk import with real photos', () => {
  let pipeline: FacePipeline;
  let folder: string;
  beforeAll(async () => {
    pipeline = await openPipeline(undefined);
    folder = makeImportFolder();
  });
  afterAll(async () => {
    await pipeline?.dispose();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  function setUp() {
    const t = tempDb('hadir-import-');
    const service = FaceService.open({ db: t.db, analyzer: pipelineAnalyzer(pipeline) });
    const deps = {
      target: service,
      imports: new ImportRepo(t.db),
      loadSample: async (file: string) =>
        service.prepareSample(await decodeImage(await readFile(file)), {
          source: 'import' as const,
          label: path.basename(file),
        }),
    };
    const counts = () => ({
      people: service.people.count(),
      templates: t.db.prepare('SELECT count(*) FROM face_templates').pluck().get(),
      consents: t.db.prepare('SELECT count(*) FROM consents').pluck().get(),
    });
    return { t, service, deps, counts };
  }

  it('enrolls, rejects with reasons, and a re-run changes nothing', async () => {
    const { t, service, deps, counts } = setUp();
    try {
      const plan = planImport(folder);
      expect(plan.items.map((i) => i.employeeNumber)).toEqual(['100001', '100002', '100003', '100004', '100005']);
      const first = await runImport(plan.items, deps, opts);
      console.log(
        `[import] first run: ${JSON.stringify({ ...first, rejected: first.rejected.map((r) => `${r.employeeNumber}: ${r.reason}`) })}`,
      );
      expect(first).toMatchObject({ total: 5, enrolled: 3, skipped: 0, doneBefore: 0, failed: [] });
      expect(first.rejected.map((r) => r.employeeNumber).sort()).toEqual(['100004', '100005']);
      expect(first.rejected.find((r) => r.employeeNumber === '100004')!.reason).toMatch(/no_face/);
      expect(first.rejected.find((r) => r.employeeNumber === '100005')!.reason).toMatch(/inter_ocular 39\.8 < 40/);
      const after = counts();
      expect(after).toEqual({ people: 3, templates: 6, consents: 3 });
      expect(service.getPersonByEmployeeNumber('100003')!.full_name).toBe('100003');
      expect(service.galleryStats()).toMatchObject({ people: 3, templates: 6 });

      const second = await runImport(plan.items, deps, opts);
      expect(second).toMatchObject({ enrolled: 0, skipped: 0, doneBefore: 5, rejected: [] });
      expect(counts()).toEqual(after);
      // Retrying the rejected ones rejects them again, without duplicates.
      const retry = await runImport(plan.items, deps, { ...opts, retryRejected: true });
      expect(retry).toMatchObject({ enrolled: 0, doneBefore: 3 });
      expect(retry.rejected).toHaveLength(2);
      expect(counts()).toEqual(after);
      // The same people under another folder are already enrolled: skipped, recorded, not duplicated.
      const elsewhere = plan.items.slice(0, 2).map((i) => ({ ...i, key: `${i.key}-copy` }));
      expect(await runImport(elsewhere, deps, opts)).toMatchObject({ skipped: 2, enrolled: 0 });
      expect(counts()).toEqual(after);
      expect(deps.imports.get(`${plan.items[0].key}-copy`)).toMatchObject({
        status: 'skipped',
        reason: 'already enrolled',
      });
    } finally {
      t.cleanup();
    }
  });

  it('resumes an interrupted run where it stopped, without enrolling anyone twice', async () => {
    const { t, deps, counts } = setUp();
    try {
      const plan = planImport(folder);
      const stop = new AbortController();
      const partial = await runImport(plan.items, deps, { ...opts, signal: stop.signal, onItem: () => stop.abort() });
      expect(partial).toMatchObject({ enrolled: 1 });
      expect(counts().people).toBe(1);
      const rest = await runImport(plan.items, deps, opts);
      expect(rest).toMatchObject({ enrolled: 2, doneBefore: 1 });
      expect(rest.rejected).toHaveLength(2);
      expect(counts()).toEqual({ people: 3, templates: 6, consents: 3 });
      const numbers = t.db.prepare('SELECT employee_number FROM people ORDER BY 1').pluck().all();
      expect(numbers).toEqual(['100001', '100002', '100003']);
    } finally {
      t.cleanup();
    }
  });
});

describe.skipIf(!haveSharedData())('hadir import, people, identify', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-cli-data-'));
  const folder = haveSharedData() ? makeImportFolder() : '';
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    if (folder) rmSync(folder, { recursive: true, force: true });
  });
  const hadir = (...args: string[]) => runHadir(args, { HADIR_DATA_DIR: dataDir });

  it('imports a folder (resumably), lists the people and identifies new photos of them', async () => {
    const first = await hadir('import', folder, '--json');
    expect(first.code).toBe(1); // two people rejected
    const s1 = JSON.parse(first.stdout);
    expect(s1).toMatchObject({ total: 5, enrolled: 3, doneBefore: 0 });
    const again = await hadir('import', folder);
    expect(again.stdout).toMatch(
      /5 in the folder: 0 enrolled, 0 already enrolled, 5 done by an earlier run, 0 rejected/,
    );
    expect(again.code).toBe(0);

    const people = await hadir('people', '--json');
    expect(people.code).toBe(0);
    const list = people.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      list.map((p: { employee_number: string; templates: number }) => [p.employee_number, p.templates]).sort(),
    ).toEqual([
      ['100001', 2],
      ['100002', 2],
      ['100003', 2],
    ]);
    const table = await hadir('people', '--search', '10000');
    expect(table.stdout).toMatch(/3 people/);

    const sharon = path.join(facesDir, '08522604e8c9.jpg'); // another photo of 100001
    const stranger = path.join(facesDir, '8545da294e8c.png'); // Tom Hanks: not enrolled
    const id = await hadir('identify', '--json', sharon, stranger, 'missing.jpg');
    expect(id.code).toBe(1);
    const [a, b, c] = id.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(a.image).toBe(sharon);
    expect(a.faces[0].bbox).toHaveLength(4);
    expect(a.faces[0].landmarks).toHaveLength(5);
    expect(a.faces[0].identity).toMatchObject({ employee_number: '100001', name: '100001', decision: 'match' });
    expect(Object.keys(a.faces[0].identity).sort()).toEqual([
      'decision',
      'employee_number',
      'name',
      'person_id',
      'score',
      'second_score',
    ]);
    expect(b.faces[0].identity).toMatchObject({ person_id: null, decision: 'unknown' });
    expect(c.error.code).toBe('NOT_FOUND');
    // The CLI's changes are audited under the OS user.
    const db = openDb({ file: path.join(dataDir, 'hadir.db') });
    try {
      expect(
        db
          .prepare("SELECT count(*) FROM audit_log WHERE action = 'person.enroll' AND actor_type = 'cli'")
          .pluck()
          .get(),
      ).toBe(3);
    } finally {
      db.close();
    }
  });
});
