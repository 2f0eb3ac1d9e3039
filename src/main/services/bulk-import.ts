import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { HadirError } from '../../shared/errors';
import type { Actor, EnrollmentRefusalCode, EnrollmentResult, Person, SampleVerdict } from '../../shared/people';
import type { ImportStatus } from '../store/import-repo';
import type { EnrollmentPolicy, EnrollRequest, PreparedSample } from './enrollment-rules';
import { checkPersonFields } from './validation';

/**
 * Bulk import: a folder of photos named by employee number (or mapped by a CSV) becomes enrolled
 * people. Resumable: each person's outcome is written to the progress table in the same transaction
 * as their enrollment, so a run killed half-way leaves whole people or none, and a re-run skips what
 * is done and never enrolls anyone twice (the employee number is unique, and checked first).
 *
 * One procedure for both stores: the kiosk imports into its SQLite file (FaceService, ImportRepo),
 * the hub into PostgreSQL (hub/import.ts); their targets and progress tables may answer at once or
 * with a promise.
 */

export const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.bmp',
  '.tif',
  '.tiff',
  '.gif',
  '.avif',
  '.heic',
  '.heif',
]);

export interface ImportPlanItem {
  /** Stable key of the item in `import_items`: the folder's absolute path, or `<folder>#<employee number>`. */
  key: string;
  employeeNumber: string;
  fullName: string;
  unit: string | null;
  files: string[];
}

export interface ImportPlan {
  items: ImportPlanItem[];
  /** Lines of the CSV or entries of the folder that could not be used, with why. */
  problems: string[];
}

const isImage = (f: string) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase());
const visible = (name: string) => !name.startsWith('.');

function imagesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter(visible)
    .sort()
    .map((n) => path.join(dir, n))
    .filter((p) => isImage(p) && statSync(p).isFile());
}

/**
 * What a folder holds: each sub-folder is one person (its name the employee number, its images the
 * samples); each image directly inside is one person's sample, named `<employee number>.jpg` or
 * `<employee number>_<n>.jpg` for several. With a CSV (columns `file`, `employee_number`, `name`,
 * `unit`; a header row), the CSV says whose each file (or sub-folder) is, and gives names and units.
 */
export function planImport(folder: string, opts: { csv?: string } = {}): ImportPlan {
  const root = path.resolve(folder);
  if (!statSync(root).isDirectory()) throw new HadirError('BAD_REQUEST', `${folder} is not a folder`);
  return opts.csv ? planFromCsv(root, opts.csv) : planFromNames(root);
}

function planFromNames(root: string): ImportPlan {
  const byNumber = new Map<string, ImportPlanItem>();
  const problems: string[] = [];
  for (const name of readdirSync(root).filter(visible).sort()) {
    const full = path.join(root, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      const files = imagesIn(full);
      if (files.length === 0) {
        problems.push(`${name}/: no images`);
        continue;
      }
      byNumber.set(`dir:${name}`, { key: full, employeeNumber: name, fullName: name, unit: null, files });
    } else if (st.isFile() && isImage(name)) {
      const stem = path.basename(name, path.extname(name));
      const number = /^(.+?)(?:_\d{1,3})?$/.exec(stem)![1];
      const key = `${root}#${number}`;
      const item = byNumber.get(`file:${number}`) ?? {
        key,
        employeeNumber: number,
        fullName: number,
        unit: null,
        files: [],
      };
      item.files.push(full);
      byNumber.set(`file:${number}`, item);
    }
  }
  const items = [...byNumber.values()];
  const seen = new Map<string, ImportPlanItem>();
  for (const item of items) {
    const other = seen.get(item.employeeNumber);
    if (other) {
      // A folder and loose files for one number: one person, all the photos.
      other.files.push(...item.files);
      item.files = [];
    } else {
      seen.set(item.employeeNumber, item);
    }
  }
  return { items: items.filter((i) => i.files.length > 0), problems };
}

const CSV_COLUMNS: Record<string, 'file' | 'employee_number' | 'name' | 'unit'> = {
  file: 'file',
  path: 'file',
  photo: 'file',
  employee_number: 'employee_number',
  nip: 'employee_number',
  number: 'employee_number',
  name: 'name',
  full_name: 'name',
  nama: 'name',
  unit: 'unit',
  department: 'unit',
};

function planFromCsv(root: string, csvFile: string): ImportPlan {
  const rows = parseCsv(readFileSync(csvFile, 'utf8').replace(/^\uFEFF/, ''));
  const header = rows.shift()?.map((h) => CSV_COLUMNS[h.trim().toLowerCase()]);
  if (!header || !header.includes('file') || !header.includes('employee_number')) {
    throw new HadirError(
      'BAD_REQUEST',
      `${csvFile}: the header row needs at least the columns file and employee_number`,
    );
  }
  const col = (row: string[], name: string) => {
    const i = header.indexOf(name as never);
    return i >= 0 ? (row[i] ?? '').trim() : '';
  };
  const byNumber = new Map<string, ImportPlanItem>();
  const problems: string[] = [];
  rows.forEach((row, i) => {
    if (row.every((c) => c.trim() === '')) return;
    const line = i + 2;
    const file = col(row, 'file');
    const number = col(row, 'employee_number');
    if (!file || !number) {
      problems.push(`${path.basename(csvFile)} line ${line}: file and employee_number are required`);
      return;
    }
    const full = path.resolve(root, file);
    let files: string[];
    try {
      files = statSync(full).isDirectory() ? imagesIn(full) : [full];
    } catch {
      problems.push(`${path.basename(csvFile)} line ${line}: ${file} not found`);
      return;
    }
    const item = byNumber.get(number) ?? {
      key: `${root}#${number}`,
      employeeNumber: number,
      fullName: col(row, 'name') || number,
      unit: col(row, 'unit') || null,
      files: [],
    };
    item.files.push(...files);
    byNumber.set(number, item);
  });
  return { items: [...byNumber.values()], problems };
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. Also accepts `;` files. */
export function parseCsv(text: string): string[][] {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const sep = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** `blur 31.2 < 60`: a rejection's code with its figures, for one-line summaries. */
export function describeRejection(r: SampleVerdict['rejections'][number]): string {
  if (r.value === undefined) return r.code;
  if (r.limit === undefined) return `${r.code} ${r.value}`;
  const below = r.code === 'inter_ocular' || r.code === 'blur' || r.code === 'too_dark';
  return `${r.code} ${r.value} ${below ? '<' : '>'} ${r.limit}`;
}

export type ImportOutcome = 'enrolled' | 'rejected' | 'skipped' | 'done-before' | 'failed';

export interface ImportRejection {
  key: string;
  employeeNumber: string;
  /** The enrollment's refusal code (`too_few_samples`, `duplicate`…); absent when the person's fields were refused. */
  code?: EnrollmentRefusalCode;
  reason: string;
  samples: SampleVerdict[];
}

export interface ImportSummary {
  runId: string;
  total: number;
  enrolled: number;
  /** Already enrolled (the employee number has templates), recorded as skipped. */
  skipped: number;
  /** Finished by an earlier run (enrolled, skipped or rejected there): not touched. */
  doneBefore: number;
  rejected: ImportRejection[];
  /** Items that hit an unexpected error (left unrecorded, so a re-run tries them again). */
  failed: { key: string; error: string }[];
}

type Awaitable<T> = T | Promise<T>;

/**
 * What the import needs from the store it enrolls into: the kiosk's FaceService, or the hub's import
 * target. `Tx` is the transaction handle its enrollment hands to `alsoInTransaction` (none on the kiosk).
 */
export interface ImportTarget<Tx = void> {
  readonly pack: { id: string };
  getPersonByEmployeeNumber(employeeNumber: string): Awaitable<Person | null>;
  /** The person's templates of the pack being imported. */
  personTemplateCount(personId: number): Awaitable<number>;
  enroll(req: EnrollRequest<Tx>): Awaitable<EnrollmentResult>;
}

/** One item's outcome, as the progress table keeps it. */
export interface ImportProgressEntry {
  source: string;
  runId: string;
  status: ImportStatus;
  personId?: number | null;
  reason?: string | null;
}

/** The progress table: the kiosk's `import_items` (ImportRepo), the hub's `import_items` (hub/store/imports.ts). */
export interface ImportProgress<Tx = void> {
  get(source: string): Awaitable<{ status: ImportStatus } | null>;
  /** Record an outcome; with `tx`, inside the transaction that enrolled the person. */
  record(entry: ImportProgressEntry, tx?: Tx): Awaitable<void>;
}

export interface ImportDeps<Tx = void> {
  target: ImportTarget<Tx>;
  imports: ImportProgress<Tx>;
  loadSample: (file: string) => Promise<PreparedSample>;
}

export interface ImportOptions {
  actor: Actor;
  /** How consent was given, recorded for every person enrolled (e.g. "signed form, HR archive"). */
  consentMethod: string;
  runId?: string;
  /** Try again items an earlier run rejected (e.g. after replacing their photos). */
  retryRejected?: boolean;
  /** Enroll even when a face already identifies as someone else. */
  allowDuplicates?: boolean;
  policy?: Partial<EnrollmentPolicy>;
  /** Called after each item; a rejection comes with its codes and per-sample verdicts (for a console to translate). */
  onItem?: (item: ImportPlanItem, outcome: ImportOutcome, detail?: string, rejection?: ImportRejection) => void;
  /** Stop after the current item when aborted; the rest stays for the next run. */
  signal?: AbortSignal;
}

/** How consent is recorded when an import is not told: the organisation's records hold it. */
export const DEFAULT_IMPORT_CONSENT = 'bulk import: consent held in the organisation records';

/** Default for imports: one good photo per person, as HR archives usually hold (camera enrollment asks 3). */
export const IMPORT_MIN_SAMPLES = 1;

export async function runImport<Tx = void>(
  items: readonly ImportPlanItem[],
  deps: ImportDeps<Tx>,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const runId = opts.runId ?? new Date().toISOString();
  const summary: ImportSummary = {
    runId,
    total: items.length,
    enrolled: 0,
    skipped: 0,
    doneBefore: 0,
    rejected: [],
    failed: [],
  };
  for (const item of items) {
    if (opts.signal?.aborted) break;
    const outcome = await importOne(item, deps, opts, runId, summary);
    opts.onItem?.(item, outcome.outcome, outcome.detail, outcome.rejection);
  }
  return summary;
}

async function importOne<Tx>(
  item: ImportPlanItem,
  deps: ImportDeps<Tx>,
  opts: ImportOptions,
  runId: string,
  summary: ImportSummary,
): Promise<{ outcome: ImportOutcome; detail?: string; rejection?: ImportRejection }> {
  const { target, imports } = deps;
  const prior = await imports.get(item.key);
  if (prior && (prior.status !== 'rejected' || !opts.retryRejected)) {
    summary.doneBefore++;
    return { outcome: 'done-before', detail: prior.status };
  }
  const existing = await target.getPersonByEmployeeNumber(item.employeeNumber);
  if (!existing) {
    // The same rules as every other way in (validation.ts), before any photo is decoded.
    try {
      checkPersonFields(item);
    } catch (e) {
      if (!(e instanceof HadirError)) throw e;
      const reason = e.message;
      await imports.record({ source: item.key, runId, status: 'rejected', personId: null, reason });
      const rejection: ImportRejection = { key: item.key, employeeNumber: item.employeeNumber, reason, samples: [] };
      summary.rejected.push(rejection);
      return { outcome: 'rejected', detail: reason, rejection };
    }
  }
  if (existing && (await target.personTemplateCount(existing.id)) > 0) {
    await imports.record({
      source: item.key,
      runId,
      status: 'skipped',
      personId: existing.id,
      reason: 'already enrolled',
    });
    summary.skipped++;
    return { outcome: 'skipped', detail: 'already enrolled' };
  }
  try {
    const samples: PreparedSample[] = [];
    const unreadable: SampleVerdict[] = [];
    for (const file of item.files) {
      try {
        samples.push(await deps.loadSample(file));
      } catch (e) {
        unreadable.push({
          index: -1,
          label: path.basename(file),
          accepted: false,
          rejections: [{ code: 'no_face', message: `cannot read the image: ${(e as Error).message}` }],
        });
      }
    }
    const result = await target.enroll({
      person: existing
        ? { personId: existing.id }
        : { employeeNumber: item.employeeNumber, fullName: item.fullName, unit: item.unit },
      samples,
      consent: { method: opts.consentMethod },
      actor: opts.actor,
      confirmDuplicate: opts.allowDuplicates,
      policy: { minSamples: IMPORT_MIN_SAMPLES, ...opts.policy },
      alsoInTransaction: (person, tx) =>
        imports.record({ source: item.key, runId, status: 'enrolled', personId: person.id }, tx),
    });
    if (result.ok) {
      summary.enrolled++;
      return { outcome: 'enrolled' };
    }
    const verdicts = [...result.samples, ...unreadable];
    const sampleReasons = verdicts
      .filter((s) => !s.accepted)
      .map((s) => `${s.label ?? `#${s.index}`}: ${s.rejections.map(describeRejection).join(', ')}`);
    const reason = `${result.refusal.code}: ${result.refusal.message}${sampleReasons.length ? ` [${sampleReasons.join('; ')}]` : ''}`;
    await imports.record({ source: item.key, runId, status: 'rejected', personId: existing?.id ?? null, reason });
    const rejection: ImportRejection = {
      key: item.key,
      employeeNumber: item.employeeNumber,
      code: result.refusal.code,
      reason,
      samples: verdicts,
    };
    summary.rejected.push(rejection);
    return { outcome: 'rejected', detail: reason, rejection };
  } catch (e) {
    const error = (e as Error).message;
    summary.failed.push({ key: item.key, error });
    return { outcome: 'failed', detail: error };
  }
}
