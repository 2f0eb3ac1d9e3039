import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real `hadir` command as a child process; a non-zero exit is a result, not a throw. */
export async function runHadir(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const r = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
