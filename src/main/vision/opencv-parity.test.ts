import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from './image';
import { resizeBilinear } from './resize';
import type { Affine } from './similarity';
import { warpAffineBilinear } from './warp';

/** Bit-exactness of the resize and warp ports against OpenCV outputs (scripts/make-opencv-fixtures.py). */
interface Fixture {
  opencv: string;
  sources: Record<string, { width: number; height: number; data: string }>;
  cases: {
    kind: 'resize' | 'warp';
    src: string;
    width: number;
    height: number;
    matrix?: number[];
    sha256: string;
    out?: string;
  }[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/opencv.json', import.meta.url), 'utf8')) as Fixture;
const sources: Record<string, RgbImage> = Object.fromEntries(
  Object.entries(fixture.sources).map(([k, s]) => [
    k,
    { width: s.width, height: s.height, data: new Uint8Array(Buffer.from(s.data, 'base64')) },
  ]),
);

describe(`OpenCV ${fixture.opencv} parity`, () => {
  for (const c of fixture.cases) {
    const label =
      c.kind === 'resize'
        ? `cv2.resize ${c.src} → ${c.width}x${c.height}`
        : `cv2.warpAffine ${c.src} [${c.matrix!.map((v) => v.toFixed(2)).join(', ')}] → ${c.width}x${c.height}`;
    it(`${label} is reproduced bit for bit`, () => {
      const src = sources[c.src];
      const out =
        c.kind === 'resize'
          ? resizeBilinear(src, c.width, c.height)
          : warpAffineBilinear(src, c.matrix as Affine, c.width, c.height);
      expect(out.data.length).toBe(c.width * c.height * 3);
      if (c.out) {
        const want = new Uint8Array(Buffer.from(c.out, 'base64'));
        let maxDiff = 0;
        for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - out.data[i]));
        expect(maxDiff).toBe(0);
      }
      expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
    });
  }
});
