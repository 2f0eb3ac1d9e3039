import { readFile } from 'node:fs/promises';
import type { ImageAnalysis } from '../../shared/face';
import { resolvePack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import type { Command } from './index';
import {
  IMAGE_OPTIONS,
  expandInputs,
  imageErrorLine,
  parseCommand,
  parseDetSizes,
  progress,
  requireImages,
} from './args';

const HELP = (
  name: string,
  embed: boolean,
) => `usage: hadir ${name} [--json] [--pack ID] [--det-sizes 128,640] <files or folders…>

${embed ? 'Detects faces, their 5 landmarks and L2-normalised embeddings' : 'Detects faces and their 5 landmarks'} in each image.
With --json, prints one JSON object per image per line, in input order:
  {"image", "width", "height", "faces": [{"bbox": [x1,y1,x2,y2], "score", "landmarks": [[x,y]×5]${embed ? ', "embedding": […]' : ''}}]}
or {"image", "error": {"code", "message"}} for a file that cannot be read.
Coordinates are pixels of the EXIF-rotated image; faces are ordered by score.
Exit code: 0 every image read, 1 some could not be, 2 bad usage.`;

/** Serialise one analysis as the documented JSON line. */
export function analysisToJson(image: string, a: ImageAnalysis, embed: boolean): string {
  return JSON.stringify({
    image,
    width: a.width,
    height: a.height,
    faces: a.faces.map((f) => ({
      bbox: f.bbox,
      score: f.score,
      landmarks: f.landmarks,
      ...(embed && f.embedding ? { embedding: Array.from(f.embedding) } : {}),
    })),
  });
}

function humanLine(image: string, a: ImageAnalysis): string {
  const faces = a.faces
    .map((f, i) => `  #${i + 1} score ${f.score.toFixed(3)} box [${f.bbox.map((v) => Math.round(v)).join(', ')}]`)
    .join('\n');
  return `${image}: ${a.width}x${a.height}, ${a.faces.length} face${a.faces.length === 1 ? '' : 's'}${faces ? '\n' + faces : ''}`;
}

function makeCommand(name: string, embed: boolean): Command {
  return async (argv) => {
    const parsed = parseCommand(
      name,
      HELP(name, embed),
      argv,
      { ...IMAGE_OPTIONS, 'det-sizes': { type: 'string' } },
      (args) => {
        requireImages(args);
        parseDetSizes(args.values['det-sizes']);
      },
    );
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const files = expandInputs(positionals);
    const resolved = await resolvePack(values.pack, { verify: true });
    // Every core: the images go to the inference workers, several in flight, while this thread reads
    // the next files and prints the answers in input order. No liveness models: nothing here asks.
    const pool = await InferencePool.start({
      paths: { pack: resolved.pack, detectorPath: resolved.detectorPath, recognizerPath: resolved.recognizerPath },
      detSizes: parseDetSizes(values['det-sizes']),
      readyWhen: 'first',
      // A batch waits for its turn however long the folder: no deadline worth failing an image for.
      timeoutMs: BATCH_TIMEOUT_MS,
    });
    try {
      for (const w of pool.status().warnings) process.stderr.write(`hadir ${name}: warning: ${w}\n`);
      const bar = progress(files.length, name);
      const analyse = async (file: string): Promise<{ line: string; ok: boolean }> => {
        try {
          const a = await pool.analyzeEncoded(await readFile(file), { embed });
          return { line: values.json ? analysisToJson(file, a, embed) : humanLine(file, a), ok: true };
        } catch (e) {
          return { line: imageErrorLine(file, e, values.json), ok: false };
        }
      };
      // A window of requests in flight: enough to keep every worker fed while the next file is read.
      const window = 2 * pool.status().workers + 1;
      const pending: Promise<{ line: string; ok: boolean }>[] = [];
      let next = 0;
      let failed = 0;
      while (next < files.length || pending.length > 0) {
        while (next < files.length && pending.length < window) pending.push(analyse(files[next++]));
        const r = await pending.shift()!;
        if (!r.ok) failed++;
        process.stdout.write(r.line + '\n');
        bar.tick();
      }
      bar.done();
      return failed > 0 ? 1 : 0;
    } finally {
      await pool.close();
    }
  };
}

/** Per-image deadline in a batch: only a stuck worker should ever reach it. */
const BATCH_TIMEOUT_MS = 10 * 60_000;

export const analyze = makeCommand('analyze', true);
export const detect = makeCommand('detect', false);
