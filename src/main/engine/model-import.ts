import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HadirError } from '../../shared/errors';
import { userModelsDir } from '../paths';
import { hashingStream } from './file-hash';
import { getPack, loadManifest, type Manifest, type ModelPack } from './manifest';
import { checkPackFiles, modelSearchDirs, packFiles, type SearchDir } from './model-files';
import { fileRefsByName, installStaged, type InstalledFile, type StagedFile } from './model-install';
import { extractZipMembers } from './zip-reader';

/**
 * `hadir models import`: for sites that get model files some other way (offline machines, a
 * colleague's USB stick, a zip downloaded in a browser). Files are matched by name against the
 * manifest, verified, and copied into the user data models folder.
 */

export interface ImportOptions {
  manifest?: Manifest;
  /** Import only this pack's files. */
  packId?: string;
  /** Install here instead of `<dataDir>/models`. */
  dest?: string;
}

export interface PackAfterImport {
  pack: ModelPack;
  /** Every required file of the pack is now found in the search folders. */
  complete: boolean;
}

export interface ImportReport {
  source: string;
  dest: string;
  files: InstalledFile[];
  /** The packs that use any imported file. */
  packs: PackAfterImport[];
}

/** Matching files in `dir` and its direct subfolders (an unpacked `buffalo_s/`); a top-level copy wins. */
async function findInFolder(dir: string, names: Set<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) if (e.isFile() && names.has(e.name)) found.set(e.name, path.join(dir, e.name));
  const subdirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const sub of subdirs) {
    for (const e of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      if (e.isFile() && names.has(e.name) && !found.has(e.name)) found.set(e.name, path.join(dir, sub, e.name));
    }
  }
  return found;
}

/** Copy into the staging folder, hashing the bytes actually written (not a second read that could differ). */
async function stageCopy(from: string, stagingDir: string, name: string): Promise<StagedFile> {
  const to = path.join(stagingDir, name);
  const hashing = hashingStream();
  await pipeline(createReadStream(from), hashing.stream, createWriteStream(to));
  return { name, path: to, sha256: hashing.result().sha256, source: from };
}

export async function importModels(source: string, opts: ImportOptions = {}): Promise<ImportReport> {
  const manifest = opts.manifest ?? loadManifest();
  const packs = opts.packId ? [getPack(opts.packId, manifest)] : manifest.packs;
  const refs = fileRefsByName(packs);
  const names = new Set(refs.keys());
  const src = path.resolve(source);
  const dest = path.resolve(opts.dest ?? userModelsDir());

  const st = await stat(src).catch(() => null);
  if (!st) throw new HadirError('NOT_FOUND', `no such folder or zip file: ${src}`);

  await mkdir(dest, { recursive: true });
  const stagingDir = await mkdtemp(path.join(dest, '.import-'));
  try {
    let staged: StagedFile[];
    if (st.isDirectory()) {
      const found = await findInFolder(src, names);
      staged = [];
      for (const [name, from] of found) staged.push(await stageCopy(from, stagingDir, name));
    } else {
      const members = await extractZipMembers(src, (n) => names.has(n), stagingDir);
      staged = [...members.values()].map((m) => ({
        name: m.name,
        path: m.path,
        sha256: m.sha256,
        source: `${src}!${m.entryName}`,
      }));
    }
    if (staged.length === 0) {
      const scope = opts.packId ? `pack ${opts.packId}` : 'any known pack';
      throw new HadirError(
        'MODEL_MISSING',
        `nothing to import: no file in ${src} is a model file of ${scope}. Expected names: ${[...names].join(', ')}`,
      );
    }
    const files = await installStaged(staged, refs, dest);

    // Completeness is judged over the normal search folders plus `dest`, which may be a custom one.
    const dirs: SearchDir[] = [...modelSearchDirs(), { dir: dest, label: 'import destination' }];
    const imported = new Set(files.map((f) => f.file));
    const touched = packs.filter((p) => packFiles(p).some(({ ref }) => imported.has(ref.file)));
    const after = await Promise.all(
      touched.map(async (pack) => {
        const status = await checkPackFiles(pack, { verify: false, dirs });
        return { pack, complete: status.every((f) => f.optional || f.state !== 'missing') };
      }),
    );
    return { source: src, dest, files, packs: after };
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}
