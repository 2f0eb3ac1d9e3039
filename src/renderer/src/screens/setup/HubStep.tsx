import { useState } from 'react';
import type { HubJoinResult } from '../../../../shared/contract';
import { HubJoinForm } from '../../components/HubJoinForm';
import { useT } from '../../state/language';

/**
 * Optional: join the organisation's hub now, or skip and run the kiosk on its own. A fresh kiosk has
 * nobody enrolled, so there is nothing to upload and no question about it.
 */
export function HubStep({
  onJoined,
  onDone,
}: {
  onJoined: (result: HubJoinResult) => void;
  onDone: () => void;
}): React.JSX.Element {
  const t = useT();
  const [joined, setJoined] = useState<HubJoinResult | null>(null);
  if (joined) {
    const { link } = joined;
    return (
      <section className="panel" data-testid="setup-hub">
        <p className="note note-success" data-testid="hub-joined">
          {t('hub.joined', { hub: link.hub_url, site: link.site.name, code: link.site.code })}
        </p>
        <p className="note">{t('setup.hub.joinedNext')}</p>
        {joined.pinnedFingerprint && (
          <p className="note">{t('hub.pinned', { fingerprint: joined.pinnedFingerprint })}</p>
        )}
        <button type="button" onClick={onDone} data-testid="hub-next">
          {t('common.next')}
        </button>
      </section>
    );
  }
  return (
    <section className="panel" data-testid="setup-hub">
      <p className="note">{t('setup.hub.explain')}</p>
      <HubJoinForm
        askExisting={false}
        onJoined={(r) => {
          setJoined(r);
          onJoined(r);
        }}
      >
        <button type="button" className="button-ghost" onClick={onDone} data-testid="hub-skip">
          {t('setup.hub.skip')}
        </button>
      </HubJoinForm>
    </section>
  );
}
