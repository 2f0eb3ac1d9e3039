import { readFile } from 'node:fs/promises';
import type { Recognition } from '../services/face-service';
import { decodeImage } from '../vision/decode';
import type { Command } from './index';
import { IMAGE_OPTIONS, expandInputs, imageErrorLine, parseCommand, progress, requireImages } from './args';
import { openFaceService } from './store';

const HELP = `usage: hadir identify [--json] [--pack ID] <files or folders…>

Finds every face in each image and says who it is among the people enrolled in the data folder
(HADIR_DATA_DIR, else the per-user folder). With --json, one JSON object per image per line:
  {"image", "width", "height", "faces": [{"bbox", "score", "landmarks",
     "identity": {"person_id", "employee_number", "name", "score", "second_score", "decision"}}]}
decision is "match" (named), "ambiguous" (too close to a second person) or "unknown".
A file that cannot be read gives {"image", "error": {"code", "message"}}.
Exit code: 0 every image read, 1 some could not be, 2 bad usage.`;

export function recognitionToJson(image: string, r: Recognition): string {
  return JSON.stringify({
    image,
    width: r.width,
    height: r.height,
    faces: r.faces.map((f) => ({ bbox: f.bbox, score: f.score, landmarks: f.landmarks, identity: f.identity })),
  });
}

function humanLine(image: string, r: Recognition): string {
  const faces = r.faces.map((f, i) => {
    const id = f.identity;
    const who =
      id.decision === 'match'
        ? `${id.name} (${id.employee_number}) score ${id.score.toFixed(3)}`
        : `${id.decision} (best ${id.score.toFixed(3)}, next ${id.second_score.toFixed(3)})`;
    return `  #${i + 1} [${f.bbox.map((v) => Math.round(v)).join(', ')}] ${who}`;
  });
  return `${image}: ${r.faces.length} face${r.faces.length === 1 ? '' : 's'}${faces.length ? '\n' + faces.join('\n') : ''}`;
}

export const identify: Command = async (argv) => {
  const parsed = parseCommand('identify', HELP, argv, IMAGE_OPTIONS, requireImages);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const files = expandInputs(positionals);
  const { service, close } = await openFaceService({ packId: values.pack });
  try {
    const bar = progress(files.length, 'identify');
    let failed = 0;
    for (const file of files) {
      let line: string;
      try {
        const r = await service.recognizeImage(await decodeImage(await readFile(file)));
        line = values.json ? recognitionToJson(file, r) : humanLine(file, r);
      } catch (e) {
        failed++;
        line = imageErrorLine(file, e, values.json);
      }
      process.stdout.write(line + '\n');
      bar.tick();
    }
    bar.done();
    return failed > 0 ? 1 : 0;
  } finally {
    await close();
  }
};
