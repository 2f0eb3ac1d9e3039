import { useState } from 'react';
import type { SettingsView } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { providerLabel } from '../../../../shared/execution-providers';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';

/** The model packs, their licences, which one is active, and the execution provider in use. */
export function ModelsSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const m = settings.models;
  const [error, setError] = useState<ErrorInfo | null>(null);
  return (
    <section className="panel" data-testid="settings-models">
      <h2>{t('settings.models')}</h2>
      <p>
        {t('settings.models.provider', { provider: providerLabel(m.provider) })}
        {m.providerFallback && <span className="note"> — {m.providerFallback}</span>}
      </p>
      <table className="table compact">
        <thead>
          <tr>
            <th>{t('settings.models.pack')}</th>
            <th>{t('settings.models.license')}</th>
            <th>{t('people.status')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {m.packs.map((p) => (
            <tr key={p.id}>
              <td>
                {p.name} <small className="note">{p.id}</small>
              </td>
              <td>
                {p.license}
                {p.licenseNote && <div className="note">{p.licenseNote}</div>}
              </td>
              <td>
                {p.active
                  ? t('settings.models.active')
                  : p.installed
                    ? t('settings.models.installed')
                    : t('settings.models.notInstalled')}
              </td>
              <td>
                {!p.active && p.installed && p.licenseAccepted && (
                  <button
                    type="button"
                    className="button-ghost"
                    onClick={() => void save({ activePack: p.id }).then(setError)}
                  >
                    {t('settings.models.activate')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={error} />
      <p className="note">{t('settings.models.importHint')}</p>
    </section>
  );
}
