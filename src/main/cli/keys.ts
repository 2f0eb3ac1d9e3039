import { configFromEnv, formatAddress } from '../api/config';
import { ApiKeyService } from '../services/api-keys';
import { KioskPairingService } from '../services/kiosk-pairing';
import { defaultDbFile, openDb } from '../store/db';
import type { Command } from './index';
import { UsageError, parse } from './args';
import { cliActor } from './store';

const HELP = `usage: hadir keys create --name NAME --scopes read[,write][,admin][,kiosk]
       hadir keys list [--json]
       hadir keys revoke ID
       hadir keys pair-tablet [--name NAME] [--url http://HOST:PORT] [--json]
       hadir keys rotate-data-key [--batch N]   (the data key that seals face templates: see its --help)

API keys for the local HTTP API. "create" prints the key once: it is stored only as a hash, so copy it
now. Scopes are independent (admin does not include read): read = analyse and identify, write = enroll
and edit people and attendance, admin = keys and settings, kiosk = a door tablet's camera frames and
its site's schedule, nothing else. Every change is recorded in the audit log.

"pair-tablet" prints a one-time code (valid 10 minutes, usable once) and the page to open on the tablet
(--url: how the tablet reaches this server; default from HADIR_HOST/HADIR_PORT). The page trades the
code for a key with the kiosk scope alone, so no key is ever typed or pasted.`;

export const keys: Command = async (argv) => {
  // Not an API key, but the key an administrator looks for here: face templates' data key.
  if (argv[0] === 'rotate-data-key') return (await import('./data-key')).rotateDataKeyCommand(argv.slice(1));
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, {
      name: { type: 'string' },
      scopes: { type: 'string' },
      url: { type: 'string' },
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
    } else if (sub === 'pair-tablet') {
      if (rest.length) throw new UsageError('pair-tablet takes no arguments');
      if (values.url !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/.test(values.url))
        throw new UsageError("--url is the server's origin, e.g. https://10.0.0.5:5010");
    } else if (sub === 'revoke') {
      if (rest.length !== 1 || !/^\d+$/.test(rest[0]))
        throw new UsageError('revoke needs the key id (see "hadir keys list")');
    } else {
      throw new UsageError(
        sub ? `unknown subcommand "${sub}"` : 'give a subcommand: create, list, revoke or pair-tablet',
      );
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
    if (sub === 'pair-tablet') {
      const c = new KioskPairingService(db, svc).create(values.name, cliActor());
      const config = configFromEnv();
      const origin = (values.url ?? formatAddress(config.host, config.port, config.tls !== null)).replace(/\/$/, '');
      const url = `${origin}/app/?pair=${c.code}`;
      if (values.json)
        process.stdout.write(JSON.stringify({ code: c.code, name: c.name, expires_at: c.expiresAt, url }) + '\n');
      else process.stdout.write(`${c.code}\n${url}\n`);
      process.stderr.write(`pairing code for "${c.name}": valid until ${c.expiresAt}, usable once\n`);
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
