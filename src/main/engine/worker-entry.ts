import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  file: string;
  execArgv: string[];
}

/**
 * Where the inference worker's code is. From the sources (CLI through tsx, tests, benchmarks) it
 * is `worker.ts`, started through `worker-bootstrap.mjs`, which registers tsx's hooks; in the electron-vite build it is the bundled
 * `inference-worker.js` next to the main bundle.
 */
export function inferenceWorkerEntry(): WorkerEntry {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return { file: path.join(path.dirname(here), 'worker-bootstrap.mjs'), execArgv: [] };
  }
  for (const dir of [path.dirname(here), path.join(path.dirname(here), '..')]) {
    const file = path.join(dir, 'inference-worker.js');
    if (existsSync(file)) return { file, execArgv: [] };
  }
  throw new Error(`inference worker bundle not found next to ${here}`);
}
