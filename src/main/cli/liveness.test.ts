import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { facesDir } from '../testing/paths';
import { runHadir } from '../testing/run-cli';

const hadir = (...args: string[]) => runHadir(args);

describe('hadir liveness', () => {
  it('--json prints one line per image: faces with bbox, p_real and decision, or an error; exit 1 on errors', async () => {
    const genuine = path.join(facesDir, 'f4455149f488.jpeg');
    const screen = path.join(facesDir, 'd2d305f7be4a.jpg');
    const r = await hadir('liveness', '--json', genuine, screen, 'no-such-file.jpg');
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({
      image: genuine,
      faces: [{ bbox: expect.any(Array), p_real: expect.any(Number), decision: 'real' }],
    });
    expect(lines[1].faces[0].decision).toBe('spoof');
    expect(lines[2]).toMatchObject({ image: 'no-such-file.jpg', error: { code: 'NOT_FOUND' } });
  });

  it('prints a human summary and exits 0 when every image was read', async () => {
    const r = await hadir('liveness', path.join(facesDir, 'fbbea73450ae.jpg'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 face\n {2}#1 spoof p_real 0\.\d{3} box \[/);
  });

  it('exits 1 with a clear error for a pack without liveness models, and 2 on bad usage', async () => {
    const r = await hadir('liveness', '--pack', 'det2.5g-mbf-y1', path.join(facesDir, 'f4455149f488.jpeg'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LIVENESS_UNAVAILABLE.*det2\.5g-mbf-y1.*no liveness models/);
    for (const args of [['liveness'], ['liveness', '--bogus', 'x.jpg']]) {
      const u = await hadir(...args);
      expect(u.code, args.join(' ')).toBe(2);
      expect(u.stderr).toMatch(/usage: hadir liveness/);
    }
  });
});
