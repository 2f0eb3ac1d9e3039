import path from 'node:path';
import { userModelsDir } from '../paths';
import { readJsonFile, writeFileAtomic } from './atomic-file';

/**
 * Trust-on-first-use hashes for files whose upstream publishes no SHA-256 (InsightFace's buffalo
 * packs). The first download or import records the hash; every later load or download must match,
 * so a swapped file or a tampered mirror is caught even without a published checksum.
 */
export interface Pin {
  sha256: string;
  pinnedAt: string;
  /** Where the pinned bytes came from (URL, folder or zip), for the person reading a mismatch. */
  source: string;
}

export interface PinsFile {
  version: 1;
  /** By model file name: a flat models folder can hold only one file of a name, so names are unique. */
  files: Record<string, Pin>;
  /** By pack id: the pack's downloaded zip. */
  archives: Record<string, Pin>;
}

export function pinsPath(): string {
  return path.join(userModelsDir(), 'pins.json');
}

export async function readPins(): Promise<PinsFile> {
  const pins = await readJsonFile<Partial<PinsFile>>(pinsPath(), {});
  return { version: 1, files: pins.files ?? {}, archives: pins.archives ?? {} };
}

export interface NewPins {
  files?: Record<string, { sha256: string; source: string }>;
  archives?: Record<string, { sha256: string; source: string }>;
}

/** Record pins; an existing pin is never overwritten (that would defeat the point of pinning). */
export async function addPins(add: NewPins): Promise<void> {
  const pins = await readPins();
  const pinnedAt = new Date().toISOString();
  let changed = false;
  for (const [kind, entries] of [
    ['files', add.files],
    ['archives', add.archives],
  ] as const) {
    for (const [key, { sha256, source }] of Object.entries(entries ?? {})) {
      if (pins[kind][key]) continue;
      pins[kind][key] = { sha256, pinnedAt, source };
      changed = true;
    }
  }
  if (changed) await writeFileAtomic(pinsPath(), JSON.stringify(pins, null, 2) + '\n');
}

/** How to undo a pin when upstream legitimately changed a file: said in every pin mismatch message. */
export function unpinHint(kind: 'files' | 'archives', key: string): string {
  return `if upstream really changed it, delete "${key}" under "${kind}" in ${pinsPath()} and try again`;
}
