import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mainFaceIndex } from '../../shared/face';
import { openPipeline } from '../engine/open-pipeline';
import type { LabelledEmbedding } from '../services/calibrate';
import { decodeImage } from '../vision/decode';
import { facesDir, testdataDir, type Labels } from './paths';

export function readLabels(): Labels {
  return JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
}

/**
 * One embedding per photo of labels.json's identities (its main face; photos without a face or that
 * cannot be decoded are left out), from the single-threaded pipeline of the default pack.
 * About 15 s on two cores: call once per test file.
 */
export async function embedLabelledPhotos(): Promise<(LabelledEmbedding & { file: string })[]> {
  const labels = readLabels();
  const pipeline = await openPipeline(undefined);
  const out: (LabelledEmbedding & { file: string })[] = [];
  try {
    for (const [label, files] of Object.entries(labels.identities)) {
      for (const file of files) {
        try {
          const a = await pipeline.analyzeImage(await decodeImage(await readFile(path.join(facesDir, file))));
          const i = mainFaceIndex(a.faces);
          const e = i >= 0 ? a.faces[i].embedding : undefined;
          if (e) out.push({ label, file, embedding: e });
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
