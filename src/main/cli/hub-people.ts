import { addPerson, deletePerson, listPeople } from '../hub/people';
import { UsageError, parse } from './args';
import { cliActor, printJsonLines, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

export async function hubPeople(argv: string[]): Promise<number> {
  return runSubcommand('people', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      name: { type: 'string' },
      site: { type: 'string' },
      unit: { type: 'string' },
      'also-site': { type: 'string', multiple: true },
      json: { type: 'boolean' },
    });
    const [sub, number, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected "${extra.join(' ')}"`);
    if (sub === 'add') {
      if (!number || !values.name || !values.site) throw new UsageError('people add needs NUMBER, --name and --site');
      const p = await withHubPool((pool) =>
        addPerson(
          pool,
          {
            employeeNumber: number,
            fullName: values.name!,
            unit: values.unit ?? null,
            homeSite: values.site!,
            alsoSites: values['also-site'] ?? [],
          },
          cliActor(),
        ),
      );
      process.stdout.write(`person ${p.employee_number} "${p.full_name}" added (${p.hub_id})\n`);
      return 0;
    }
    if (sub === 'delete') {
      if (!number) throw new UsageError('people delete needs the employee number');
      await withHubPool((pool) => deletePerson(pool, number, cliActor()));
      process.stdout.write(`person ${number} deleted; every kiosk that held them deletes them too\n`);
      return 0;
    }
    if (sub !== undefined) throw new UsageError(`unknown people subcommand "${sub}"`);
    const rows = (await withHubPool((pool) => listPeople(pool, values.site))).map((p) => ({
      hub_id: p.hub_id,
      employee_number: p.employee_number,
      full_name: p.full_name,
      unit: p.unit,
      site: p.home_site,
      also_sites: p.also_sites,
      active: p.active,
      templates: p.templates,
      updated_at: p.updated_at.toISOString(),
    }));
    if (values.json) printJsonLines(rows);
    else {
      for (const p of rows) {
        const sites = [p.site, ...p.also_sites].join(',');
        process.stdout.write(
          `${p.employee_number}\t${p.full_name}\t${p.unit ?? ''}\t${sites}\t${p.templates} templates\n`,
        );
      }
    }
    return 0;
  });
}
