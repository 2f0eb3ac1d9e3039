/**
 * A child process for the crash-consistency and online-backup tests: it writes batches of manual
 * attendance records forever — each batch one transaction of `size` records plus their audit entries —
 * and reports each committed batch on stdout, until it is killed. A pause between batches lets other
 * connections take the write lock (SQLite's busy handler polls; a writer that never lets go starves them).
 *
 *   node bin/run-ts.mjs src/main/testing/attendance-writer.ts <db file> [batch size] [pause ms]
 */
import { addDays } from '../../shared/local-time';
import { AttendanceService } from '../services/attendance-service';
import { DEFAULT_SCHEDULE } from '../services/schedule';
import { openDb } from '../store/db';
import { PeopleRepo } from '../store/people-repo';

const [file, sizeArg, pauseArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: attendance-writer.ts <db file> [batch size]\n');
  process.exit(2);
}
const size = Number(sizeArg ?? 25);
const pauseMs = Number(pauseArg ?? 0);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const db = openDb({ file });
const repo = new PeopleRepo(db);
const people = db.transaction(() => {
  const out = [];
  for (let i = 0; i < size; i++) {
    const number = `W${String(i).padStart(4, '0')}`;
    out.push(
      repo.getByEmployeeNumber(number) ??
        repo.create({ employeeNumber: number, fullName: `Writer ${i}`, unit: 'Crash' }),
    );
  }
  return out;
})();
const svc = new AttendanceService({ db, schedule: DEFAULT_SCHEDULE });
const done = new Set(svc.query({ from: '2001-01-01', to: '2999-12-31', unit: 'Crash' }).map((r) => r.local_date)).size;
process.stdout.write(`ready ${done}\n`);
for (let k = done; ; k++) {
  const date = addDays('2001-01-01', k);
  svc.addRecords(
    people.map((p) => ({ person: p.id, localDate: date, checkInAt: '07:00', checkOutAt: '16:00' })),
    `batch ${k}`,
    { type: 'system', id: 'writer' },
  );
  process.stdout.write(`batch ${k}\n`);
  if (pauseMs > 0) Atomics.wait(sleeper, 0, 0, pauseMs);
}
