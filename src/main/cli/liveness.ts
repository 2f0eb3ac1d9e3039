import { readFile } from 'node:fs/promises';
import { HadirError } from '../../shared/errors';
import type { ImageAnalysis } from '../../shared/face';
import { resolvePack } from '../engine/model-files';
import { FacePipeline } from '../engine/pipeline';
import type { Command } from './index';
import { IMAGE_OPTIONS, expandInputs, imageErrorLine, parseCommand, progress, requireImages } from './args';

const HELP = `usage: hadir liveness [--json] [--pack ID] <files or folders…>

Judges every face in each image real (a live person) or spoof (a photo or screen held up), with the
pack's liveness models (Silent-Face MiniFASNet). p_real is the mean of the models' probability of "real";
a face is real when p_real reaches the pack's liveness threshold.
With --json, prints one JSON object per image per line, in input order:
  {"image", "faces": [{"bbox": [x1,y1,x2,y2], "p_real", "decision": "real"|"spoof"}]}
or {"image", "error": {"code", "message"}} for a file that cannot be read.
Meant for camera frames: photos that are themselves copies (scans, screenshots, web images) often score as spoofs.
Exit code: 0 every image read, 1 some could not be (or the pack has no liveness models), 2 bad usage.`;

export function livenessToJson(image: string, a: ImageAnalysis): string {
  return JSON.stringify({
    image,
    faces: a.faces.map((f) => ({ bbox: f.bbox, p_real: f.liveness?.p_real, decision: f.liveness?.decision })),
  });
}

function humanLine(image: string, a: ImageAnalysis): string {
  const faces = a.faces
    .map(
      (f, i) =>
        `  #${i + 1} ${f.liveness?.decision ?? '?'} p_real ${f.liveness?.p_real.toFixed(3) ?? '?'} ` +
        `box [${f.bbox.map((v) => Math.round(v)).join(', ')}]`,
    )
    .join('\n');
  return `${image}: ${a.faces.length} face${a.faces.length === 1 ? '' : 's'}${faces ? '\n' + faces : ''}`;
}

/** Load the pack with its liveness models, or explain why it has none. */
async function openLivenessPipeline(packId: string | undefined): Promise<FacePipeline> {
  const resolved = await resolvePack(packId, { verify: true });
  const specs = resolved.pack.liveness ?? [];
  if (specs.length === 0) {
    throw new HadirError('LIVENESS_UNAVAILABLE', `model pack "${resolved.pack.id}" has no liveness models`);
  }
  if (!resolved.livenessPaths) {
    const missing = resolved.files.filter((f) => f.role === 'liveness' && !f.path).map((f) => f.file);
    throw new HadirError(
      'LIVENESS_UNAVAILABLE',
      `model pack "${resolved.pack.id}" is missing its liveness model file(s) ${missing.join(', ')}; ` +
        "put them beside the pack's other files or import them with `hadir models import <folder|zip>`",
    );
  }
  const pipeline = await FacePipeline.load(resolved);
  if (!pipeline.livenessAvailable) {
    await pipeline.dispose();
    throw new HadirError('LIVENESS_UNAVAILABLE', pipeline.livenessWarning ?? 'the liveness models could not be loaded');
  }
  return pipeline;
}

export const liveness: Command = async (argv) => {
  const parsed = parseCommand('liveness', HELP, argv, IMAGE_OPTIONS, requireImages);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const files = expandInputs(positionals);
  const pipeline = await openLivenessPipeline(values.pack);
  for (const w of pipeline.warnings) process.stderr.write(`hadir liveness: warning: ${w}\n`);
  const bar = progress(files.length, 'liveness');
  let failed = 0;
  try {
    for (const file of files) {
      let line: string;
      try {
        const bytes = await readFile(file);
        const a = await pipeline.analyzeBytes(bytes, { embed: false, liveness: true });
        line = values.json ? livenessToJson(file, a) : humanLine(file, a);
      } catch (e) {
        failed++;
        line = imageErrorLine(file, e, values.json, ['ENOENT', 'EISDIR', 'EACCES']);
      }
      process.stdout.write(line + '\n');
      bar.tick();
    }
  } finally {
    bar.done();
    await pipeline.dispose();
  }
  return failed > 0 ? 1 : 0;
};
