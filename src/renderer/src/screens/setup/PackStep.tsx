import { useState } from 'react';
import type { SetupStatus } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import type { StringKey } from '../../i18n';
import { useT } from '../../state/language';

/** Licence terms in the interface language, by the manifest's licence id (the manifest's note is English). */
const LICENSE_TERMS: Record<string, StringKey> = {
  'insightface-noncommercial': 'setup.pack.terms.insightface-noncommercial',
  'apache-2.0-ms1m-caveat': 'setup.pack.terms.apache-2.0-ms1m-caveat',
};

/** Choose an installed model pack and accept its licence (packs are imported with `hadir models import`). */
export function PackStep({
  setup,
  onDone,
}: {
  setup: SetupStatus;
  onDone: (s: SetupStatus) => void;
}): React.JSX.Element {
  const t = useT();
  // The recommended pack first, preselected: a new office should not have to compare model names.
  const installed = setup.packs
    .filter((p) => p.installed)
    .sort((a, b) => Number(b.recommended) - Number(a.recommended));
  const [packId, setPackId] = useState(
    setup.activePack ?? installed.find((p) => p.recommended)?.id ?? installed[0]?.id ?? '',
  );
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const pack = setup.packs.find((p) => p.id === packId);

  const choose = async (): Promise<void> => {
    const r = await api().chooseModelPack({ packId, acceptLicense: true });
    if (r.ok) onDone(r.value);
    else setError(r.error);
  };

  return (
    <section className="panel" data-testid="setup-pack">
      {installed.length === 0 ? (
        <p className="error-message">{t('setup.pack.none')}</p>
      ) : (
        <>
          <ul className="pick-list">
            {installed.map((p) => (
              <li key={p.id}>
                <label className="checkbox">
                  <input type="radio" name="pack" checked={p.id === packId} onChange={() => setPackId(p.id)} />
                  <strong>{p.name}</strong> <small className="note">{p.id}</small>
                  {p.recommended && <span className="badge badge-info">{t('setup.pack.recommended')}</span>}
                </label>
                {p.recommended && <p className="note">{t('setup.pack.recommendedWhy')}</p>}
              </li>
            ))}
          </ul>
          {pack && (
            <div className="license">
              <h3>{t('setup.pack.licenseTitle')}</h3>
              <p data-testid="pack-license-terms">
                {LICENSE_TERMS[pack.license] ? t(LICENSE_TERMS[pack.license]) : (pack.licenseNote ?? pack.license)}
              </p>
              <label className="checkbox">
                <input type="checkbox" checked={accepted} onChange={(e) => setAccepted(e.target.checked)} />
                {t('setup.pack.accept')}
              </label>
            </div>
          )}
          <ErrorMessage error={error} />
          <button type="button" disabled={!pack || !accepted} onClick={() => void choose()}>
            {t('common.next')}
          </button>
        </>
      )}
      <p className="note">{t('settings.models.importHint')}</p>
    </section>
  );
}
