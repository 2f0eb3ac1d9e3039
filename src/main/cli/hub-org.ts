import { writeFileSync } from 'node:fs';
import { correctDay } from '../hub/corrections';
import { enterLeave, LEAVE_KINDS } from '../hub/leave';
import { DAY_STATUSES, type DayStatus, organisationDay } from '../hub/org-days';
import { exportOrganisationAttendance } from '../hub/org-export';
import { isValidDate } from '../../shared/local-time';
import { UsageError, parse } from './args';
import { cliActor, printJsonLines, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

/** `hadir hub days --date D [--site S] [--unit U] [--late] [--absent] [--status a,b] [--json]` */
export async function hubDays(argv: string[]): Promise<number> {
  return runSubcommand('days', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      date: { type: 'string' },
      site: { type: 'string' },
      unit: { type: 'string' },
      status: { type: 'string' },
      late: { type: 'boolean' },
      absent: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected "${positionals.join(' ')}"`);
    if (!values.date || !isValidDate(values.date)) throw new UsageError('days needs --date YYYY-MM-DD');
    const status = [
      ...(values.status ? values.status.split(',') : []),
      ...(values.late ? ['late'] : []),
      ...(values.absent ? ['absent'] : []),
    ];
    const bad = status.filter((s) => !(DAY_STATUSES as readonly string[]).includes(s));
    if (bad.length) throw new UsageError(`--status takes ${DAY_STATUSES.join(', ')} (got ${bad.join(', ')})`);
    const view = await withHubPool((pool) =>
      organisationDay(pool, values.date!, { site: values.site, unit: values.unit, status: status as DayStatus[] }),
    );
    if (values.json) {
      printJsonLines(view.days);
      return 0;
    }
    const s = view.summary;
    process.stdout.write(
      `${view.date}${view.site ? ` ${view.site}` : ''}${view.unit ? ` ${view.unit}` : ''}` +
        `${view.holiday ? ` (holiday: ${view.holiday})` : view.workday === false ? ' (not a workday)' : ''}: ` +
        `${s.active} active, ${s.present} present, ${s.late} late, ${s.absent} absent, ${s.on_leave} on leave\n`,
    );
    for (const d of view.days) {
      process.stdout.write(
        `${d.employee_number}\t${d.full_name ?? '?'}\t${d.unit ?? '-'}\t${d.status}` +
          `\tin ${d.first_in ? `${d.first_in.time} ${d.first_in.site}` : '-'}` +
          `\tout ${d.last_out ? `${d.last_out.time} ${d.last_out.site}` : '-'}` +
          `${d.leave ? `\tleave ${d.leave}` : ''}${d.corrected ? `\tcorrected: ${d.corrected.reason}` : ''}\n`,
      );
    }
    return 0;
  });
}

const yesNo = (v: string | undefined, field: string): boolean | null | undefined => {
  if (v === undefined) return undefined;
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  if (v === 'auto') return null;
  throw new UsageError(`${field} takes yes, no or auto`);
};
const timeArg = (v: string | undefined): string | null | undefined => (v === 'none' ? null : v);

/** `hadir hub correct NUMBER --date D [--in HH:MM|none] [--out HH:MM|none] [--late yes|no|auto] --reason R` */
export async function hubCorrect(argv: string[]): Promise<number> {
  return runSubcommand('correct', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      date: { type: 'string' },
      in: { type: 'string' },
      out: { type: 'string' },
      late: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [number, ...extra] = positionals;
    if (!number || extra.length) throw new UsageError('correct needs one employee number');
    if (!values.date || !isValidDate(values.date)) throw new UsageError('correct needs --date YYYY-MM-DD');
    if (!values.reason?.trim()) throw new UsageError('correct needs --reason (it goes into the audit log)');
    const c = await withHubPool((pool) =>
      correctDay(
        pool,
        {
          employeeNumber: number,
          date: values.date!,
          checkIn: timeArg(values.in),
          checkOut: timeArg(values.out),
          late: yesNo(values.late, '--late'),
          reason: values.reason!,
        },
        cliActor(),
      ),
    );
    if (values.json) printJsonLines([c]);
    else {
      process.stdout.write(
        `${c.employee_number} ${c.date} corrected: in ${c.check_in ?? '-'}, out ${c.check_out ?? '-'}` +
          `${c.late === null ? '' : c.late ? ', late' : ', on time'}\n`,
      );
    }
    return 0;
  });
}

/** `hadir hub leave add NUMBER --from D --to D --kind cuti|sakit|izin|dinas --reason R` */
export async function hubLeave(argv: string[]): Promise<number> {
  return runSubcommand('leave', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      from: { type: 'string' },
      to: { type: 'string' },
      kind: { type: 'string' },
      reason: { type: 'string' },
    });
    const [sub, number, ...extra] = positionals;
    if (sub !== 'add') throw new UsageError('leave takes: add NUMBER --from --to --kind --reason');
    if (!number || extra.length) throw new UsageError('leave add needs one employee number');
    if (!values.from || !values.kind || !values.reason) {
      throw new UsageError(`leave add needs --from, --kind (${LEAVE_KINDS.join('|')}) and --reason`);
    }
    const to = values.to ?? values.from;
    await withHubPool((pool) =>
      enterLeave(
        pool,
        { employeeNumber: number, from: values.from!, to, kind: values.kind!, reason: values.reason! },
        cliActor(),
      ),
    );
    process.stdout.write(
      `leave (${values.kind}) ${values.from}${to !== values.from ? ` to ${to}` : ''} for ${number} recorded; ` +
        'the kiosks of their sites receive it\n',
    );
    return 0;
  });
}

/** `hadir hub export --from D --to D [--site S] [--unit U] [--format csv|xlsx] --out FILE` */
export async function hubExport(argv: string[]): Promise<number> {
  return runSubcommand('export', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      from: { type: 'string' },
      to: { type: 'string' },
      site: { type: 'string' },
      unit: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`unexpected "${positionals.join(' ')}"`);
    if (!values.from || !values.out) throw new UsageError('export needs --from YYYY-MM-DD and --out FILE');
    const format = values.format ?? (values.out.endsWith('.xlsx') ? 'xlsx' : 'csv');
    if (format !== 'csv' && format !== 'xlsx') throw new UsageError('--format is csv or xlsx');
    const r = await withHubPool((pool) =>
      exportOrganisationAttendance(
        pool,
        { from: values.from!, to: values.to ?? values.from!, site: values.site, unit: values.unit, format },
        cliActor(),
      ),
    );
    writeFileSync(values.out, r.data, { mode: 0o600 });
    process.stdout.write(`${r.records} records written to ${values.out}\n`);
    return 0;
  });
}
