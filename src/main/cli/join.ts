import os from 'node:os';
import type { Command } from './index';
import { parseCommand, UsageError } from './args';

const HELP = `usage: hadir join <hub-url> <code> [--name NAME] [--fingerprint SHA256]
                  [--upload-existing | --keep-local]

Joins this kiosk to a hub (\`hadir hub\`) with the one-time code \`hadir hub pair <site>\` printed there,
then receives the site's people, schedule and holidays at once. From then on the kiosk (the app or
\`hadir serve\`) keeps its copy in step and sends its attendance to the hub; it keeps recording while the
hub is unreachable and sends what waited when it is back.

People enrolled at this kiosk before it joined are linked to the hub's record when the hub knows their
employee number. The others are the operator's choice: uploaded to the hub as if enrolled now (home site:
this kiosk's site; the hub may refuse one, who then stays local with the reason in the status), or kept
local. On a terminal the command asks; otherwise --upload-existing or --keep-local says, and without
either they stay local (\`hadir people upload-to-hub\` uploads them later). Attendance recorded before
the join stays at this kiosk.

The device credential is kept in <data dir>/hub-credential.json (readable by its owner only).

options:
  --name NAME           the kiosk's name in the hub's device list (default: the host name)
  --fingerprint SHA256  the hub's TLS certificate fingerprint ("AB:CD:…"), for a hub with a self-signed
                        certificate (\`hadir hub\` prints it at start-up). Without it, an https hub whose
                        certificate the system does not trust is pinned as first seen (and printed).
  --upload-existing     upload the people enrolled here before the join, without asking
  --keep-local          keep them local, without asking`;

export const join: Command = async (argv) => {
  const parsed = parseCommand(
    'join',
    HELP,
    argv,
    {
      name: { type: 'string' },
      fingerprint: { type: 'string' },
      'upload-existing': { type: 'boolean' },
      'keep-local': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    ({ positionals, values }) => {
      if (positionals.length !== 2) throw new UsageError('give the hub URL and the pairing code');
      if (values['upload-existing'] && values['keep-local']) {
        throw new UsageError('--upload-existing and --keep-local exclude each other');
      }
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
  const { chooseForLocalPeople, reportOffered } = await import('./hub-offer');
  const { cliActor } = await import('./store');
  const choice = parsed.values['upload-existing'] ? 'upload' : parsed.values['keep-local'] ? 'keep' : 'ask';
  const say = (line: string) => process.stderr.write(`hadir join: ${line}\n`);

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
      actor: cliActor(),
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
      } else {
        const people = new ReplicaRepo(db).replicatedCount();
        say(`${people} ${people === 1 ? 'person' : 'people'} of the site received`);
      }
      // Asked after the first pull, which linked the local people the hub knows by number: the rest are
      // the operator's to upload or keep. Queued ones go with the push below, or when the kiosk syncs.
      const offered = await chooseForLocalPeople(db, packId, choice, say);
      if (failure) return 0;
      // Attendance recorded while a previous link was revoked goes out now too.
      await sync.pushAll();
      await sync.heartbeat();
      reportOffered(db, offered, say);
      return 0;
    } finally {
      await sync.stop();
    }
  } finally {
    db.close();
  }
};
