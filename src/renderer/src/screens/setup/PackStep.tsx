import { useState } from 'react';
import type { SetupStatus } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useT } from '../../state/language';

/** Choose an installed model pack and accept its licence (packs are imported with `hadir models import`). */
export function PackStep({
  setup,
  onDone,
}: {
  setup: SetupStatus;
  onDone: (s: SetupStatus) => void;
}): React.JSX.Element {
  const t = useT();
  const installed = setup.packs.filter((p) => p.installed);
  const [packId, setPackId] = useState(setup.activePack ?? installed[0]?.id ?? '');
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
                </label>
              </li>
            ))}
          </ul>
          {pack && (
            <div className="license">
              <h3>{t('setup.pack.license', { license: pack.license })}</h3>
              {pack.licenseNote && <p>{pack.licenseNote}</p>}
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
