import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeZip } from '../testing/zip-writer';
import { PHOTO_ZIP_LIMITS, unpackPhotoZip } from './photo-zip';

/** The archive checks on their own, with limits small enough to reach. */

const dirs: string[] = [];
function unpack(zip: Buffer, limits = PHOTO_ZIP_LIMITS) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-photo-zip-'));
  dirs.push(dir);
  const file = path.join(dir, 'in.zip');
  writeFileSync(file, zip);
  const out = path.join(dir, 'out');
  return {
    out,
    result: (async () => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(out);
      return unpackPhotoZip(file, out, limits);
    })(),
  };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { reason?: string }) => e.reason,
  );

describe('unpackPhotoZip', () => {
  it('writes only photos and a CSV, privately, under their paths', async () => {
    const { out, result } = unpack(
      makeZip([
        { name: 'a/100001/x.jpg', data: 'jpeg' },
        { name: 'a/map.csv', data: 'file,employee_number' },
        { name: 'a/notes.txt', data: 'not wanted' },
        { name: '__MACOSX/a/._x.jpg', data: 'fork' },
      ]),
    );
    expect(await result).toEqual({ files: 2, bytes: 24 });
    expect(readdirSync(path.join(out, 'a')).sort()).toEqual(['100001', 'map.csv']);
    expect(statSync(path.join(out, 'a', '100001', 'x.jpg')).mode & 0o777).toBe(0o600);
  });

  it('refuses too many files, too large, and an absolute path before writing anything', async () => {
    const small = { ...PHOTO_ZIP_LIMITS, maxFiles: 2, maxEntryBytes: 10, maxUnpackedBytes: 15 };
    const many = unpack(makeZip([1, 2, 3].map((n) => ({ name: `${n}.jpg`, data: 'x' }))), small);
    expect(await reasonOf(many.result)).toBe('zip_too_many_files');
    const big = unpack(makeZip([{ name: '1.jpg', data: 'x'.repeat(11) }]), small);
    expect(await reasonOf(big.result)).toBe('zip_too_large');
    const sum = unpack(
      makeZip([
        { name: '1.jpg', data: 'x'.repeat(8) },
        { name: '2.jpg', data: 'x'.repeat(8) },
      ]),
      small,
    );
    expect(await reasonOf(sum.result)).toBe('zip_too_large');
    expect(readdirSync(sum.out)).toEqual([]);
    const abs = unpack(makeZip([{ name: '/etc/100001.jpg', data: 'x' }]));
    expect(await reasonOf(abs.result)).toBe('zip_unsafe_path');
  });
});
