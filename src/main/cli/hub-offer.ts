import readline from 'node:readline';
import { localPeopleToOffer, offerLocalPeople, type OfferOutcome } from '../services/hub-uploads';
import type { Db } from '../store/db';
import { HubUploadsRepo } from '../store/hub-uploads-repo';
import { PeopleRepo } from '../store/people-repo';
import { cliActor } from './store';

/**
 * The operator's choice about the people enrolled at a kiosk before it joined a hub (`hadir join
 * --upload-existing | --keep-local`, `hadir people upload-to-hub`): upload them, or keep them local.
 * Attendance recorded before the join is not offered: it stays at the kiosk.
 */

/** The command that uploads them later; every "kept local" line names it. */
export const UPLOAD_LATER = 'hadir people upload-to-hub';

export type LocalPeopleChoice = 'upload' | 'keep' | 'ask';

const plural = (n: number) => (n === 1 ? 'person' : 'people');

/**
 * After a join: follow the flag, else ask on a terminal, else keep them local and say how to upload
 * later (a script or a service manager gets no question it cannot answer). Returns the people queued.
 */
export async function chooseForLocalPeople(
  db: Db,
  packId: string,
  choice: LocalPeopleChoice,
  write: (line: string) => void,
): Promise<number[]> {
  const n = localPeopleToOffer(db, packId);
  if (n === 0) return [];
  const upload =
    choice === 'ask'
      ? process.stdin.isTTY === true &&
        process.stderr.isTTY === true &&
        (await askYesNo(
          `${n} ${plural(n)} ${n === 1 ? 'was' : 'were'} enrolled here before joining. Upload them to the hub? [y/N] `,
        ))
      : choice === 'upload';
  if (!upload) {
    write(
      `${n} ${plural(n)} enrolled here before joining ${n === 1 ? 'stays' : 'stay'} local; ` +
        `\`${UPLOAD_LATER}\` uploads them later`,
    );
    return [];
  }
  const out = queue(db, packId, write);
  return out.ok ? out.personIds : [];
}

/** Queue every local person never offered; the line says how many, or why none could be. */
export function queue(db: Db, packId: string, write: (line: string) => void): OfferOutcome {
  const out = offerLocalPeople(db, { packId, actor: cliActor() });
  if (!out.ok) write(out.message);
  else if (out.queued === 0) write('nobody to upload: every local person with face templates is linked or queued');
  else write(`${out.queued} ${plural(out.queued)} enrolled here before joining queued for the hub`);
  return out;
}

/**
 * After a send: how the queued people fared. Refused ones stay local, each with the hub's reason
 * (the kiosk's hub status keeps the latest too); pending ones go when the kiosk next syncs.
 */
export function reportOffered(db: Db, personIds: readonly number[], write: (line: string) => void): void {
  if (personIds.length === 0) return;
  const uploads = new HubUploadsRepo(db);
  const people = new PeopleRepo(db);
  let done = 0;
  let pending = 0;
  const refused: string[] = [];
  for (const id of personIds) {
    const last = uploads.forPerson(id).at(-1);
    if (last?.state === 'done') done++;
    else if (last?.state === 'refused') {
      refused.push(`${people.get(id)?.employee_number ?? `person ${id}`} stays local: ${last.last_error ?? 'refused'}`);
    } else pending++;
  }
  write(`${done} of ${personIds.length} ${plural(personIds.length)} uploaded to the hub`);
  for (const r of refused) write(r);
  if (pending > 0) write(`${pending} ${plural(pending)} wait and go up when the kiosk next syncs`);
}

/** A yes/no question on the terminal; anything but y/yes, Ctrl-C or the input closing is no. */
function askYesNo(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise<boolean>((resolve) => {
    let answer: boolean | null = null;
    rl.once('close', () => {
      if (answer === null) process.stderr.write('\n');
      resolve(answer ?? false);
    });
    // Without a listener readline only pauses on Ctrl-C, and the question would wait for ever.
    rl.on('SIGINT', () => rl.close());
    rl.question(question, (a) => {
      answer = /^\s*y(es)?\s*$/i.test(a);
      rl.close();
    });
  });
}
