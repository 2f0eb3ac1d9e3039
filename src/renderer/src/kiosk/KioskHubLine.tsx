import type { HubStatus } from '../../../shared/hub-status';
import { formatDayTime } from '../lib/dates';
import { useLanguage, useT } from '../state/language';

/**
 * A joined kiosk's link to its hub, in one short line of the header: when it last reached the hub,
 * and — the thing that matters to whoever looks — that it is recording offline and how much waits,
 * including enrollments not (yet) taken by the hub (the hub's reason for the latest refusal on hover).
 */
export function KioskHubLine({ hub, timeZone }: { hub: HubStatus; timeZone: string }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const when = (iso: string | null) => (iso ? formatDayTime(iso, language, timeZone) : t('kiosk.hub.never'));
  let text: string;
  if (hub.state === 'offline') {
    text = t('kiosk.hub.offline', { since: when(hub.offline_since ?? hub.last_contact_at), count: hub.outbox_depth });
  } else if (hub.state === 'revoked') text = t('kiosk.hub.revoked');
  else if (hub.state === 'syncing') text = t('kiosk.hub.syncing');
  else text = t('kiosk.hub.online', { time: when(hub.last_contact_at) });
  // Enrollments made here that the hub has not taken (yet): the operator should know who is local only.
  if (hub.uploads_pending > 0) text += ` · ${t('kiosk.hub.uploadsPending', { count: hub.uploads_pending })}`;
  if (hub.uploads_refused > 0) text += ` · ${t('kiosk.hub.uploadsRefused', { count: hub.uploads_refused })}`;
  return (
    <span
      className={`kiosk-hub kiosk-hub-${hub.state}`}
      data-testid="kiosk-hub"
      role="status"
      title={hub.last_upload_refusal?.reason}
    >
      {text}
    </span>
  );
}
