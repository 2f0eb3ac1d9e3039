import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { isValidDate } from '../../shared/local-time';
import type { ExportFormat, ExportLanguage } from '../services/attendance-export';
import { AttendanceService } from '../services/attendance-service';
import { defaultDbFile, openDb } from '../store/db';
import type { Command } from './index';
import { UsageError, parse } from './args';
import { cliActor } from './store';

const HELP = `usage: hadir export --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|xlsx] [--unit UNIT]
                    [--person EMPLOYEE_NUMBER] [--lang en|id] [--out FILE]

Attendance records of the days from --from to --to (inclusive, in the site's time zone), one row per
person per day, with a header row: date, employee number, name, unit, check-in and check-out in local
time, late, kiosk, similarity, liveness, how it was decided, clock flag, note, and the UTC instants.
  --format   csv (UTF-8 with a byte-order mark, for Excel) or xlsx (with a per-day summary sheet);
             default: from the --out extension, else csv
  --unit     only this unit
  --person   only this employee number (also someone deleted whose history was kept)
  --lang     the language of the headers, yes/no values and sheet names: en (default; what scripts
             have always read) or id (Bahasa Indonesia: "Tanggal,NIP,Nama,Unit,Masuk (WIB),…")
  --out      write to FILE (default: standard output; xlsx needs --out unless output is redirected)
The export is recorded in the audit log. Exit code: 0 written, 1 failed, 2 bad usage.`;

export const exportCommand: Command = async (argv) => {
  let values;
  let format: ExportFormat;
  let lang: ExportLanguage;
  try {
    ({ values } = parse(argv, {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      unit: { type: 'string' },
      person: { type: 'string' },
      lang: { type: 'string' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    if (!values.from || !isValidDate(values.from)) throw new UsageError('--from YYYY-MM-DD is required');
    if (!values.to || !isValidDate(values.to)) throw new UsageError('--to YYYY-MM-DD is required');
    if (values.from > values.to) throw new UsageError('--from is after --to');
    const f = values.format ?? (values.out && path.extname(values.out).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv');
    if (f !== 'csv' && f !== 'xlsx') throw new UsageError(`--format must be csv or xlsx (got "${f}")`);
    format = f;
    const l = values.lang ?? 'en';
    if (l !== 'en' && l !== 'id') throw new UsageError(`--lang must be en or id (got "${l}")`);
    lang = l;
    if (format === 'xlsx' && !values.out && process.stdout.isTTY)
      throw new UsageError('xlsx is binary: give --out FILE');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir export: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    throw e;
  }
  const db = openDb({ file: defaultDbFile() });
  try {
    const svc = new AttendanceService({ db });
    const { data, records } = await svc.export(
      { from: values.from, to: values.to, unit: values.unit, employee_number: values.person },
      format,
      cliActor(),
      lang,
    );
    if (values.out) {
      // Written aside and renamed: a file that exists is complete. Personal data: owner-only.
      const tmp = `${values.out}.partial-${process.pid}`;
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, values.out);
      process.stderr.write(`${records} record${records === 1 ? '' : 's'} written to ${values.out}\n`);
    } else {
      process.stdout.write(data);
    }
    return 0;
  } finally {
    db.close();
  }
};
