import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths';

/** The attendance writer (attendance-writer.ts) running in a child process. */
export interface WriterProcess {
  child: ChildProcess;
  /** Batches the child reported committed so far. */
  committed(): number;
  /** Resolves once the child has reported `n` committed batches (rejects if it exits first). */
  waitFor(n: number): Promise<void>;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
}

export function startWriter(dbFile: string, batchSize = 25, pauseMs = 0): WriterProcess {
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin/run-ts.mjs'),
      path.join(repoRoot, 'src/main/testing/attendance-writer.ts'),
      dbFile,
      String(batchSize),
      String(pauseMs),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let committed = 0;
  let stderr = '';
  let buffer = '';
  const waiters: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  const wake = () => {
    for (const w of [...waiters]) {
      if (committed >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const l of lines) if (l.startsWith('batch ')) committed++;
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', (code, signal) => {
    for (const w of waiters.splice(0))
      w.reject(new Error(`writer exited (${code ?? signal}) after ${committed} batches: ${stderr}`));
  });
  return {
    child,
    committed: () => committed,
    waitFor: (n) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ n, resolve, reject });
        wake();
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
