import { createPairingCode, revokeDevice } from '../hub/pairing';
import { listDevices } from '../hub/store/devices';
import { UsageError, parse } from './args';
import { cliActor, printJsonLines, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

export async function hubPair(argv: string[]): Promise<number> {
  return runSubcommand('pair', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('pair needs the site code');
    const p = await withHubPool((pool) => createPairingCode(pool, positionals[0], cliActor()));
    if (values.json) {
      process.stdout.write(JSON.stringify({ code: p.code, expires_at: p.expires_at }) + '\n');
    } else {
      process.stdout.write(
        `pairing code for site ${p.site}: ${p.code}\nvalid once, until ${p.expires_at} (10 minutes); ` +
          `on the kiosk: hadir join <hub-url> ${p.code}\n`,
      );
    }
    return 0;
  });
}

export async function hubDevices(argv: string[]): Promise<number> {
  return runSubcommand('devices', HUB_HELP, async () => {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
    const [sub, id, ...extra] = positionals;
    if (sub === 'revoke') {
      if (!id || extra.length) throw new UsageError('devices revoke needs the device id (see `hadir hub devices`)');
      const r = await withHubPool((pool) => revokeDevice(pool, id, cliActor()));
      process.stdout.write(r.already ? `device ${id} was already revoked\n` : `device ${id} revoked\n`);
      return 0;
    }
    if (sub !== undefined) throw new UsageError(`unknown devices subcommand "${sub}"`);
    const rows = (await withHubPool((pool) => listDevices(pool))).map((d) => ({
      id: d.id,
      site: d.site,
      name: d.name,
      last_seen: d.last_seen_at?.toISOString() ?? null,
      revoked: d.revoked_at !== null,
      revoked_at: d.revoked_at?.toISOString() ?? null,
      pack_id: d.pack_id,
      app_version: d.app_version,
      acked_seq: d.acked_seq,
      clock_offset_ms: d.clock_offset_ms,
      status: d.last_status,
      created_at: d.created_at.toISOString(),
    }));
    if (values.json) printJsonLines(rows);
    else {
      for (const d of rows) {
        process.stdout.write(
          `${d.id}\t${d.site}\t${d.name}\t${d.revoked ? 'revoked' : `last seen ${d.last_seen ?? 'never'}`}\tacked ${d.acked_seq}\n`,
        );
      }
    }
    return 0;
  });
}
