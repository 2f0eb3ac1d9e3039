import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { backupDatabase, pruneBackups, restoreDatabase } from '../services/backup';
import { defaultDbFile, openDb } from '../store/db';
import type { Command } from './index';
import { UsageError, parse } from './args';
import { cliActor } from './store';

const BACKUP_HELP = `usage: hadir backup <file | folder/> [--prune-older-than DAYS]

Writes a consistent copy of the database while the app may be running (SQLite's online backup),
checks it, and makes it readable by its owner only. Given a folder (an existing one, or a path ending
in "/"), the copy is named hadir-backup-<UTC time>.db inside it.
  --prune-older-than DAYS   then delete the hadir-backup-*.db files in that folder older than DAYS

A backup holds everything, biometric templates included. Data purged by the retention settings lives
on in older backups: delete them on the same schedule (--prune-older-than), and keep them where only
administrators can read them.`;

export const backup: Command = async (argv) => {
  let values;
  let positionals;
  let prune: number | undefined;
  try {
    ({ values, positionals } = parse(argv, {
      'prune-older-than': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(BACKUP_HELP + '\n');
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('give one backup file or folder');
    if (values['prune-older-than'] !== undefined) {
      prune = Number(values['prune-older-than']);
      if (!Number.isInteger(prune) || prune < 1)
        throw new UsageError('--prune-older-than must be a whole number of days');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir backup: ${e.message}\n\n${BACKUP_HELP}\n`);
      return 2;
    }
    throw e;
  }
  const db = openDb({ file: defaultDbFile() });
  try {
    const r = await backupDatabase(db, positionals[0], { actor: cliActor() });
    process.stdout.write(`${r.file} (${r.bytes} bytes, schema version ${r.schemaVersion})\n`);
    if (prune !== undefined) {
      for (const f of pruneBackups(path.dirname(r.file), prune)) process.stdout.write(`deleted ${f}\n`);
    }
    return 0;
  } finally {
    db.close();
  }
};

const RESTORE_HELP = `usage: hadir restore <backup file> --yes

Replaces the database of the data folder with a backup:
  1. the backup is checked first (integrity_check, a Hadir database, a schema version this release
     understands); nothing is touched if it fails;
  2. the current database is kept aside as <database>.before-restore-<UTC time>;
  3. the backup is copied in through SQLite (a running app sees the restored data at once, but stop
     the kiosk first where you can: its writes wait, then fail, while the copy runs);
  4. an older backup is migrated to this release's schema; the restore is recorded in the audit log.
Restart the app afterwards so every screen reloads. --yes confirms that the current data is replaced.`;

export const restore: Command = async (argv) => {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, { yes: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }));
    if (values.help) {
      process.stdout.write(RESTORE_HELP + '\n');
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('give one backup file');
    if (!existsSync(positionals[0]) || !statSync(positionals[0]).isFile())
      throw new UsageError(`${positionals[0]} is not a file`);
    if (!values.yes) throw new UsageError('restoring replaces the current data: add --yes to confirm');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir restore: ${e.message}\n\n${RESTORE_HELP}\n`);
      return 2;
    }
    throw e;
  }
  const r = await restoreDatabase(positionals[0], defaultDbFile(), { actor: cliActor() });
  process.stdout.write(
    `restored ${r.file} from ${positionals[0]} (schema version ${r.fromVersion}${r.fromVersion !== r.schemaVersion ? ` → ${r.schemaVersion}` : ''})\n` +
      (r.keptAside ? `the previous database is kept at ${r.keptAside}\n` : ''),
  );
  return 0;
};
