import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mainFaceIndex } from '../../shared/face';
import { openPipeline } from '../engine/open-pipeline';
import type { LabelledEmbedding } from '../services/calibrate';
import { alignFace } from '../vision/align';
import { decodeImage } from '../vision/decode';
import { createRgbImage, type RgbImage } from '../vision/image';
import { facesDir, testdataDir, type Labels } from './paths';

export function readLabels(): Labels {
  return JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
}

export interface LabelledPhotoEmbedding extends LabelledEmbedding {
  file: string;
  /** With `mirrored`: the embedding of the same aligned crop mirrored left to right. */
  mirrored?: Float32Array;
}

/**
 * One embedding per photo of labels.json's identities (its main face; photos without a face or that
 * cannot be decoded are left out), from the single-threaded pipeline of the default pack; with
 * `mirrored`, also that of the main face's aligned crop mirrored (for score-rule benchmarks).
 * About 15 s on two cores: call once per test file.
 */
export async function embedLabelledPhotos(opts: { mirrored?: boolean } = {}): Promise<LabelledPhotoEmbedding[]> {
  const labels = readLabels();
  const pipeline = await openPipeline(undefined);
  const out: LabelledPhotoEmbedding[] = [];
  try {
    for (const [label, files] of Object.entries(labels.identities)) {
      for (const file of files) {
        try {
          const img = await decodeImage(await readFile(path.join(facesDir, file)));
          const a = await pipeline.analyzeImage(img);
          const i = mainFaceIndex(a.faces);
          const e = i >= 0 ? a.faces[i].embedding : undefined;
          if (!e) continue;
          const sample: LabelledPhotoEmbedding = { label, file, embedding: e };
          if (opts.mirrored) {
            const crop = alignFace(img, a.faces[i].landmarks, pipeline.recognizer.size);
            [sample.mirrored] = await pipeline.recognizer.embed([mirrorHorizontally(crop)]);
          }
          out.push(sample);
        } catch {
          // an undecodable photo is simply not part of the set
        }
      }
    }
  } finally {
    await pipeline.dispose();
  }
  return out;
}

/** The image mirrored left to right (each row reversed). */
function mirrorHorizontally(img: RgbImage): RgbImage {
  const out = createRgbImage(img.width, img.height);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) {
    const base = y * row;
    for (let x = 0; x < img.width; x++) {
      const s = base + x * 3;
      const d = base + (img.width - 1 - x) * 3;
      out.data[d] = img.data[s];
      out.data[d + 1] = img.data[s + 1];
      out.data[d + 2] = img.data[s + 2];
    }
  }
  return out;
}
