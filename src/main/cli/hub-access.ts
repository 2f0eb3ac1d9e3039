import { addOperator, createApiKey } from '../hub/access';
import { UsageError, parse } from './args';
import { cliActor, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';
import { readSecret } from './secret-input';

/** Operators of the organisation (they sign in to the admin console, /admin/); the secret is read like `hadir operators`. */
export async function hubOperators(argv: string[]): Promise<number> {
  return runSubcommand('operators', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      username: { type: 'string' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
      site: { type: 'string', multiple: true },
    });
    if (positionals.length !== 1 || positionals[0] !== 'add') throw new UsageError('operators has one subcommand: add');
    if (!values.username || !values.role) throw new UsageError('operators add needs --username and --role');
    const secret = await readSecret(`PIN or password for ${values.username}: `);
    const o = await withHubPool((pool) =>
      addOperator(
        pool,
        {
          username: values.username!,
          displayName: values['display-name'],
          role: values.role!,
          sites: values.site ?? [],
          secret,
        },
        cliActor(),
      ),
    );
    process.stdout.write(
      `operator ${o.id} "${o.username}" (${o.role}${o.sites.length ? ` of ${o.sites.join(', ')}` : ''}) created\n`,
    );
    return 0;
  });
}

export async function hubKeys(argv: string[]): Promise<number> {
  return runSubcommand('keys', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, {
      name: { type: 'string' },
      scopes: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1 || positionals[0] !== 'create')
      throw new UsageError('keys has one subcommand: create');
    if (!values.name || !values.scopes) throw new UsageError('keys create needs --name and --scopes');
    const k = await withHubPool((pool) => createApiKey(pool, values.name!, values.scopes!.split(','), cliActor()));
    if (values.json) process.stdout.write(JSON.stringify(k) + '\n');
    else process.stdout.write(`${k.key}\n`);
    process.stderr.write(`key ${k.id} "${k.name}" (${k.scopes.join(', ')}): shown once, store it now\n`);
    return 0;
  });
}
