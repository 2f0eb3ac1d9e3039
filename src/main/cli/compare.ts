import { readFile } from 'node:fs/promises';
import { HadirError } from '../../shared/errors';
import { cosineSimilarity, mainFaceIndex } from '../../shared/face';
import { openPipeline } from '../engine/open-pipeline';
import type { Command } from './index';
import { IMAGE_OPTIONS, UsageError, parseCommand } from './args';

const HELP = `usage: hadir compare [--json] [--pack ID] <image-a> <image-b>

Similarity (cosine) of the main faces (largest box) of two images and the pack's verdict at its
calibrated match threshold. Exit code: 0 compared, 1 an image could not be read or has no face, 2 bad usage.`;

export const compare: Command = async (argv) => {
  const parsed = parseCommand('compare', HELP, argv, IMAGE_OPTIONS, ({ positionals }) => {
    if (positionals.length !== 2) throw new UsageError('give exactly two images');
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const pipeline = await openPipeline(values.pack);
  const embeddings: Float32Array[] = [];
  for (const file of positionals) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new HadirError('NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`);
    }
    const a = await pipeline.analyzeBytes(bytes);
    const i = mainFaceIndex(a.faces);
    const emb = i >= 0 ? a.faces[i].embedding : undefined;
    if (!emb) throw new HadirError('NO_FACE', `no face found in ${file}`);
    embeddings.push(emb);
  }
  const similarity = cosineSimilarity(embeddings[0], embeddings[1]);
  const threshold = pipeline.pack.thresholds?.match ?? null;
  const verdict = threshold === null ? 'uncalibrated' : similarity >= threshold ? 'same' : 'different';
  if (values.json) {
    process.stdout.write(
      JSON.stringify({ a: positionals[0], b: positionals[1], similarity, threshold, verdict, pack: pipeline.pack.id }) +
        '\n',
    );
  } else {
    const t = threshold === null ? 'pack has no calibrated threshold' : `threshold ${threshold}`;
    process.stdout.write(`similarity ${similarity.toFixed(4)} → ${verdict} (${t}, pack ${pipeline.pack.id})\n`);
  }
  return 0;
};
