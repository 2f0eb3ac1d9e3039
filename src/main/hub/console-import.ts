import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { HadirError } from '../../shared/errors';
import type { ImportRejectionView } from '../../shared/hub-admin';
import type { Actor } from '../../shared/people';
import {
  DEFAULT_IMPORT_CONSENT,
  type ImportOutcome,
  type ImportPlan,
  type ImportRejection,
  planImport,
  runImport,
} from '../services/bulk-import';
import { type ConsolePrincipal, requireSiteAccess } from './console-auth';
import type { HubContext } from './http';
import { withRetryAfter } from './http';
import { HubImportProgress, HubImportTarget, importSampleLoader } from './import';
import { PHOTO_ZIP_LIMITS, type PhotoZipLimits, saveUpload, unpackPhotoZip, zipRefused } from './photo-zip';
import { requireSite } from './sites';
import { recordAudit } from './store/audit';
import * as store from './store/console-imports';
import { inTransaction } from './store/db';

/**
 * The console's photo import: a zip uploaded to the hub becomes `hadir hub import` run inside the hub
 * process — the same plan (services/bulk-import.ts), the same target (HubImportTarget: enrollment rules,
 * the organisation-wide duplicate check with the hub's gallery, one transaction per person) — with the
 * engine the face API already runs. The upload is unpacked and planned while the request waits (a bad
 * archive is a 400), then the people are enrolled in the background while the console polls the
 * progress row (store/console-imports.ts). The photos are biometric data: they live in a private temp
 * folder that is deleted when the import ends, however it ends.
 */

/** The private temp folders of uploads (tests check none is left). */
export const CONSOLE_IMPORT_PREFIX = 'hadir-console-import-';

/** Imports one hub process runs at once: each keeps the engine busy; more would only queue behind it. */
const MAX_RUNNING = 2;

interface Job {
  id: string;
  abort: AbortController;
  done: Promise<void>;
}

const jobs = new WeakMap<HubContext, Set<Job>>();
const jobsOf = (ctx: HubContext) => {
  let s = jobs.get(ctx);
  if (!s) jobs.set(ctx, (s = new Set()));
  return s;
};

function actorText(a: Actor): string {
  return `${a.type}:${a.id ?? ''}`;
}

/**
 * Where the people are in the unpacked archive: its root, or the one folder it holds when that is a
 * wrapper (zipping the folder "foto-pegawai" puts everything under it) — a folder that holds folders or
 * a CSV, or whose name has no digit (an employee number has some).
 */
function importRoot(dir: string): string {
  const entries = readdirSync(dir).filter((n) => !n.startsWith('.') && n !== '__MACOSX');
  if (entries.length !== 1) return dir;
  const only = path.join(dir, entries[0]);
  if (!statSync(only).isDirectory()) return dir;
  const inner = readdirSync(only).filter((n) => !n.startsWith('.'));
  const wrapper =
    !/\d/.test(entries[0]) ||
    inner.some((n) => n.toLowerCase().endsWith('.csv') || statSync(path.join(only, n)).isDirectory());
  return wrapper ? only : dir;
}

/** The CSV that names the people (columns file, employee_number, name, unit), when the root holds exactly one. */
function csvIn(root: string): string | undefined {
  const csvs = readdirSync(root).filter((n) => !n.startsWith('.') && n.toLowerCase().endsWith('.csv'));
  return csvs.length === 1 ? path.join(root, csvs[0]) : undefined;
}

/** A CSV may name any path: only the photos unpacked under the import's own folder are read. */
function confine(plan: ImportPlan, root: string): ImportPlan {
  const inside = (f: string) => path.resolve(f).startsWith(root + path.sep);
  const problems = [...plan.problems];
  const items = plan.items.flatMap((item) => {
    const files = item.files.filter(inside);
    if (files.length < item.files.length) problems.push(`${item.employeeNumber}: a file outside the zip was ignored`);
    return files.length ? [{ ...item, files }] : [];
  });
  return { items, problems };
}

function rejectionView(r: ImportRejection): ImportRejectionView {
  return {
    employee_number: r.employeeNumber,
    code: r.code ?? null,
    reason: r.reason,
    photos: r.samples
      .filter((s) => !s.accepted)
      .map((s) => ({
        file: s.label ?? `#${s.index + 1}`,
        checks: s.rejections.map((x) => ({
          code: x.code,
          ...(x.value !== undefined ? { value: x.value } : {}),
          ...(x.limit !== undefined ? { limit: x.limit } : {}),
        })),
      })),
  };
}

function outcomeOf(
  outcome: ImportOutcome,
  employeeNumber: string,
  detail: string | undefined,
  rejection: ImportRejection | undefined,
): store.ItemOutcome {
  switch (outcome) {
    case 'enrolled':
      return { kind: 'enrolled' };
    case 'rejected':
      return {
        kind: 'rejected',
        rejection: rejection
          ? rejectionView(rejection)
          : { employee_number: employeeNumber, code: null, reason: detail ?? '', photos: [] },
      };
    case 'failed':
      return { kind: 'failed', failure: { employee_number: employeeNumber, error: detail ?? 'unknown error' } };
    default:
      // 'skipped', or 'done-before' (an earlier run's: the same source cannot recur, each upload has its own folder).
      return { kind: 'skipped' };
  }
}

/**
 * `POST /api/v1/hub/imports?site=S`: checks who and where before reading a byte, saves and unpacks
 * the zip, plans the import, records it, starts it in the background and returns its id.
 */
export async function startConsoleImport(
  ctx: HubContext,
  principal: ConsolePrincipal,
  siteCode: string,
  body: Readable,
  limits: PhotoZipLimits = PHOTO_ZIP_LIMITS,
): Promise<{ id: string }> {
  requireSiteAccess(principal, siteCode);
  const { gallery, faceAnalyzer } = ctx;
  if (!gallery || !faceAnalyzer) {
    throw new HadirError(
      'SHUT_DOWN',
      'this hub runs without the face API (hadir hub serve --no-face), so it cannot analyse photos; use a hub process that serves it',
      { reason: 'face_api_off' },
    );
  }
  const site = await requireSite(ctx.pool, siteCode);
  const running = jobsOf(ctx);
  if (running.size >= MAX_RUNNING) {
    throw withRetryAfter(
      new HadirError('BUSY', `${running.size} imports are running on this hub; try again when one ends`, {
        reason: 'imports_busy',
      }),
      30,
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), CONSOLE_IMPORT_PREFIX));
  try {
    await chmod(dir, 0o700);
    const zipFile = path.join(dir, 'upload.zip');
    await saveUpload(body, zipFile, limits.maxBodyBytes);
    const photos = path.join(dir, 'photos');
    await mkdir(photos, { mode: 0o700 });
    const unpacked = await unpackPhotoZip(zipFile, photos, limits);
    await rm(zipFile, { force: true });
    const root = importRoot(photos);
    const plan = confine(planImport(root, { csv: csvIn(root) }), photos);
    if (plan.items.length === 0) {
      throw zipRefused(
        'zip_no_photos',
        'the zip holds no photos to import: a folder per employee number, or photos named by employee number',
      );
    }
    const id = randomUUID();
    await inTransaction(ctx.pool, async (tx) => {
      await store.insertImport(tx, {
        id,
        siteId: site.id,
        startedBy: actorText(principal.actor),
        total: plan.items.length,
        problems: plan.problems,
      });
      await recordAudit(tx, {
        actor: principal.actor,
        action: 'import.start',
        targetType: 'import',
        targetId: id,
        details: { site: site.code, people: plan.items.length, files: unpacked.files, bytes: unpacked.bytes },
      });
    });
    const abort = new AbortController();
    const job: Job = { id, abort, done: Promise.resolve() };
    job.done = runJob(ctx, { id, site: site.code, actor: principal.actor, plan, abort: abort.signal })
      .catch((e: unknown) => {
        process.stderr.write(`hadir hub: import ${id}: ${(e as Error).message ?? String(e)}\n`);
      })
      .finally(async () => {
        running.delete(job);
        await rm(dir, { recursive: true, force: true });
      });
    running.add(job);
    return { id };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

async function runJob(
  ctx: HubContext,
  j: { id: string; site: string; actor: Actor; plan: ImportPlan; abort: AbortSignal },
): Promise<void> {
  const { pool } = ctx;
  // Progress rows are written in order, after each person, without holding the import up.
  let progress: Promise<void> = Promise.resolve();
  const count = (o: store.ItemOutcome) => {
    progress = progress
      .then(() => store.countItem(pool, j.id, o))
      .catch((e: unknown) => {
        process.stderr.write(`hadir hub: import ${j.id}: progress: ${(e as Error).message}\n`);
      });
  };
  let error: string | null = null;
  let counts = { enrolled: 0, skipped: 0, rejected: 0, failed: 0 };
  try {
    const analyzer = ctx.faceAnalyzer!;
    const target = await HubImportTarget.open(pool, ctx.gallery!, { site: j.site, pack: analyzer.pack });
    const summary = await runImport(
      j.plan.items,
      { target, imports: new HubImportProgress(pool), loadSample: importSampleLoader(analyzer) },
      {
        actor: j.actor,
        consentMethod: DEFAULT_IMPORT_CONSENT,
        runId: j.id,
        signal: j.abort,
        onItem: (item, outcome, detail, rejection) => count(outcomeOf(outcome, item.employeeNumber, detail, rejection)),
      },
    );
    counts = {
      enrolled: summary.enrolled,
      skipped: summary.skipped + summary.doneBefore,
      rejected: summary.rejected.length,
      failed: summary.failed.length,
    };
    if (j.abort.aborted) error = 'interrupted: the hub was stopped; import the zip again for the rest';
  } catch (e) {
    error = (e as Error).message ?? String(e);
  }
  await progress;
  await inTransaction(pool, async (tx) => {
    await store.finishImport(tx, j.id, error);
    await recordAudit(tx, {
      actor: j.actor,
      action: 'import.finish',
      targetType: 'import',
      targetId: j.id,
      details: { site: j.site, people: j.plan.items.length, ...counts, ...(error ? { error } : {}) },
    });
  });
}

/** Stops the imports this process runs after the person in hand, and waits for them (the hub is closing). */
export async function stopConsoleImports(ctx: HubContext): Promise<void> {
  const running = [...jobsOf(ctx)];
  for (const j of running) j.abort.abort();
  await Promise.all(running.map((j) => j.done));
}
