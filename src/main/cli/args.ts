import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { toErrorInfo } from '../../shared/errors';

/** A usage error: the command prints it with its help and exits 2. */
export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A command's arguments, or its exit code when parsing already finished it: 0 after printing the help
 * for `--help` (the options must include `help`), 2 after printing a usage error and the help. `check`
 * throws {@link UsageError} for what the options cannot say (how many positionals, a value's form).
 */
export function parseCommand<T extends Options>(
  name: string,
  help: string,
  argv: string[],
  options: T,
  check?: (parsed: ReturnType<typeof parse<T>>) => void,
): ReturnType<typeof parse<T>> | number {
  try {
    const parsed = parse(argv, options);
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(help + '\n');
      return 0;
    }
    check?.(parsed);
    return parsed;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir ${name}: ${e.message}\n\n${help}\n`);
      return 2;
    }
    throw e;
  }
}

/** The options of the commands that read images: --json, --pack ID, --help. */
export const IMAGE_OPTIONS = {
  json: { type: 'boolean' },
  pack: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A {@link parseCommand} check: at least one image (file or folder) given. */
export function requireImages({ positionals }: { positionals: string[] }): void {
  if (positionals.length === 0) throw new UsageError('no images given');
}

/**
 * The output line of an image that failed: the error's code and message, and for a file that could
 * not be read (`unreadable` errno codes) NOT_FOUND with the path.
 */
export function imageErrorLine(
  file: string,
  e: unknown,
  json: boolean | undefined,
  unreadable: readonly string[] = ['ENOENT', 'EISDIR'],
): string {
  const error = toErrorInfo(e);
  const errno = (e as NodeJS.ErrnoException).code;
  if (errno !== undefined && unreadable.includes(errno)) {
    error.code = 'NOT_FOUND';
    error.message = `cannot read ${file}: ${(e as Error).message}`;
  }
  return json ? JSON.stringify({ image: file, error }) : `${file}: error [${error.code}] ${error.message}`;
}

/** Parse "128,640" into sizes; every size a positive multiple of 32. */
export function parseDetSizes(s: string | undefined): number[] | undefined {
  if (s === undefined) return undefined;
  const sizes = s.split(',').map((x) => Number(x.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 32 || n % 32 !== 0 || n > 4096)) {
    throw new UsageError(`--det-sizes must be a comma-separated list of multiples of 32 (got "${s}")`);
  }
  return sizes;
}

/**
 * Expand the command line's files and folders into files, in input order; a folder contributes
 * its regular, non-hidden files sorted by name (not recursing). Paths keep the form they were given.
 */
export function expandInputs(inputs: string[]): string[] {
  const out: string[] = [];
  for (const p of inputs) {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reported per image as unreadable
      continue;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        const full = path.join(p, name);
        try {
          if (statSync(full).isFile()) out.push(full);
        } catch {
          // vanished between listing and stat: skip
        }
      }
    } else {
      out.push(p);
    }
  }
  return out;
}

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export function progress(total: number, label: string): { tick: () => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let n = 0;
  const draw = () => {
    const width = 30;
    const filled = total ? Math.round((n / total) * width) : width;
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${total}`);
  };
  return {
    tick: () => {
      n++;
      if (tty) draw();
    },
    done: () => {
      if (tty) process.stderr.write('\n');
    },
  };
}
