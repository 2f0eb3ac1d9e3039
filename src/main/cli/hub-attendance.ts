import { attendanceOfDate } from '../hub/attendance';
import { isValidDate } from '../../shared/local-time';
import { UsageError, parse } from './args';
import { printJsonLines, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

/** The events of a day (one line each), or with --days each person's day (first in, last out, late). */
export async function hubAttendance(argv: string[]): Promise<number> {
  return runSubcommand('attendance', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      date: { type: 'string' },
      site: { type: 'string' },
      days: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected "${positionals.join(' ')}"`);
    if (!values.date || !isValidDate(values.date)) throw new UsageError('attendance needs --date YYYY-MM-DD');
    const view = await withHubPool((pool) => attendanceOfDate(pool, values.date!, values.site));
    if (values.days) {
      if (values.json) printJsonLines(view.days);
      else {
        for (const d of view.days) {
          process.stdout.write(
            `${d.employee_number}\t${d.full_name ?? '?'}\tin ${d.first_in?.time ?? '-'}\tout ${d.last_out?.time ?? '-'}` +
              `${d.late ? '\tlate' : ''}\n`,
          );
        }
      }
      return 0;
    }
    if (values.json) printJsonLines(view.events);
    else {
      for (const e of view.events) {
        process.stdout.write(
          `${e.time}\t${e.type}\t${e.employee_number}\t${e.full_name ?? '?'}\t${e.site}\t${e.device_name}` +
            `${e.clock_suspect ? '\tclock suspect' : ''}\n`,
        );
      }
    }
    return 0;
  });
}
