import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { LEAVE_KINDS, type RecapRow, type RecapView } from '../../shared/hub-admin';
import { isValidMonth, monthlyRecap, recordRecapExport, writeRecapXlsx } from '../hub/recap';
import { UsageError, parse } from './args';
import { cliActor, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

/** `hadir hub recap --month YYYY-MM [--site S] [--unit U] [--json] [--xlsx FILE] [--lang id|en]` */
export async function hubRecap(argv: string[]): Promise<number> {
  return runSubcommand('recap', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      month: { type: 'string' },
      site: { type: 'string' },
      unit: { type: 'string' },
      json: { type: 'boolean' },
      xlsx: { type: 'string' },
      lang: { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`unexpected "${positionals.join(' ')}"`);
    if (!values.month) throw new UsageError('recap needs --month YYYY-MM');
    if (!isValidMonth(values.month)) {
      throw new UsageError(`--month takes a month as YYYY-MM, e.g. 2026-03 (got "${values.month}")`);
    }
    const lang = values.lang ?? 'id';
    if (lang !== 'id' && lang !== 'en') throw new UsageError('--lang is id or en');
    const view = await withHubPool(async (pool) => {
      const v = await monthlyRecap(pool, { month: values.month!, site: values.site, unit: values.unit });
      if (values.xlsx) {
        const file = createWriteStream(values.xlsx, { mode: 0o600 });
        await Promise.all([writeRecapXlsx(v, file, lang), finished(file)]);
        await recordRecapExport(pool, v, 'xlsx', cliActor());
      }
      return v;
    });
    if (values.json) process.stdout.write(JSON.stringify(view) + '\n');
    else if (values.xlsx) process.stdout.write(`${view.people.length} people written to ${values.xlsx}\n`);
    else process.stdout.write(recapTable(view));
    return 0;
  });
}

type Column = [header: string, value: (r: RecapRow) => string | number, right?: true];

const COLUMNS: Column[] = [
  ['NIP', (r) => r.employee_number],
  ['Name', (r) => r.name],
  ['Unit', (r) => r.unit ?? '-'],
  ['Site', (r) => r.site],
  ['Work', (r) => r.workdays, true],
  ['Present', (r) => r.days_present, true],
  ['Late', (r) => r.days_late, true],
  ['Late min', (r) => r.late_minutes, true],
  ['Early', (r) => r.early_departures, true],
  ['Early min', (r) => r.early_minutes, true],
  ['No out', (r) => r.missing_checkouts, true],
  ['Absent', (r) => r.absent_days, true],
  ...LEAVE_KINDS.map((k): Column => [k[0].toUpperCase() + k.slice(1), (r) => r.leave_days[k], true]),
];

/** The recap as a table a person reads in a terminal. */
export function recapTable(view: RecapView): string {
  const cells = view.people.map((r) => COLUMNS.map(([, value]) => String(value(r))));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (COLUMNS[i][2] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd() + '\n';
  const title =
    `${view.month} ${view.site ?? 'all sites'}${view.unit ? ` ${view.unit}` : ''}: ${view.people.length} people` +
    ' (Late/Early min: minutes; No out: missing check-outs; Absent: workdays without event or leave)\n';
  return title + line(COLUMNS.map(([h]) => h)) + cells.map(line).join('');
}
