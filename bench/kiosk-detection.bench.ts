import './setup-env';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { type BBox, type DetectedFace, mainFaceIndex } from '../src/shared/face';
import type { DetectionProfile } from '../src/main/engine/detector';
import { openPipeline } from '../src/main/engine/open-pipeline';
import { facesDir, type Labels, testdataDir } from '../src/main/testing/paths';
import type { RgbImage } from '../src/main/vision/image';
import { argValue, percentile, table } from './stats';

/**
 * Recall and cost of the kiosk detection profile (the smallest detection size first, the larger only
 * when it finds nothing) against the full one (every size, one NMS), on:
 * - kiosk-like frames: each labelled identity photo scaled to cover 640×480 (the face large, as in
 *   front of a kiosk) and scaled to fit inside 640×480 (smaller, with grey borders);
 * - the labelled group photos as they are, where the kiosk profile should find the large faces or
 *   fall back to every size.
 * A face counts as found when a kiosk-profile face overlaps it at IoU ≥ 0.5; "main face" is the
 * full profile's largest face. `--json FILE`, `--limit N` images per set.
 */
const labels = JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
const limit = Number(argValue('--limit') ?? Infinity);
const pipeline = await openPipeline(argValue('--pack'), { provider: 'cpu', intraOpNumThreads: 1 });
await pipeline.warmUp();

const iou = (a: BBox, b: BBox) => {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
};

async function rgb(file: string, fit?: 'cover' | 'contain'): Promise<RgbImage> {
  let s = sharp(readFileSync(path.join(facesDir, file))).rotate();
  if (fit) s = s.resize(640, 480, { fit, position: 'centre', background: '#808080' });
  const { data, info } = await s.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

async function timed(img: RgbImage, profile: DetectionProfile): Promise<{ faces: DetectedFace[]; ms: number }> {
  const t = performance.now();
  const faces = await pipeline.detector.detect(img, profile);
  return { faces, ms: performance.now() - t };
}

interface SetResult {
  images: number;
  /** Images where the full profile found a face. */
  withFaces: number;
  mainFaceRecall: number;
  allFaceRecall: number;
  /** Share of images where the kiosk profile ran the larger sizes too (its smallest found nothing). */
  fallbackRate: number;
  mainBoxIou: number;
  fullMs: number;
  kioskMs: number;
}

async function measure(files: string[], fit?: 'cover' | 'contain'): Promise<SetResult> {
  let withFaces = 0;
  let mainFound = 0;
  let facesFull = 0;
  let facesFound = 0;
  let fallbacks = 0;
  const ious: number[] = [];
  const fullMs: number[] = [];
  const kioskMs: number[] = [];
  for (const f of files.slice(0, limit)) {
    const img = await rgb(f, fit);
    const full = await timed(img, 'full');
    const kiosk = await timed(img, 'kiosk');
    if (pipeline.detector.lastPassCount > 1) fallbacks++;
    fullMs.push(full.ms);
    kioskMs.push(kiosk.ms);
    if (full.faces.length === 0) continue;
    withFaces++;
    facesFull += full.faces.length;
    for (const a of full.faces) if (kiosk.faces.some((b) => iou(a.bbox, b.bbox) >= 0.5)) facesFound++;
    const main = full.faces[mainFaceIndex(full.faces)];
    const km = kiosk.faces.length > 0 ? kiosk.faces[mainFaceIndex(kiosk.faces)] : null;
    if (km && iou(main.bbox, km.bbox) >= 0.5) {
      mainFound++;
      ious.push(iou(main.bbox, km.bbox));
    }
  }
  const n = Math.min(files.length, limit);
  return {
    images: n,
    withFaces,
    mainFaceRecall: mainFound / withFaces,
    allFaceRecall: facesFound / facesFull,
    fallbackRate: fallbacks / n,
    mainBoxIou: percentile(ious, 50),
    fullMs: percentile(fullMs, 50),
    kioskMs: percentile(kioskMs, 50),
  };
}

const identityFiles = Object.values(labels.identities).flat();
const sets: [string, SetResult][] = [
  ['identity photos, cover 640x480', await measure(identityFiles, 'cover')],
  ['identity photos, inside 640x480', await measure(identityFiles, 'contain')],
  ['group photos, as they are', await measure(Object.keys(labels.groups))],
];
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log(
  `kiosk detection profile: pack ${pipeline.pack.id}, sizes ${pipeline.pack.detector.detSizes.join('+')}, ${os.cpus().length} cores\n`,
);
console.log(
  table(
    [
      'set',
      'images',
      'with faces',
      'main face',
      'all faces',
      'fell back',
      'main IoU p50',
      'full ms p50',
      'kiosk ms p50',
    ],
    sets.map(([name, r]) => [
      name,
      String(r.images),
      String(r.withFaces),
      pct(r.mainFaceRecall),
      pct(r.allFaceRecall),
      pct(r.fallbackRate),
      r.mainBoxIou.toFixed(3),
      r.fullMs,
      r.kioskMs,
    ]),
  ),
);
const json = argValue('--json');
if (json) writeFileSync(json, JSON.stringify(Object.fromEntries(sets), null, 2) + '\n');
await pipeline.dispose();
