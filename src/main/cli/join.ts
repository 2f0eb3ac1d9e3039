import os from 'node:os';
import type { Command } from './index';
import { parseCommand, UsageError } from './args';

const HELP = `usage: hadir join <hub-url> <code> [--name NAME] [--fingerprint SHA256]

Joins this kiosk to a hub (\`hadir hub\`) with the one-time code \`hadir hub pair <site>\` printed there,
then receives the site's people, schedule and holidays at once. From then on the kiosk (the app or
\`hadir serve\`) keeps its copy in step and sends its attendance to the hub; it keeps recording while the
hub is unreachable and sends what waited when it is back.

People enrolled at this kiosk before it joined stay, as local people; those the hub knows by the same
employee number are linked to the hub's record.

The device credential is kept in <data dir>/hub-credential.json (readable by its owner only).

options:
  --name NAME           the kiosk's name in the hub's device list (default: the host name)
  --fingerprint SHA256  the hub's TLS certificate fingerprint ("AB:CD:…"), for a hub with a self-signed
                        certificate (\`hadir hub\` prints it at start-up). Without it, an https hub whose
                        certificate the system does not trust is pinned as first seen (and printed).`;

export const join: Command = async (argv) => {
  const parsed = parseCommand(
    'join',
    HELP,
    argv,
    { name: { type: 'string' }, fingerprint: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    ({ positionals }) => {
      if (positionals.length !== 2) throw new UsageError('give the hub URL and the pairing code');
      let url: URL;
      try {
        url = new URL(positionals[0]);
      } catch {
        throw new UsageError(`not a URL: ${positionals[0]}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new UsageError('the hub URL must start with http:// or https://');
      }
    },
  );
  if (typeof parsed === 'number') return parsed;
  const [hubUrl, code] = parsed.positionals;
  const { defaultDbFile, openDb } = await import('../store/db');
  const { FaceService } = await import('../services/face-service');
  const { joinHub } = await import('../sync/join');
  const { SyncService, dataDirOf } = await import('../sync/sync-service');
  const { failureText } = await import('../sync/hub-client');
  const { readCredential } = await import('../sync/credential-file');
  const { ReplicaRepo } = await import('../store/replica-repo');

  const db = openDb({ file: defaultDbFile() });
  try {
    const packId = FaceService.activePack(db);
    const out = await joinHub({
      db,
      dataDir: dataDirOf(db),
      hubUrl,
      code,
      packId,
      name: parsed.values.name ?? os.hostname(),
      fingerprint: parsed.values.fingerprint,
    });
    if (!out.ok) {
      process.stderr.write(`hadir join: ${out.message}\n`);
      return 1;
    }
    const { link } = out;
    if (out.pinnedOnFirstUse) {
      process.stdout.write(
        `Pinned the hub's TLS certificate, SHA-256 ${out.pinnedOnFirstUse}: check that it is the fingerprint ` +
          '`hadir hub serve` printed; this kiosk will talk to that certificate only.\n',
      );
    }
    process.stdout.write(
      `Joined hub ${link.hub_url} as device ${link.device_id} of site ${link.site.code} (${link.site.name})\n`,
    );

    // The first sync now, so the kiosk knows its people before it is next started.
    const sync = new SyncService({ db, credential: readCredential(dataDirOf(db))!, packId });
    const tty = process.stderr.isTTY === true;
    try {
      const failure = await sync.pullUntilCaughtUp(({ page }) => {
        if (tty && page.progress) {
          process.stderr.write(`\rReceiving people: ${page.progress.done}/${page.progress.total}`);
        }
      });
      if (tty) process.stderr.write('\r\x1b[K');
      if (failure) {
        process.stderr.write(
          `hadir join: joined, but the first sync stopped (${failureText(failure)}); the kiosk syncs when it runs\n`,
        );
        return 0;
      }
      // Attendance recorded while a previous link was revoked goes out now too.
      await sync.pushAll();
      await sync.heartbeat();
      const people = new ReplicaRepo(db).replicatedCount();
      process.stderr.write(`hadir join: ${people} ${people === 1 ? 'person' : 'people'} of the site received\n`);
      return 0;
    } finally {
      await sync.stop();
    }
  } finally {
    db.close();
  }
};
