import { readFile } from 'node:fs/promises';
import { HadirError } from '../../shared/errors';
import { isValidDate } from '../../shared/local-time';
import { addHoliday, addSite, setSiteSchedule } from '../hub/sites';
import { listSites } from '../hub/store/sites';
import { UsageError, parse } from './args';
import { cliActor, printJsonLines, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

export async function hubSite(argv: string[]): Promise<number> {
  return runSubcommand('site', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      name: { type: 'string' },
      tz: { type: 'string' },
      file: { type: 'string' },
      clear: { type: 'boolean' },
      date: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [sub, code, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected "${extra.join(' ')}"`);
    switch (sub) {
      case 'add': {
        if (!code || !values.name || !values.tz) throw new UsageError('site add needs CODE, --name and --tz');
        const site = await withHubPool((pool) =>
          addSite(pool, { code, name: values.name!, timeZone: values.tz! }, cliActor()),
        );
        process.stdout.write(`site ${site.code} "${site.name}" (${site.time_zone}) added\n`);
        return 0;
      }
      case 'schedule': {
        if (!code || (!values.file && !values.clear) || (values.file && values.clear)) {
          throw new UsageError('site schedule needs CODE and either --file schedule.json or --clear');
        }
        let value: unknown = null;
        if (values.file) {
          const text = await readFile(values.file, 'utf8').catch((e: Error) => {
            throw new HadirError('NOT_FOUND', `cannot read ${values.file}: ${e.message}`);
          });
          try {
            value = JSON.parse(text);
          } catch (e) {
            throw new HadirError('BAD_REQUEST', `${values.file} is not JSON: ${(e as Error).message}`);
          }
        }
        await withHubPool((pool) => setSiteSchedule(pool, code, value, cliActor()));
        process.stdout.write(value === null ? `schedule of ${code} cleared\n` : `schedule of ${code} set\n`);
        return 0;
      }
      case 'holiday': {
        if (!code || !values.date || !values.name) throw new UsageError('site holiday needs CODE, --date and --name');
        if (!isValidDate(values.date)) throw new UsageError(`--date must be YYYY-MM-DD (got "${values.date}")`);
        await withHubPool((pool) => addHoliday(pool, code, values.date!, values.name!, cliActor()));
        process.stdout.write(`holiday ${values.date} "${values.name}" at ${code}\n`);
        return 0;
      }
      case 'list': {
        if (code) throw new UsageError('site list takes no arguments');
        const sites = await withHubPool((pool) => listSites(pool));
        const rows = sites.map((s) => ({
          code: s.code,
          name: s.name,
          time_zone: s.time_zone,
          schedule: s.schedule,
          people: s.people,
          devices: s.devices,
          created_at: s.created_at.toISOString(),
        }));
        if (values.json) printJsonLines(rows);
        else {
          for (const s of rows) {
            process.stdout.write(
              `${s.code}\t${s.name}\t${s.time_zone}\t${s.schedule ? 'schedule' : 'no schedule'}\t${s.people} people\t${s.devices} devices\n`,
            );
          }
        }
        return 0;
      }
      default:
        throw new UsageError(
          sub ? `unknown site subcommand "${sub}"` : 'site needs a subcommand: add, schedule, holiday, list',
        );
    }
  });
}
