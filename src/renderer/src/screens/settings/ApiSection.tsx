import { useState } from 'react';
import type { SettingsView } from '../../../../shared/contract';
import { Field } from '../../components/Field';
import { useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';
import { SaveRow } from './SaveRow';

export function ApiSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const [host, setHost] = useState(settings.api.host);
  const [port, setPort] = useState(settings.api.port);
  const [legacy, setLegacy] = useState(settings.api.legacyRoutes);
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  return (
    <section className="panel">
      <h2>{t('settings.api')}</h2>
      <div className="fields-row">
        <Field label={t('settings.api.host')}>
          <input value={host} onChange={(e) => setHost(e.target.value)} />
        </Field>
        <Field label={t('settings.api.port')}>
          <input type="number" min={1} max={65535} value={port} onChange={(e) => setPort(Number(e.target.value))} />
        </Field>
      </div>
      {!loopback && <p className="note">{t('settings.api.lanWarning')}</p>}
      <label className="checkbox">
        <input type="checkbox" checked={legacy} onChange={(e) => setLegacy(e.target.checked)} />
        {t('settings.api.legacy')}
      </label>
      <p className="note">
        {settings.api.tls.enabled
          ? t('settings.api.tlsOn', { fingerprint: settings.api.tls.fingerprint ?? '–' })
          : t('settings.api.tlsOff')}
      </p>
      <SaveRow
        section="api"
        dirty={host !== settings.api.host || port !== settings.api.port || legacy !== settings.api.legacyRoutes}
        onSave={() => save({ api: { host, port, legacyRoutes: legacy } })}
      />
    </section>
  );
}
