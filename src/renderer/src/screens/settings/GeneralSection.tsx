import { useState } from 'react';
import { LANGUAGES, type Language, type SettingsView } from '../../../../shared/contract';
import { CameraPicker } from '../../components/CameraPicker';
import { Field } from '../../components/Field';
import { useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';
import { SaveRow } from './SaveRow';

export function GeneralSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const [language, setLanguage] = useState<Language>(settings.language);
  const [idle, setIdle] = useState(settings.idleSignOutMinutes);
  return (
    <section className="panel" data-testid="settings-general">
      <h2>{t('settings.general')}</h2>
      <div className="fields-row">
        <Field label={t('settings.language')}>
          <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`language.${l}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('settings.idleSignOut')}>
          <input type="number" min={1} max={240} value={idle} onChange={(e) => setIdle(Number(e.target.value))} />
        </Field>
      </div>
      <SaveRow
        section="general"
        dirty={language !== settings.language || idle !== settings.idleSignOutMinutes}
        onSave={() => save({ language, idleSignOutMinutes: idle })}
      />
      <h3>{t('settings.camera')}</h3>
      <p className="note">{t('settings.cameraNote')}</p>
      <CameraPicker />
    </section>
  );
}
