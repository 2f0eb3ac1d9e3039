import { rename } from 'node:fs/promises';
import path from 'node:path';
import type { ModelFileRef, ModelPack } from './manifest';
import { checksumMismatchError, expectedHashFor, packFiles } from './model-files';
import { addPins, readPins } from './model-pins';

/**
 * The last step shared by `import` and `fetch`: files already copied or unpacked into a staging
 * folder (hashed on the way) are verified, then renamed into place. Verification runs over all of
 * them before the first rename, so a bad archive or folder installs nothing.
 */

export interface StagedFile {
  /** The model file name. */
  name: string;
  /** The staged copy; same file system as the destination, so the rename is atomic. */
  path: string;
  sha256: string;
  /** Where the bytes came from, for messages and pins: a path, a URL, `zip!member`. */
  source: string;
}

/** verified: matches the manifest; pinned: matches an earlier pin; newly-pinned: no hash was known, this one is now recorded. */
export type InstallCheck = 'verified' | 'pinned' | 'newly-pinned';

export interface InstalledFile {
  file: string;
  path: string;
  sha256: string;
  check: InstallCheck;
  source: string;
}

/**
 * Model file references by name across packs. One name can belong to several packs (det_500m.onnx
 * is in five); a pack that knows the hash wins over one that does not.
 */
export function fileRefsByName(packs: ModelPack[]): Map<string, ModelFileRef> {
  const refs = new Map<string, ModelFileRef>();
  for (const pack of packs) {
    for (const { ref } of packFiles(pack)) {
      const known = refs.get(ref.file);
      if (!known || (!known.sha256 && ref.sha256)) refs.set(ref.file, ref);
    }
  }
  return refs;
}

export async function installStaged(
  staged: StagedFile[],
  refs: Map<string, ModelFileRef>,
  dest: string,
): Promise<InstalledFile[]> {
  const pins = await readPins();
  const checked = staged.map((s): InstalledFile => {
    const ref = refs.get(s.name);
    if (!ref) throw new Error(`internal: ${s.name} was staged but belongs to no pack`);
    const expected = expectedHashFor(ref, pins);
    if (expected && expected.sha256 !== s.sha256) throw checksumMismatchError(s.name, s.source, expected, s.sha256);
    const check: InstallCheck = !expected ? 'newly-pinned' : expected.from === 'pin' ? 'pinned' : 'verified';
    return { file: s.name, path: path.join(dest, s.name), sha256: s.sha256, check, source: s.source };
  });
  for (let i = 0; i < staged.length; i++) await rename(staged[i]!.path, checked[i]!.path);
  const fresh = checked.filter((f) => f.check === 'newly-pinned');
  if (fresh.length > 0) {
    await addPins({ files: Object.fromEntries(fresh.map((f) => [f.file, { sha256: f.sha256, source: f.source }])) });
  }
  return checked;
}
