import type { OperatorRole } from '../../shared/access';
import { HadirError } from '../../shared/errors';
import { OperatorService } from '../services/operators';
import { defaultDbFile, openDb } from '../store/db';
import type { Command } from './index';
import { UsageError, parse } from './args';
import { readSecret } from './secret-input';
import { cliActor } from './store';

const HELP = `usage: hadir operators list [--json]
       hadir operators add --username NAME --role admin|operator [--display-name "Full Name"]
       hadir operators reset-secret --username NAME
       hadir operators unlock --username NAME

Operator accounts of the desktop app. The PIN (at least 6 digits) or password (at least 8 characters)
is read without echo from the terminal, or as the first line of standard input — never from the
command line. Accounts lock for 15 minutes after 5 wrong secrets; "unlock" lifts a lock early.
Every change is recorded in the audit log under your operating-system user name.`;

export const operators: Command = async (argv) => {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, {
      username: { type: 'string' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const sub = positionals[0];
    if (positionals.length !== 1 || !['list', 'add', 'reset-secret', 'unlock'].includes(sub)) {
      throw new UsageError(sub ? `unknown subcommand "${positionals.join(' ')}"` : 'give a subcommand');
    }
    if (sub !== 'list' && !values.username) throw new UsageError(`${sub} needs --username`);
    if (sub === 'add' && values.role !== 'admin' && values.role !== 'operator')
      throw new UsageError('add needs --role admin or --role operator');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir operators: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    throw e;
  }
  const db = openDb({ file: defaultDbFile() });
  try {
    const svc = new OperatorService({ db });
    const sub = positionals[0];
    if (sub === 'list') {
      const list = svc.list();
      if (values.json) {
        for (const o of list) process.stdout.write(JSON.stringify(o) + '\n');
      } else {
        for (const o of list) {
          const state = !o.active
            ? 'inactive'
            : o.locked_until && o.locked_until > new Date().toISOString()
              ? `locked until ${o.locked_until}`
              : 'active';
          process.stdout.write(`${o.id}\t${o.username}\t${o.role}\t${o.display_name}\t${state}\n`);
        }
      }
      return 0;
    }
    if (sub === 'add') {
      const secret = await readSecret(`PIN or password for ${values.username}: `);
      const o = await svc.create(
        {
          username: values.username!,
          displayName: values['display-name'] ?? values.username!,
          role: values.role as OperatorRole,
          secret,
        },
        cliActor(),
      );
      process.stdout.write(`operator ${o.id} "${o.username}" (${o.role}) created\n`);
      return 0;
    }
    const target = svc.list().find((o) => o.username === values.username!.trim().toLowerCase());
    if (!target) throw new HadirError('NOT_FOUND', `no operator "${values.username}"`);
    if (sub === 'unlock') {
      svc.unlock(target.id, cliActor());
      process.stdout.write(`${target.username} unlocked\n`);
      return 0;
    }
    const secret = await readSecret(`new PIN or password for ${target.username}: `);
    await svc.changeSecret(target.id, secret, cliActor());
    process.stdout.write(`secret of ${target.username} changed\n`);
    return 0;
  } finally {
    db.close();
  }
};
