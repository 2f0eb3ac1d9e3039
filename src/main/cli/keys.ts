import { ApiKeyService } from '../services/api-keys';
import { defaultDbFile, openDb } from '../store/db';
import type { Command } from './index';
import { UsageError, parse } from './args';
import { cliActor } from './store';

const HELP = `usage: hadir keys create --name NAME --scopes read[,write][,admin]
       hadir keys list [--json]
       hadir keys revoke ID

API keys for the local HTTP API. "create" prints the key once: it is stored only as a hash, so copy it
now. Scopes are independent (admin does not include read): read = analyse and identify, write = enroll
and edit people and attendance, admin = keys and settings. Every change is recorded in the audit log.`;

export const keys: Command = async (argv) => {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, {
      name: { type: 'string' },
      scopes: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const [sub, ...rest] = positionals;
    if (sub === 'create') {
      if (!values.name || !values.scopes || rest.length) throw new UsageError('create needs --name and --scopes');
    } else if (sub === 'list') {
      if (rest.length) throw new UsageError('list takes no arguments');
    } else if (sub === 'revoke') {
      if (rest.length !== 1 || !/^\d+$/.test(rest[0]))
        throw new UsageError('revoke needs the key id (see "hadir keys list")');
    } else {
      throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'give a subcommand: create, list or revoke');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir keys: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    throw e;
  }
  const db = openDb({ file: defaultDbFile() });
  try {
    const svc = new ApiKeyService(db);
    const [sub, arg] = positionals;
    if (sub === 'create') {
      const { key, info } = svc.create(values.name!, values.scopes!.split(','), cliActor());
      if (values.json) process.stdout.write(JSON.stringify({ key, ...info }) + '\n');
      else process.stdout.write(`${key}\n`);
      process.stderr.write(`key ${info.id} "${info.name}" (${info.scopes.join(', ')}): shown once, store it now\n`);
      return 0;
    }
    if (sub === 'list') {
      const list = svc.list();
      if (values.json) {
        for (const k of list) process.stdout.write(JSON.stringify(k) + '\n');
        return 0;
      }
      const rows = list.map((k) => [
        String(k.id),
        k.name,
        `${k.prefix}…`,
        k.scopes.join(','),
        k.created_at,
        k.last_used_at ?? '',
        k.revoked_at ? `revoked ${k.revoked_at}` : 'active',
      ]);
      const head = ['id', 'name', 'prefix', 'scopes', 'created', 'last used', 'status'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const fmt = (r: string[]) =>
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd();
      process.stdout.write([fmt(head), ...rows.map(fmt)].join('\n') + '\n');
      return 0;
    }
    const revoked = svc.revoke(Number(arg), cliActor());
    process.stdout.write(revoked ? `key ${arg} revoked\n` : `key ${arg} was already revoked\n`);
    return 0;
  } finally {
    db.close();
  }
};
