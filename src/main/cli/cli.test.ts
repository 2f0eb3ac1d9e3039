import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { facesDir, testdataDir } from '../testing/paths';
import { runHadir } from '../testing/run-cli';

const hadir = (...args: string[]) => runHadir(args);

describe('hadir CLI', () => {
  it('analyze --json prints one line per image in input order, errors as values, exit 1', async () => {
    const a = path.join(facesDir, '0c5e25d359f6.jpg');
    const r = await hadir('analyze', '--json', a, 'no-such-file.jpg', path.join(testdataDir, 'labels.json'));
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0].image).toBe(a);
    expect([lines[0].width, lines[0].height]).toEqual([250, 250]);
    expect(lines[0].faces.length).toBeGreaterThanOrEqual(1);
    const f = lines[0].faces[0];
    expect(f.bbox).toHaveLength(4);
    expect(f.landmarks).toHaveLength(5);
    expect(f.embedding).toHaveLength(128);
    expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 5);
    expect(lines[1]).toMatchObject({ image: 'no-such-file.jpg', error: { code: 'NOT_FOUND' } });
    expect(lines[2].error.code).toBe('UNSUPPORTED_FORMAT');
  });

  it('detect omits embeddings; analyze exits 0 when every image was read', async () => {
    const r = await hadir('detect', '--json', path.join(facesDir, '0c5e25d359f6.jpg'));
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout);
    expect(line.faces[0].embedding).toBeUndefined();
  });

  it('compare names the same person the same and others different', async () => {
    const same = await hadir(
      'compare',
      '--json',
      path.join(facesDir, '0c5e25d359f6.jpg'),
      path.join(facesDir, '22e82d129abd.jpg'),
    );
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ verdict: 'same', pack: 'mbf-y1' });
    const diff = await hadir(
      'compare',
      '--json',
      path.join(facesDir, '0c5e25d359f6.jpg'),
      path.join(facesDir, '7d5c7ded953d.jpg'),
    );
    expect(JSON.parse(diff.stdout).verdict).toBe('different');
    const noFace = await hadir(
      'compare',
      path.join(facesDir, '0c5e25d359f6.jpg'),
      path.join(facesDir, '0b6cdd2e683d.png'),
    );
    expect(noFace.code).toBe(1);
    expect(noFace.stderr).toContain('NO_FACE');
  });

  it('exits 2 with usage on bad usage', async () => {
    for (const args of [
      [],
      ['analyze'],
      ['analyze', '--bogus', 'x.jpg'],
      ['analyze', '--det-sizes', '100', 'x.jpg'],
      ['frobnicate'],
      ['compare', 'a.jpg'],
    ]) {
      const r = await hadir(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/usage/);
    }
  });
});
