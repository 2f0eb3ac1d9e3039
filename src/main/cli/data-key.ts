import { rotateDataKey } from '../store/data-encryption';
import { dataKeyFileFor } from '../store/data-key-file';
import { defaultDbFile, openDb } from '../store/db';
import { UsageError, parseCommand } from './args';

export const ROTATE_HELP = `usage: hadir keys rotate-data-key [--batch N]

Face templates and thumbnails are sealed (AES-256-GCM) with the data key in HADIR_DATA_KEY_FILE (default
the per-user key folder, outside the data folder). This makes a new key, puts it first in the key file,
and re-seals every template and thumbnail with it, N rows per transaction (default 500) while the
kiosk may keep running. Killed part-way, every row still opens (the old keys stay in the key file);
run the command again and it finishes the same rotation instead of starting another.

The old keys stay in the key file: backups made before the rotation, and other data folders of this
user, open with them. Exit codes: 0 done, 2 bad usage, 3 the data key is missing or wrong.`;

/** `hadir keys rotate-data-key`, reached through `hadir keys`. */
export async function rotateDataKeyCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    'keys rotate-data-key',
    ROTATE_HELP,
    argv,
    { batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    ({ values, positionals }) => {
      if (positionals.length) throw new UsageError('rotate-data-key takes no arguments');
      if (values.batch !== undefined && !/^[1-9]\d{0,5}$/.test(values.batch))
        throw new UsageError('--batch must be a whole number of rows (1 to 999999)');
    },
  );
  if (typeof parsed === 'number') return parsed;
  const file = defaultDbFile();
  const keyFile = dataKeyFileFor(file);
  const db = openDb({ file, keyFile });
  try {
    let last = 0;
    const r = rotateDataKey(db, keyFile, {
      batch: parsed.values.batch ? Number(parsed.values.batch) : undefined,
      onBatch: ({ done, remaining }) => {
        // The first batch and then at most four lines a second: enough to see it move.
        if (last !== 0 && Date.now() - last < 250 && remaining > 0) return;
        last = Date.now();
        process.stderr.write(`re-sealed ${done} templates, ${remaining} to go\n`);
      },
    });
    process.stdout.write(
      `${r.newKey ? 'rotated to' : 'finished the rotation to'} data key ${r.keyId}: ${r.resealed} templates re-sealed\n`,
    );
    return 0;
  } finally {
    db.close();
  }
}
