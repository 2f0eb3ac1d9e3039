import { useEffect, useState } from 'react';
import type { HubJoinResult, HubLinkView } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { HubJoinForm } from '../../components/HubJoinForm';
import { localeOf } from '../../lib/locale';
import { useApp } from '../../state/app';
import { useLanguage, useT } from '../../state/language';

/**
 * The organisation hub: how a joined kiosk stands with it, or — for a standalone kiosk, or one the hub
 * revoked — the join form, with the choice for the people already enrolled here.
 */
export function HubSection(): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const timeZone = useApp((s) => s.status?.timeZone ?? 'Asia/Jakarta');
  const refreshStatus = useApp((s) => s.refreshStatus);
  const [link, setLink] = useState<HubLinkView | null>(null);
  const [joined, setJoined] = useState<HubJoinResult | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  useEffect(() => {
    void api()
      .getHubLink()
      .then((r) => (r.ok ? setLink(r.value) : setError(r.error)));
  }, []);

  const when = (iso: string): string =>
    new Intl.DateTimeFormat(localeOf(language), { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(iso),
    );

  const onJoined = (r: HubJoinResult): void => {
    setJoined(r);
    setLink(r.link);
    void refreshStatus();
  };

  return (
    <section className="panel" data-testid="settings-hub">
      <h2>{t('hub.title')}</h2>
      <ErrorMessage error={error} />
      {link?.joined && (
        <>
          {joined && (
            <p className="note note-success" data-testid="hub-joined">
              {t('hub.joined', { hub: link.hub_url, site: link.site.name, code: link.site.code })}
            </p>
          )}
          <dl className="hub-facts" data-testid="hub-link">
            <dt>{t('hub.facts.hub')}</dt>
            <dd>{link.hub_url}</dd>
            <dt>{t('hub.facts.site')}</dt>
            <dd>
              {link.site.name} ({link.site.code})
            </dd>
            <dt>{t('hub.facts.state')}</dt>
            <dd data-testid="hub-state">
              {link.state === 'offline' && link.offline_since
                ? t('hub.state.offlineSince', { since: when(link.offline_since) })
                : t(`hub.state.${link.state}`)}
            </dd>
            {link.last_contact_at && (
              <>
                <dt>{t('hub.facts.lastContact')}</dt>
                <dd>{when(link.last_contact_at)}</dd>
              </>
            )}
            <dt>{t('hub.facts.device')}</dt>
            <dd>{link.device_id}</dd>
          </dl>
          {joined && joined.localPeople.count > 0 && (
            <p className="note" data-testid="hub-local-people">
              {joined.localPeople.choice === 'upload'
                ? t('hub.localPeople.upload', { count: joined.localPeople.count })
                : t('hub.localPeople.keep', { count: joined.localPeople.count })}
            </p>
          )}
          {joined?.pinnedFingerprint && (
            <p className="note">{t('hub.pinned', { fingerprint: joined.pinnedFingerprint })}</p>
          )}
          {link.state === 'revoked' && <p className="note">{t('hub.revokedExplain')}</p>}
        </>
      )}
      {link && !link.joined && <p className="note">{t('hub.standaloneExplain')}</p>}
      {link && (!link.joined || link.state === 'revoked') && <HubJoinForm askExisting onJoined={onJoined} />}
    </section>
  );
}
