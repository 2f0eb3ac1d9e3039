import { DATA_KEY_EXIT_CODE, isDataKeyError } from '../store/data-cipher';

/**
 * `hadir` command dispatcher. Each command lives in its own module and returns an exit code:
 * 0 success, 1 some inputs failed, 2 bad usage, 3 the data key (which seals face templates) is
 * missing or wrong.
 */
export type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  analyze: {
    summary: 'detect faces, landmarks and embeddings in images',
    load: async () => (await import('./analyze')).analyze,
  },
  detect: {
    summary: 'detect faces and landmarks (no embeddings)',
    load: async () => (await import('./analyze')).detect,
  },
  compare: {
    summary: 'similarity of the main faces of two images',
    load: async () => (await import('./compare')).compare,
  },
  liveness: {
    summary: 'judge faces real or spoof (a photo or screen held up)',
    load: async () => (await import('./liveness')).liveness,
  },
  models: { summary: 'list, import or fetch model packs', load: async () => (await import('./models')).models },
  serve: { summary: 'run the local HTTP API (headless)', load: async () => (await import('./serve')).serve },
  join: {
    summary: 'join this kiosk to a hub (hadir hub) with a pairing code',
    load: async () => (await import('./join')).join,
  },
  hub: {
    summary: 'the organisation hub on PostgreSQL (kiosks pair and sync)',
    load: async () => (await import('./hub')).hub,
  },
  identify: {
    summary: 'say who the faces in images are (enrolled people)',
    load: async () => (await import('./identify')).identify,
  },
  import: {
    summary: 'enroll people from a folder of photos (resumable)',
    load: async () => (await import('./import')).importCommand,
  },
  people: {
    summary: 'list enrolled people; upload-to-hub: those from before a hub join',
    load: async () => (await import('./people')).people,
  },
  calibrate: {
    summary: 'match thresholds from labelled photos or the enrolled gallery',
    load: async () => (await import('./calibrate')).calibrateCommand,
  },
  export: {
    summary: 'attendance as CSV or XLSX for a date range',
    load: async () => (await import('./export')).exportCommand,
  },
  backup: {
    summary: 'a consistent copy of the database (while the app runs)',
    load: async () => (await import('./backup')).backup,
  },
  restore: {
    summary: 'replace the database with a checked backup',
    load: async () => (await import('./backup')).restore,
  },
  keys: { summary: 'create, list or revoke API keys', load: async () => (await import('./keys')).keys },
  operators: {
    summary: 'operator accounts: list, add, reset a secret, unlock',
    load: async () => (await import('./operators')).operators,
  },
  purge: { summary: 'delete data past its retention period', load: async () => (await import('./privacy')).purge },
  'person-data': {
    summary: 'everything held about one person, as JSON (UU PDP)',
    load: async () => (await import('./privacy')).personData,
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: hadir <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "hadir <command> --help" for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? process.stdout : process.stderr).write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { HADIR_VERSION } = await import('../../shared/version');
    process.stdout.write(`${HADIR_VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`hadir: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await (
      await cmd.load()
    )(rest);
  } catch (e) {
    // A missing or wrong data key is the administrator's to fix, not a failure of the command: its own code.
    if (isDataKeyError(e)) {
      process.stderr.write(`hadir ${name}: data key: ${e.message}\n`);
      return DATA_KEY_EXIT_CODE;
    }
    const err = e as { code?: string; message?: string };
    process.stderr.write(`hadir ${name}: ${err.code ? `[${err.code}] ` : ''}${err.message ?? String(e)}\n`);
    return 1;
  }
}
