import { useEffect, useState } from 'react';
import type { SettingsPatch, SettingsView } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import { api } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useApp } from '../state/app';
import { useT } from '../state/language';
import { ApiSection } from './settings/ApiSection';
import { GeneralSection } from './settings/GeneralSection';
import { HubSection } from './settings/HubSection';
import { KeysSection } from './settings/KeysSection';
import { KioskSection } from './settings/KioskSection';
import { ModelsSection } from './settings/ModelsSection';
import { OperatorsSection } from './settings/OperatorsSection';
import { RecognitionSection } from './settings/RecognitionSection';
import { ScheduleSection } from './settings/ScheduleSection';

/** Saves a section's patch; answers null when saved, else the error (shown beside that section's button). */
export type SaveSettings = (patch: SettingsPatch) => Promise<ErrorInfo | null>;

/** Admins only (the server checks too): every setting, one section at a time saved with its own button. */
export function SettingsScreen(): React.JSX.Element {
  const t = useT();
  const refreshStatus = useApp((s) => s.refreshStatus);
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  useEffect(() => {
    void api()
      .getSettings()
      .then((r) => (r.ok ? setSettings(r.value) : setError(r.error)));
  }, []);

  const save: SaveSettings = async (patch) => {
    const r = await api().updateSettings(patch);
    if (!r.ok) return r.error;
    setSettings(r.value);
    void refreshStatus(); // the kiosk's own settings (card time, language…) come with the status
    return null;
  };

  return (
    <div className="screen settings">
      <h1>{t('settings.title')}</h1>
      <ErrorMessage error={error} />
      {settings && (
        <>
          <GeneralSection settings={settings} save={save} />
          <KioskSection settings={settings} save={save} />
          <RecognitionSection settings={settings} save={save} />
          <ScheduleSection settings={settings} save={save} />
          <HubSection />
          <ModelsSection settings={settings} save={save} />
          <ApiSection settings={settings} save={save} />
          <KeysSection />
          <OperatorsSection />
        </>
      )}
    </div>
  );
}
