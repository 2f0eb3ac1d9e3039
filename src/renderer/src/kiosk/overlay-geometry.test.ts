import { describe, expect, it } from 'vitest';
import type { Landmarks5 } from '../../../shared/face';
import { computeViewport, labelPosition, mapBox, mapLandmarks, mapPoint } from './overlay-geometry';

describe('computeViewport', () => {
  it('fills a view of the same aspect ratio exactly', () => {
    const vp = computeViewport({ width: 640, height: 480 }, { width: 1280, height: 960 }, 'contain', false);
    expect(vp).toMatchObject({ scale: 2, offsetX: 0, offsetY: 0 });
  });

  it('letterboxes a 4:3 frame in a wide view with side bars (contain)', () => {
    const vp = computeViewport({ width: 640, height: 480 }, { width: 1920, height: 1080 }, 'contain', false);
    expect(vp.scale).toBeCloseTo(1080 / 480);
    expect(vp.offsetX).toBeCloseTo((1920 - 640 * (1080 / 480)) / 2); // 240
    expect(vp.offsetY).toBe(0);
  });

  it('letterboxes a wide frame in a portrait view with bars above and below (contain)', () => {
    const vp = computeViewport({ width: 1280, height: 720 }, { width: 800, height: 1280 }, 'contain', false);
    expect(vp.scale).toBeCloseTo(800 / 1280);
    expect(vp.offsetX).toBe(0);
    expect(vp.offsetY).toBeCloseTo((1280 - 720 * 0.625) / 2);
  });

  it('crops instead with cover: negative offsets', () => {
    const vp = computeViewport({ width: 640, height: 480 }, { width: 1920, height: 1080 }, 'cover', false);
    expect(vp.scale).toBeCloseTo(3);
    expect(vp.offsetX).toBe(0);
    expect(vp.offsetY).toBeCloseTo((1080 - 1440) / 2);
  });

  it('is degenerate (scale 0) before the video has a size', () => {
    expect(computeViewport({ width: 0, height: 0 }, { width: 100, height: 100 }, 'contain', true).scale).toBe(0);
  });
});

describe('mapping frame pixels to the view', () => {
  const frame = { width: 640, height: 480 };
  const view = { width: 1920, height: 1080 }; // scale 2.25, offsetX 240

  it('maps without mirroring', () => {
    const vp = computeViewport(frame, view, 'contain', false);
    expect(mapPoint(vp, [0, 0])).toEqual([240, 0]);
    expect(mapPoint(vp, [640, 480])).toEqual([240 + 1440, 1080]);
  });

  it('mirroring flips x around the frame centre, leaves y alone', () => {
    const vp = computeViewport(frame, view, 'contain', true);
    expect(mapPoint(vp, [0, 10])).toEqual([240 + 1440, 22.5]);
    expect(mapPoint(vp, [640, 10])).toEqual([240, 22.5]);
    expect(mapPoint(vp, [320, 240])).toEqual([960, 540]);
    // A face on the person's right (low x in the raw frame) appears on the viewer's right in the mirror.
    expect(mapPoint(vp, [100, 0])[0]).toBeGreaterThan(960);
  });

  it('keeps boxes ordered after mirroring', () => {
    const vp = computeViewport(frame, view, 'contain', true);
    const [x1, y1, x2, y2] = mapBox(vp, [100, 50, 200, 150]);
    expect(x1).toBeLessThan(x2);
    expect(y1).toBeLessThan(y2);
    expect(x1).toBeCloseTo(240 + (640 - 200) * 2.25);
    expect(x2).toBeCloseTo(240 + (640 - 100) * 2.25);
    expect(y1).toBeCloseTo(50 * 2.25);
    expect(x2 - x1).toBeCloseTo(100 * 2.25);
  });

  it('maps all five landmarks with the same transform', () => {
    const vp = computeViewport(frame, { width: 640, height: 480 }, 'contain', true);
    const lm: Landmarks5 = [
      [200, 200],
      [260, 200],
      [230, 240],
      [205, 270],
      [255, 270],
    ];
    const mapped = mapLandmarks(vp, lm);
    expect(mapped[0]).toEqual([440, 200]);
    expect(mapped[1]).toEqual([380, 200]);
    // The person's left eye (index 0) is on the viewer's right after mirroring.
    expect(mapped[0][0]).toBeGreaterThan(mapped[1][0]);
  });
});

describe('labelPosition', () => {
  const view = { width: 400, height: 300 };
  const size = { width: 100, height: 20 };

  it('centres the label under the box', () => {
    expect(labelPosition([150, 50, 250, 150], size, view)).toEqual([150, 156]);
  });

  it('puts it above the box when there is no room below', () => {
    expect(labelPosition([150, 200, 250, 290], size, view)).toEqual([150, 174]);
  });

  it('keeps it inside the view horizontally', () => {
    expect(labelPosition([0, 50, 40, 100], size, view)[0]).toBe(0);
    expect(labelPosition([370, 50, 400, 100], size, view)[0]).toBe(300);
  });
});
