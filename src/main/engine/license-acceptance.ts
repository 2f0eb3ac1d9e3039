import path from 'node:path';
import { userModelsDir } from '../paths';
import { readJsonFile, writeFileAtomic } from './atomic-file';
import type { ModelPack } from './manifest';

/**
 * Most face models carry non-commercial or unclear licences (see models/manifest.json), so a pack's
 * licence is shown and accepted before first use. Acceptances are per pack and remember the licence
 * id accepted, so a pack whose licence changes asks again.
 */
interface Acceptance {
  licenseId: string | null;
  acceptedAt: string;
}

type AcceptedLicenses = Record<string, Acceptance>;

export function acceptedLicensesPath(): string {
  return path.join(userModelsDir(), 'accepted-licenses.json');
}

/** Whether `packId`'s licence was accepted; with `licenseId`, only an acceptance of that licence counts. */
export async function licenseAccepted(packId: string, licenseId?: string): Promise<boolean> {
  const accepted = (await readJsonFile<AcceptedLicenses>(acceptedLicensesPath(), {}))[packId];
  if (!accepted) return false;
  return licenseId === undefined || accepted.licenseId === licenseId;
}

export async function acceptLicense(packId: string, licenseId?: string): Promise<void> {
  const all = await readJsonFile<AcceptedLicenses>(acceptedLicensesPath(), {});
  all[packId] = { licenseId: licenseId ?? null, acceptedAt: new Date().toISOString() };
  await writeFileAtomic(acceptedLicensesPath(), JSON.stringify(all, null, 2) + '\n');
}

/** The text shown wherever a pack arrives (import, fetch) and before it is first used. */
export function licenseSummary(pack: ModelPack): string {
  const url = pack.license.url ? `\n  ${pack.license.url}` : '';
  return `Licence of pack ${pack.id} (${pack.license.id}):\n  ${pack.license.summary}${url}`;
}
