import type { Command } from './index';
import { parseCommand, UsageError } from './args';

const HELP = `usage: hadir people upload-to-hub

On a kiosk joined to a hub (\`hadir join\`): upload to the hub the people enrolled here before the join
and kept local — each active person with face templates of the active pack who is neither linked to the
hub's record nor uploaded already, with their templates and their latest recorded consent. The hub
enrolls them at this kiosk's site; one it refuses (an employee number of another site, a face that is
already someone else in the organisation, no recorded consent) stays local, with the reason printed and
in the hub status. Running it again uploads nobody twice. Attendance recorded before the join stays at
this kiosk.

They are sent now when the hub answers, else when the kiosk (the app or \`hadir serve\`) next syncs.
Exit code 1 when the kiosk is not joined (or was revoked).`;

export const uploadToHub: Command = async (argv) => {
  const parsed = parseCommand(
    'people upload-to-hub',
    HELP,
    argv,
    { help: { type: 'boolean', short: 'h' } },
    ({ positionals }) => {
      if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    },
  );
  if (typeof parsed === 'number') return parsed;
  const { defaultDbFile, openDb } = await import('../store/db');
  const { FaceService } = await import('../services/face-service');
  const { SyncService, dataDirOf } = await import('../sync/sync-service');
  const { failureText } = await import('../sync/hub-client');
  const { readCredential } = await import('../sync/credential-file');
  const { queue, reportOffered } = await import('./hub-offer');
  const say = (line: string) => process.stderr.write(`hadir people upload-to-hub: ${line}\n`);

  const db = openDb({ file: defaultDbFile() });
  try {
    const packId = FaceService.activePack(db);
    const out = queue(db, packId, say);
    if (!out.ok) return 1;
    const credential = readCredential(dataDirOf(db));
    if (out.queued === 0 || !credential) return 0;
    // Send now, so the operator sees the hub's answers; what does not go now goes with the kiosk's sync.
    const sync = new SyncService({ db, credential, packId });
    try {
      const failure = await sync.pushAll();
      if (failure) say(`the hub did not answer now (${failureText(failure)})`);
    } finally {
      await sync.stop();
    }
    reportOffered(db, out.personIds, say);
    return 0;
  } finally {
    db.close();
  }
};
