import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncPersonUpsert } from '../../shared/sync-protocol';
import { openPipeline } from '../engine/open-pipeline';
import type { FacePipeline } from '../engine/pipeline';
import { pipelineAnalyzer } from '../services/analyzer';
import { planImport, runImport, type ImportDeps, type ImportOptions } from '../services/bulk-import';
import { prepareSample } from '../services/enrollment';
import { ENVELOPE_OVERHEAD } from '../store/data-cipher';
import { facesDir, haveSharedData, repoRoot } from '../testing/paths';
import { drain, pairKiosk, startTestHub, TEST_ACTOR, TEST_HUB_KEY_ENV, type TestHub } from '../testing/postgres-hub';
import { runHadir } from '../testing/run-cli';
import { decodeImage } from '../vision/decode';
import { hubSettingsFromEnv } from './face-api';
import { HubGallery } from './gallery';
import { HubImportProgress, HubImportTarget } from './import';
import { addSite } from './sites';
import { keyringFor } from './store/data-key';

/**
 * `hadir hub import` on a real PostgreSQL with real photos: the kiosk's import procedure and
 * enrollment rules, the organisation-wide duplicate check, one transaction per person.
 */

const opts: ImportOptions = { actor: TEST_ACTOR, consentMethod: 'signed form (HR archive)' };

/** A folder as HR hands it over, with a photo without a face, one too small, and one person twice. */
function makeFolder(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hadir-hub-import-'));
  const files: Record<string, string> = {
    '100001/a.jpg': '0c5e25d359f6.jpg', // Ariel Sharon
    '100001/b.jpg': '22e82d129abd.jpg',
    '100002/1.jpg': 'f7993a058288.jpg', // Hugo Chavez
    '100002/2.jpg': '245237f5b3ef.jpg',
    '100003.jpg': '0746dd380003.jpg', // John Salley, two loose files
    '100003_2.jpg': '34ad49000741.jpg',
    '100004.jpg': '3c386e553b62.jpg', // no face
    '100005/only.jpg': '7d5c7ded953d.jpg', // Colin Powell, eyes 39.8 px apart
    '100006/x.jpg': '08522604e8c9.jpg', // Ariel Sharon again, under another number
    ...extra,
  };
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    copyFileSync(path.join(facesDir, from), path.join(root, to));
  }
  return root;
}

async function count(t: TestHub, table: string): Promise<number> {
  const { rows } = await t.hub.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return rows[0].n;
}

describe.skipIf(!haveSharedData())('hub import (real PostgreSQL, real photos)', () => {
  let pipeline: FacePipeline;
  let t: TestHub;
  let gallery: HubGallery;
  let folder: string;
  let deps: ImportDeps<pg.PoolClient>;
  let kioskCredential: string;

  beforeAll(async () => {
    pipeline = await openPipeline(undefined);
    t = await startTestHub();
    kioskCredential = (await pairKiosk(t, 'JKT', pipeline.pack.id)).credential;
    await addSite(t.hub.pool, { code: 'SBY', name: 'Surabaya', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    gallery = new HubGallery(t.hub.pool, t.hub.notifier, pipeline.pack, hubSettingsFromEnv({}, pipeline.pack.id));
    gallery.start();
    const analyzer = pipelineAnalyzer(pipeline);
    deps = {
      target: await HubImportTarget.open(t.hub.pool, gallery, { site: 'JKT', pack: pipeline.pack }),
      imports: new HubImportProgress(t.hub.pool),
      loadSample: async (file) => {
        const img = await decodeImage(await readFile(file));
        return prepareSample(img, await analyzer.analyzeImage(img), { source: 'import', label: path.basename(file) });
      },
    };
    folder = makeFolder();
  }, 120_000);
  afterAll(async () => {
    await gallery?.close();
    await t?.close();
    await pipeline?.dispose();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const counts = async () => ({
    people: await count(t, 'people'),
    templates: await count(t, 'face_templates'),
    consents: await count(t, 'consents'),
    progress: await count(t, 'import_items'),
  });

  it('enrolls at the site, refuses a duplicate and bad photos with reasons, and a re-run enrolls nobody twice', async () => {
    const plan = planImport(folder);
    const first = await runImport(plan.items, deps, opts);
    expect(first).toMatchObject({ total: 6, enrolled: 3, skipped: 0, doneBefore: 0, failed: [] });
    const reasons = Object.fromEntries(first.rejected.map((r) => [r.employeeNumber, r.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['100004', '100005', '100006']);
    expect(reasons['100004']).toMatch(/^too_few_samples: .*no_face/);
    expect(reasons['100005']).toMatch(/inter_ocular 39\.8 < 40/);
    // Sharon under a second number: found among the people this same run enrolled a moment before.
    expect(reasons['100006']).toMatch(/^duplicate: this face already identifies as 100001 \(100001, similarity/);
    const after = await counts();
    expect(after).toEqual({ people: 3, templates: 6, consents: 3, progress: 6 });

    const pool = t.hub.pool;
    const { rows: people } = await pool.query<{ employee_number: string; site: string; templates: number }>(
      `SELECT p.employee_number, s.code AS site, (SELECT count(*) FROM face_templates t WHERE t.person_id = p.id) AS templates,
              p.duplicate_check
         FROM people p JOIN sites s ON s.id = p.home_site_id ORDER BY 1`,
    );
    // The organisation-wide check's outcome is kept for the console's people list.
    expect(people).toEqual([
      { employee_number: '100001', site: 'JKT', templates: 2, duplicate_check: 'passed' },
      { employee_number: '100002', site: 'JKT', templates: 2, duplicate_check: 'passed' },
      { employee_number: '100003', site: 'JKT', templates: 2, duplicate_check: 'passed' },
    ]);
    // Sealed at rest under the hub's data key.
    const { rows: templates } = await pool.query<{ key_id: number; dim: number; len: number; pack_id: string }>(
      'SELECT key_id, dim, octet_length(embedding) AS len, pack_id FROM face_templates',
    );
    for (const r of templates) {
      expect(r).toMatchObject({ key_id: keyringFor(pool).current.id, pack_id: pipeline.pack.id });
      expect(r.len).toBe(r.dim * 4 + ENVELOPE_OVERHEAD);
    }
    const { rows: consents } = await pool.query('SELECT method, recorded_by FROM consents');
    expect(consents).toEqual(Array(3).fill({ method: 'signed form (HR archive)', recorded_by: 'system:test' }));
    const { rows: audit } = await pool.query<{ target_id: string; details: Record<string, unknown> }>(
      "SELECT target_id, details FROM audit_log WHERE action = 'person.enroll' ORDER BY target_id",
    );
    expect(audit.map((a) => a.target_id)).toEqual(['100001', '100002', '100003']);
    expect(audit[0].details).toMatchObject({ employee_number: '100001', pack: pipeline.pack.id, site: 'JKT' });
    expect(audit[0].details.templates).toHaveLength(2);
    // Progress rows name the person (enrolled) or the reason (rejected).
    const items = await (deps.imports as HubImportProgress).list(first.runId);
    const outcomes = items.map((i) => [path.relative(folder, i.source.replace('#', path.sep)), i.status]);
    expect(outcomes.sort()).toEqual([
      ['100001', 'enrolled'],
      ['100002', 'enrolled'],
      ['100003', 'enrolled'],
      ['100004', 'rejected'],
      ['100005', 'rejected'],
      ['100006', 'rejected'],
    ]);
    expect(items.filter((i) => i.status === 'enrolled').every((i) => i.person_id !== null)).toBe(true);
    expect(items.find((i) => i.source.endsWith('100006'))!.reason).toMatch(/^duplicate/);

    // The site's kiosk receives them with their templates, through the change log.
    const feed = await drain(t.url, kioskCredential);
    const received = new Map(
      feed.items
        .filter((i): i is SyncPersonUpsert => i.type === 'person')
        .map((i) => [i.person.employee_number, i.person.templates.length]),
    );
    expect([...received].sort()).toEqual([
      ['100001', 2],
      ['100002', 2],
      ['100003', 2],
    ]);

    // Again: everything was done by the first run.
    expect(await runImport(plan.items, deps, opts)).toMatchObject({ enrolled: 0, doneBefore: 6, rejected: [] });
    expect(await counts()).toEqual(after);
    // Retrying the rejected ones refuses them again, and enrolls nobody twice.
    const retry = await runImport(plan.items, deps, { ...opts, retryRejected: true });
    expect(retry).toMatchObject({ enrolled: 0, doneBefore: 3 });
    expect(retry.rejected.map((r) => r.employeeNumber).sort()).toEqual(['100004', '100005', '100006']);
    expect(await counts()).toEqual(after);
    // The same people from another folder are already enrolled: skipped and recorded.
    const elsewhere = plan.items.slice(0, 2).map((i) => ({ ...i, key: `${i.key}-copy` }));
    expect(await runImport(elsewhere, deps, opts)).toMatchObject({ skipped: 2, enrolled: 0 });
    expect(await counts()).toEqual({ ...after, progress: 8 });
  }, 300_000);

  it('gives templates to someone already at the hub without any, keeping their home site', async () => {
    const { addPerson } = await import('./people');
    await addPerson(t.hub.pool, { employeeNumber: '200001', fullName: 'Tony Blair', homeSite: 'SBY' }, TEST_ACTOR);
    const root = mkdtempSync(path.join(os.tmpdir(), 'hadir-hub-import-2-'));
    try {
      mkdirSync(path.join(root, '200001'));
      copyFileSync(path.join(facesDir, '5fd878a81464.jpg'), path.join(root, '200001', 'a.jpg'));
      const s = await runImport(planImport(root).items, deps, opts);
      expect(s).toMatchObject({ enrolled: 1, rejected: [] });
      const { rows } = await t.hub.pool.query(
        `SELECT s.code, (SELECT count(*) FROM face_templates t WHERE t.person_id = p.id) AS n
           FROM people p JOIN sites s ON s.id = p.home_site_id WHERE p.employee_number = '200001'`,
      );
      expect(rows).toEqual([{ code: 'SBY', n: 1 }]);
      const { rows: audit } = await t.hub.pool.query(
        "SELECT action FROM audit_log WHERE target_id = '200001' ORDER BY id",
      );
      expect(audit.map((a) => a.action)).toEqual(['person.create', 'person.templates.add']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(!haveSharedData())('hadir hub import (the CLI)', () => {
  let t: TestHub;
  let env: NodeJS.ProcessEnv;
  const folders: string[] = [];
  beforeAll(async () => {
    t = await startTestHub();
    await addSite(t.hub.pool, { code: 'JKT', name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    env = { HADIR_HUB_DATABASE_URL: t.db.url, ...TEST_HUB_KEY_ENV };
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });

  it('imports, says who was rejected and why, resumes, and refuses an unknown site', async () => {
    const folder = makeFolder();
    folders.push(folder);
    const first = await runHadir(['hub', 'import', '--site', 'JKT', folder, '--json'], env);
    expect(first.code, first.stderr).toBe(1); // some rejected
    const s = JSON.parse(first.stdout);
    expect(s).toMatchObject({ total: 6, enrolled: 3, doneBefore: 0 });
    expect(s.rejected.map((r: { employeeNumber: string }) => r.employeeNumber).sort()).toEqual([
      '100004',
      '100005',
      '100006',
    ]);
    const again = await runHadir(['hub', 'import', '--site', 'JKT', folder], env);
    expect(again.stdout).toMatch(
      /6 in the folder: 0 enrolled, 0 already enrolled, 6 done by an earlier run, 0 rejected/,
    );
    expect(again.code).toBe(0);
    expect(await count(t, 'people')).toBe(3);

    const listed = await runHadir(['hub', 'people', '--site', 'JKT', '--json'], env);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((p: { employee_number: string; templates: number }) => [p.employee_number, p.templates]),
    ).toEqual([
      ['100001', 2],
      ['100002', 2],
      ['100003', 2],
    ]);

    const nowhere = await runHadir(['hub', 'import', '--site', 'NOPE', folder], env);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/no site "NOPE"/);
    const usage = await runHadir(['hub', 'import', folder], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--site CODE/);
  }, 300_000);

  it('killed -9 in the middle, then run again: every person enrolled once, each with their progress row', async () => {
    // Eight more people, so the kill lands between two of them.
    const more: Record<string, string> = {
      '300001.jpg': 'b559818d8704.jpg', // George W Bush
      '300002.jpg': '5fd878a81464.jpg', // Tony Blair
      '300003.jpg': '8900ddf30b90.jpg', // John Schneider
      '300004.jpg': '0930e3aa8cae.jpg', // Barack Obama
      '300005.jpg': '87699d2006c0.jpg', // Colin Powell
      '300006.jpg': '3c17508bb915.jpg', // Joe Biden
      '300007.png': 'a1649b290794.png', // Amy
      '300008.jpeg': '74872ce95f0a.jpeg', // Kit Harington
    };
    const root = mkdtempSync(path.join(os.tmpdir(), 'hadir-hub-import-kill-'));
    folders.push(root);
    for (const [to, from] of Object.entries(more)) copyFileSync(path.join(facesDir, from), path.join(root, to));
    const sources = planImport(root).items.map((i) => i.key);
    const progressOf = async () =>
      (
        await t.hub.pool.query<{ source: string; status: string; person_id: number | null }>(
          'SELECT source, status, person_id FROM import_items WHERE source = ANY($1)',
          [sources],
        )
      ).rows;

    const child: ChildProcess = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/hadir.mjs'), 'hub', 'import', '--site', 'JKT', root],
      { cwd: repoRoot, env: { ...process.env, ...env }, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 240_000;
    while ((await progressOf()).length === 0 && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    const killed = await progressOf();
    console.log(`[hub import] killed -9 after ${killed.length} of ${sources.length} people`);
    expect(killed.length).toBeGreaterThan(0);

    // Whatever the kill cut off: no person without a progress row, no progress row without its person.
    const consistent = async () => {
      const rows = await progressOf();
      const { rows: people } = await t.hub.pool.query<{ id: number; n: number }>(
        `SELECT p.id, (SELECT count(*) FROM face_templates f WHERE f.person_id = p.id) AS n
           FROM people p WHERE p.employee_number LIKE '3000%'`,
      );
      const enrolled = rows.filter((r) => r.status === 'enrolled').map((r) => r.person_id);
      expect(enrolled.sort()).toEqual(people.map((p) => p.id).sort());
      expect(people.every((p) => p.n === 1)).toBe(true);
      return rows;
    };
    await consistent();

    const rest = await runHadir(['hub', 'import', '--site', 'JKT', root, '--json'], env);
    const summary = JSON.parse(rest.stdout);
    expect(summary.doneBefore).toBe(killed.length);
    const final = await consistent();
    expect(final).toHaveLength(sources.length);
    expect(summary.enrolled + summary.rejected.length + summary.skipped).toBe(sources.length - killed.length);
  }, 400_000);
});
