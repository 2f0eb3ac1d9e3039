/**
 * A joined kiosk's sync, alone in a process (no engine): what `hadir serve` runs beside the API, for
 * tests that kill it with SIGKILL part-way. Usage: kiosk-sync-child.ts <hadir.db>. Prints "started",
 * then the sync's own log lines; SIGTERM stops it cleanly.
 */
import { openDb } from '../store/db';
import { startHubSync } from '../sync/start';

const [file] = process.argv.slice(2);
const db = openDb({ file });
const sync = startHubSync({ db, log: (line) => process.stdout.write(`${line}\n`) });
if (!sync) {
  process.stderr.write('this kiosk is not joined to a hub\n');
  process.exit(2);
}
process.stdout.write('started\n');
process.on('SIGTERM', () => {
  void sync.stop().then(() => {
    db.close();
    process.exit(0);
  });
});
