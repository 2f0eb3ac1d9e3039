import type { Command } from './index';
import { HUB_HELP } from './hub-help';

const SUBCOMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  serve: async () => (await import('./hub-serve')).hubServe,
  migrate: async () => (await import('./hub-serve')).hubMigrate,
  site: async () => (await import('./hub-sites')).hubSite,
  pair: async () => (await import('./hub-devices')).hubPair,
  devices: async () => (await import('./hub-devices')).hubDevices,
  people: async () => (await import('./hub-people')).hubPeople,
  import: async () => (await import('./hub-import')).hubImport,
  attendance: async () => (await import('./hub-attendance')).hubAttendance,
  operators: async () => (await import('./hub-access')).hubOperators,
  keys: async () => (await import('./hub-access')).hubKeys,
  days: async () => (await import('./hub-org')).hubDays,
  correct: async () => (await import('./hub-org')).hubCorrect,
  leave: async () => (await import('./hub-org')).hubLeave,
  export: async () => (await import('./hub-org')).hubExport,
  recap: async () => (await import('./hub-recap')).hubRecap,
};

/** `hadir hub …`: each subcommand lives in a hub-*.ts module of its own. */
export const hub: Command = async (argv) => {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HUB_HELP + '\n');
    return 0;
  }
  // `hadir hub` alone (or with serve's options) serves.
  if (first === undefined || first.startsWith('-')) return (await SUBCOMMANDS.serve())(argv);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HUB_HELP + '\n');
    return 0;
  }
  const load = SUBCOMMANDS[first];
  if (!load) {
    process.stderr.write(`hadir hub: unknown subcommand "${first}"\n\n${HUB_HELP}\n`);
    return 2;
  }
  return (await load())(rest);
};
