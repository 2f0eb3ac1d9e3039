/**
 * The pairing link a hub's console shows beside the code (`pairingQrText` in src/main/hub/console-routes.ts):
 * `hadir://join?hub=<url>&code=<code>[&fingerprint=<sha256>]`. A person pastes it into the join form's
 * address field, and the form fills the three fields from it.
 */
export interface HubJoinLink {
  hubUrl: string;
  code: string;
  fingerprint: string | null;
}

/** The parts of a pairing link, or null when the text is not one (a plain hub address, say). */
export function parseHubJoinLink(text: string): HubJoinLink | null {
  const trimmed = text.trim();
  if (!/^hadir:\/\/join\?/i.test(trimmed)) return null;
  const q = new URLSearchParams(trimmed.slice(trimmed.indexOf('?') + 1));
  const hubUrl = q.get('hub')?.trim() ?? '';
  const code = q.get('code')?.trim() ?? '';
  if (!/^https?:\/\//i.test(hubUrl) || code === '') return null;
  const fingerprint = q.get('fingerprint')?.trim() || null;
  return { hubUrl, code, fingerprint };
}
