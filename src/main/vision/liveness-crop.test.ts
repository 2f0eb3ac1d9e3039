import { describe, expect, it } from 'vitest';
import type { BBox } from '../../shared/face';
import type { RgbImage } from './image';
import { cropImage, liveCropBounds, livenessInput, livenessPatch, patchToTensor, silentFaceBox } from './liveness-crop';
import { resizeBilinear } from './resize';

/**
 * Expected values come from Silent-Face's own `get_bbox` int conversion and `CropImage._get_new_box`
 * run under Python 3 on random boxes (400 cases agreed; these cover every branch: inside, each of the
 * four shifts back into the image, a capped scale, and negative detector coordinates, which Python's
 * int() truncates toward zero).
 */
const PYTHON_CASES: { W: number; H: number; bbox: BBox; scale: number; xywh: number[]; box: number[] }[] = [
  {
    W: 683,
    H: 328,
    bbox: [391.84755006959534, 21.58496325245654, 691.5043254502098, 43.76527277887637],
    scale: 1.0,
    xywh: [391, 21, 300, 23],
    box: [382, 21, 682, 44],
  },
  {
    W: 138,
    H: 1059,
    bbox: [40.046543265973156, 207.9470272443035, 76.5642362126483, 312.6372236003738],
    scale: 1.0,
    xywh: [40, 207, 37, 105],
    box: [40, 207, 77, 312],
  },
  {
    W: 889,
    H: 141,
    bbox: [-161.4582406872243, 76.07570393736168, 647.9861914062017, 99.65837830592349],
    scale: 2.7,
    xywh: [-161, 76, 810, 24],
    box: [0, 74, 888, 101],
  },
  {
    W: 1201,
    H: 1219,
    bbox: [-159.7931472732607, 298.0235640292393, 367.2780254146311, 1607.2027595908212],
    scale: 4.0,
    xywh: [-159, 298, 528, 1310],
    box: [0, 0, 490, 1218],
  },
  {
    W: 878,
    H: 315,
    bbox: [223.33950992629224, 107.56842885940061, 747.8305087455747, 307.5354538737604],
    scale: 2.7,
    xywh: [223, 107, 525, 200],
    box: [52, 0, 877, 314],
  },
  {
    W: 1211,
    H: 1189,
    bbox: [228.72324499280984, -127.57840252291518, 1081.6253096047487, 362.61835589444],
    scale: 2.7,
    xywh: [228, -127, 853, 491],
    box: [0, 0, 1210, 696],
  },
  {
    W: 492,
    H: 329,
    bbox: [297.6728076747933, -19.772950714018286, 347.16920095219956, 39.22544222022511],
    scale: 1.0,
    xywh: [297, -19, 50, 59],
    box: [297, 0, 347, 59],
  },
  {
    W: 393,
    H: 558,
    bbox: [146.49173068532312, 291.37382818433537, 271.96072833553814, 385.06161591275395],
    scale: 4.0,
    xywh: [146, 291, 126, 94],
    box: [0, 191, 392, 484],
  },
  {
    W: 20,
    H: 1180,
    bbox: [3.6929821163656014, -25.08093550890675, 11.264485965115878, 111.11249234431054],
    scale: 2.7,
    xywh: [3, -25, 8, 137],
    box: [0, 0, 19, 325],
  },
  {
    W: 1277,
    H: 790,
    bbox: [343.65234334436, 182.27073768848018, 556.5784576620088, 405.22143935379495],
    scale: 2.7,
    xywh: [343, 182, 213, 223],
    box: [161, 0, 737, 602],
  },
  {
    W: 1101,
    H: 760,
    bbox: [-43.93650448568598, 170.60933570821928, 137.88081768050733, 626.9856216162564],
    scale: 1.0,
    xywh: [-43, 170, 182, 457],
    box: [0, 170, 182, 627],
  },
  {
    W: 1363,
    H: 319,
    bbox: [191.82402915421852, 175.02548869949817, 1110.6980669560999, 386.13701034578787],
    scale: 2.7,
    xywh: [191, 175, 919, 212],
    box: [0, 3, 1362, 318],
  },
];

/** A test image whose pixel (x, y) is (x mod 256, y mod 256, (x + y) mod 256). */
function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x & 255, y & 255, (x + y) & 255], (y * width + x) * 3);
  }
  return { data, width, height };
}

describe('Silent-Face liveness crop', () => {
  it.each(PYTHON_CASES)('matches Python for a $W×$H image, scale $scale', (c) => {
    const xywh = silentFaceBox(c.bbox);
    expect(xywh).toEqual(c.xywh);
    const b = liveCropBounds(c.W, c.H, xywh, c.scale);
    expect([b.x1, b.y1, b.x2, b.y2]).toEqual(c.box);
  });

  it('keeps a degenerate box at one pixel instead of dividing by zero', () => {
    expect(silentFaceBox([10.2, 10.2, 9.9, 9.5])).toEqual([10, 10, 1, 1]);
    const b = liveCropBounds(1, 1, [0, 0, 1, 1], 2.7);
    expect(b).toEqual({ x1: 0, y1: 0, x2: 0, y2: 0 });
  });

  it('cuts rows y1..y2 and columns x1..x2 inclusive', () => {
    const img = gradient(40, 30);
    const c = cropImage(img, { x1: 5, y1: 7, x2: 14, y2: 9 });
    expect([c.width, c.height]).toEqual([10, 3]);
    expect(Array.from(c.data.subarray(0, 3))).toEqual([5, 7, 12]);
    const last = (3 * 10 - 1) * 3;
    expect(Array.from(c.data.subarray(last, last + 3))).toEqual([14, 9, 23]);
  });

  it('resizes the crop with the OpenCV-exact bilinear resize to size×size, copying only the rows it reads', () => {
    // Noise, so a missing source row would change the output; tall crops take the row-sparse copy.
    let seed = 12345;
    const noise = (width: number, height: number): RgbImage => {
      const data = new Uint8Array(width * height * 3);
      for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      return { data, width, height };
    };
    const cases: [RgbImage, BBox, number][] = [
      [noise(300, 200), [120.4, 60.7, 180.2, 140.9], 2.7],
      [noise(700, 2100), [200.3, 700.1, 420.9, 1013.6], 4],
      [noise(640, 480), [250.2, 120.4, 390.5, 330.1], 4],
      [noise(331, 1999), [10.5, 1500.5, 300.5, 1990.5], 2.7],
      [noise(97, 5003), [20, 40, 60, 4990], 1],
    ];
    for (const [img, bbox, scale] of cases) {
      const patch = livenessPatch(img, bbox, { scale, size: 80 });
      const bounds = liveCropBounds(img.width, img.height, silentFaceBox(bbox), scale);
      const expected = resizeBilinear(cropImage(img, bounds), 80, 80);
      expect([patch.width, patch.height]).toEqual([80, 80]);
      expect(Buffer.from(patch.data).equals(Buffer.from(expected.data)), `${img.width}x${img.height}`).toBe(true);
    }
  });

  it('lays the tensor out NCHW with raw 0–255 values in BGR (or RGB) plane order', () => {
    const patch: RgbImage = { data: new Uint8Array([10, 20, 30, 40, 50, 60]), width: 2, height: 1 };
    expect(Array.from(patchToTensor(patch, 'BGR'))).toEqual([30, 60, 20, 50, 10, 40]);
    expect(Array.from(patchToTensor(patch, 'RGB'))).toEqual([10, 40, 20, 50, 30, 60]);
    const t = livenessInput(gradient(120, 90), [30, 20, 70, 70], { scale: 4, size: 80, channelOrder: 'BGR' });
    expect(t.length).toBe(3 * 80 * 80);
    expect(t.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
  });
});
