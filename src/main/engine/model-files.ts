import { statSync } from 'node:fs';
import path from 'node:path';
import { HadirError } from '../../shared/errors';
import { userModelsDir } from '../paths';
import { sha256FileCached } from './file-hash';
import { appModelsDir, getPack, loadManifest, type Manifest, type ModelFileRef, type ModelPack } from './manifest';
import { addPins, pinsPath, readPins, unpinHint, type PinsFile } from './model-pins';

/**
 * Finding and verifying a pack's weight files. Weights are never bundled: they are looked up at run
 * time in a few folders and checked by SHA-256 before anything loads them, because a truncated copy
 * or a different export of "the same" model fails far from the cause (wrong matches, not errors).
 */

export type ModelRole = 'detector' | 'recognizer' | 'liveness';

export interface PackFile {
  role: ModelRole;
  ref: ModelFileRef;
  /** Liveness models are optional: a pack without them runs with liveness off. */
  optional: boolean;
}

export function packFiles(pack: ModelPack): PackFile[] {
  return [
    { role: 'detector', ref: pack.detector, optional: false },
    { role: 'recognizer', ref: pack.recognizer, optional: false },
    ...(pack.liveness ?? []).map((ref): PackFile => ({ role: 'liveness', ref, optional: true })),
  ];
}

export interface SearchDir {
  dir: string;
  /** Why this folder is searched, for messages ("HADIR_MODELS_DIR", "app models", "user data"). */
  label: string;
}

/** The folders searched, in order: HADIR_MODELS_DIR, the app's own models folder, then the user data folder. */
export function modelSearchDirs(): SearchDir[] {
  const dirs: SearchDir[] = [];
  const env = process.env.HADIR_MODELS_DIR;
  if (env) dirs.push({ dir: path.resolve(env), label: 'HADIR_MODELS_DIR' });
  dirs.push({ dir: path.resolve(appModelsDir()), label: 'app models folder' });
  dirs.push({ dir: userModelsDir(), label: 'user data models folder' });
  return dirs.filter((d, i) => dirs.findIndex((o) => o.dir === d.dir) === i);
}

/** Where a file may sit within the search folders: flat, or in a `<packId>/` subfolder (where `fetch` installs). */
export function candidatePaths(file: string, packId: string, dirs: SearchDir[] = modelSearchDirs()): string[] {
  return dirs.flatMap(({ dir }) => [path.join(dir, file), path.join(dir, packId, file)]);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The first existing copy of `file`, or null. The first copy wins even if corrupt: a later good copy must not hide a bad one. */
export function findModelFile(file: string, packId: string, dirs: SearchDir[] = modelSearchDirs()): string | null {
  return candidatePaths(file, packId, dirs).find(isFile) ?? null;
}

export interface ExpectedHash {
  sha256: string;
  from: 'manifest' | 'pin';
}

/** The hash a file must have: the manifest's, else the pin recorded on its first download or import. */
export function expectedHashFor(ref: ModelFileRef, pins: PinsFile): ExpectedHash | null {
  if (ref.sha256) return { sha256: ref.sha256.toLowerCase(), from: 'manifest' };
  const pin = pins.files[ref.file];
  return pin ? { sha256: pin.sha256, from: 'pin' } : null;
}

/**
 * `file` names the model (or archive), `location` where the bad bytes are (a path, a URL, a zip
 * member); `pinKey` is the pins.json entry to delete if upstream really changed a pinned file.
 */
export function checksumMismatchError(
  file: string,
  location: string,
  expected: ExpectedHash,
  actual: string,
  pinKey: { kind: 'files' | 'archives'; key: string } = { kind: 'files', key: file },
): HadirError {
  const detail =
    expected.from === 'pin'
      ? `pinned on first download/import in ${pinsPath()}), actual ${actual}. ` +
        `The bytes changed since then: check where they came from, or ${unpinHint(pinKey.kind, pinKey.key)}.`
      : `from the model manifest), actual ${actual}. ` +
        'The file is corrupt, truncated or a different model: replace it (hadir models import <folder|zip>) or delete it.';
  return new HadirError(
    'MODEL_CHECKSUM_MISMATCH',
    `${file} (${location}) has the wrong SHA-256: expected ${expected.sha256} (${detail}`,
  );
}

/**
 * What a file's state means:
 * - verified: matches the manifest's SHA-256; pinned: matches the hash pinned on first import;
 * - unpinned: no hash is known yet (it is pinned on first load); present: found, not hashed (verify off);
 * - mismatch: found, wrong hash; missing: in none of the search folders.
 */
export type FileState = 'verified' | 'pinned' | 'unpinned' | 'present' | 'mismatch' | 'missing';

export interface FileStatus {
  role: ModelRole;
  file: string;
  optional: boolean;
  path: string | null;
  state: FileState;
  expected: ExpectedHash | null;
  actual: string | null;
}

export interface CheckOptions {
  /** Hash the files (default true). */
  verify?: boolean;
  dirs?: SearchDir[];
}

/** The state of every file of a pack. Never throws for missing or mismatched files: `hadir models list` shows them. */
export async function checkPackFiles(pack: ModelPack, opts: CheckOptions = {}): Promise<FileStatus[]> {
  const verify = opts.verify ?? true;
  const dirs = opts.dirs ?? modelSearchDirs();
  const pins = verify ? await readPins() : null;
  return Promise.all(
    packFiles(pack).map(async ({ role, ref, optional }): Promise<FileStatus> => {
      const found = findModelFile(ref.file, pack.id, dirs);
      const base = { role, file: ref.file, optional, path: found };
      if (!found) return { ...base, state: 'missing', expected: null, actual: null };
      if (!pins) return { ...base, state: 'present', expected: null, actual: null };
      const expected = expectedHashFor(ref, pins);
      const actual = await sha256FileCached(found);
      const state: FileState = !expected
        ? 'unpinned'
        : expected.sha256 !== actual
          ? 'mismatch'
          : expected.from === 'pin'
            ? 'pinned'
            : 'verified';
      return { ...base, state, expected, actual };
    }),
  );
}

export function missingModelError(pack: ModelPack, missing: FileStatus[], dirs: SearchDir[]): HadirError {
  const files = missing.map((f) => `${f.file} (${f.role})`).join(', ');
  const searched = dirs.map(({ dir, label }) => `  ${dir}  and ${path.join(dir, pack.id)}${path.sep}  (${label})`);
  const fixes = [
    'put the file(s) in one of those folders, or set HADIR_MODELS_DIR to a folder that has them',
    '`hadir models import <folder|zip>` copies them into the user data folder',
  ];
  if (pack.source === 'download') fixes.push(`\`hadir models fetch ${pack.id}\` downloads the pack`);
  const note = pack.sourceNote ? `\n${pack.sourceNote}` : '';
  return new HadirError(
    'MODEL_MISSING',
    `model pack "${pack.id}" is missing ${files}. Searched:\n${searched.join('\n')}\nTo fix: ${fixes.join('; or ')}.${note}`,
  );
}

export interface ResolvedPack {
  pack: ModelPack;
  detectorPath: string;
  recognizerPath: string;
  /** Null when any liveness file is missing (or the pack has none): liveness is then off. */
  livenessPaths: string[] | null;
  /** The recognizer's folder. Files are resolved one by one, so the detector may sit elsewhere. */
  dir: string;
  files: FileStatus[];
  /** Files whose hash was unknown and has just been pinned (first use). */
  newlyPinned: string[];
}

export interface ResolveOptions extends CheckOptions {
  /** Look the pack id up here instead of the app's manifest. */
  manifest?: Manifest;
}

/**
 * A pack's files (an id, or undefined for the manifest's default pack), found and (by default) verified. Throws MODEL_MISSING naming every missing required
 * file and every folder searched, or MODEL_CHECKSUM_MISMATCH for the first file with a wrong hash.
 * Files with no known hash are pinned here on first use, so they are enforced from then on.
 */
export async function resolvePack(
  packOrId: ModelPack | string | undefined,
  opts: ResolveOptions = {},
): Promise<ResolvedPack> {
  const pack = typeof packOrId === 'object' ? packOrId : getPack(packOrId, opts.manifest ?? loadManifest());
  const dirs = opts.dirs ?? modelSearchDirs();
  const files = await checkPackFiles(pack, { ...opts, dirs });

  const missing = files.filter((f) => f.state === 'missing' && !f.optional);
  if (missing.length > 0) throw missingModelError(pack, missing, dirs);
  const bad = files.find((f) => f.state === 'mismatch');
  if (bad) throw checksumMismatchError(bad.file, bad.path!, bad.expected!, bad.actual!);

  const unpinned = files.filter((f) => f.state === 'unpinned');
  if (unpinned.length > 0) {
    await addPins({
      files: Object.fromEntries(unpinned.map((f) => [f.file, { sha256: f.actual!, source: f.path! }])),
    });
    for (const f of unpinned) f.state = 'pinned';
  }

  const pathOf = (role: ModelRole) => files.find((f) => f.role === role)!.path!;
  const liveness = files.filter((f) => f.role === 'liveness');
  const recognizerPath = pathOf('recognizer');
  return {
    pack,
    detectorPath: pathOf('detector'),
    recognizerPath,
    livenessPaths: liveness.length > 0 && liveness.every((f) => f.path) ? liveness.map((f) => f.path!) : null,
    dir: path.dirname(recognizerPath),
    files,
    newlyPinned: unpinned.map((f) => f.file),
  };
}
