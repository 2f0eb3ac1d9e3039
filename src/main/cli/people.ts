import { PeopleRepo } from '../store/people-repo';
import { defaultDbFile, openDb } from '../store/db';
import { FaceService } from '../services/face-service';
import type { Command } from './index';
import { UsageError, parse } from './args';

const HELP = `usage: hadir people [--json] [--search TEXT] [--unit UNIT] [--inactive | --all]
       hadir people upload-to-hub

Lists the people enrolled in the data folder, with the number of face templates each has for the
active model pack. Active people only, unless --inactive (only inactive) or --all.
With --json, one JSON object per person per line:
  {"id", "employee_number", "full_name", "unit", "active", "templates", "created_at", "updated_at"}

upload-to-hub: on a kiosk joined to a hub, upload the people enrolled here before the join (see
\`hadir people upload-to-hub --help\`).`;

export const people: Command = async (argv) => {
  if (argv[0] === 'upload-to-hub') return (await import('./people-upload')).uploadToHub(argv.slice(1));
  let values;
  try {
    ({ values } = parse(argv, {
      json: { type: 'boolean' },
      search: { type: 'string' },
      unit: { type: 'string' },
      inactive: { type: 'boolean' },
      all: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir people: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    throw e;
  }
  // Listing needs no models: the database alone.
  const db = openDb({ file: defaultDbFile() });
  try {
    const list = new PeopleRepo(db).list({
      search: values.search,
      unit: values.unit,
      active: values.all ? undefined : !values.inactive,
      packId: FaceService.activePack(db),
    });
    if (values.json) {
      for (const p of list) process.stdout.write(JSON.stringify(p) + '\n');
      return 0;
    }
    const rows = list.map((p) => [
      String(p.id),
      p.employee_number,
      p.full_name,
      p.unit ?? '',
      p.active ? 'yes' : 'no',
      String(p.templates),
    ]);
    const head = ['id', 'employee number', 'name', 'unit', 'active', 'templates'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    process.stdout.write(
      [fmt(head), ...rows.map(fmt)].join('\n') + `\n${list.length} ${list.length === 1 ? 'person' : 'people'}\n`,
    );
    return 0;
  } finally {
    db.close();
  }
};
