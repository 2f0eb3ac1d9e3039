import { useState } from 'react';
import type { KioskConfig, SettingsView } from '../../../../shared/contract';
import { Field } from '../../components/Field';
import { useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';

export function KioskSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const [kiosk, setKiosk] = useState<KioskConfig>(settings.kiosk);
  return (
    <section className="panel">
      <h2>{t('settings.kiosk')}</h2>
      <div className="fields-row">
        <Field label={t('settings.kiosk.cardSeconds')}>
          <input
            type="number"
            min={1}
            max={60}
            value={kiosk.cardSeconds}
            onChange={(e) => setKiosk({ ...kiosk, cardSeconds: Number(e.target.value) })}
          />
        </Field>
        <Field label={t('settings.kiosk.noticeSeconds')}>
          <input
            type="number"
            min={1}
            max={60}
            value={kiosk.noticeSeconds}
            onChange={(e) => setKiosk({ ...kiosk, noticeSeconds: Number(e.target.value) })}
          />
        </Field>
        <Field label={t('settings.kiosk.maxFrameWidth')}>
          <input
            type="number"
            min={160}
            max={1920}
            step={16}
            value={kiosk.maxFrameWidth}
            onChange={(e) => setKiosk({ ...kiosk, maxFrameWidth: Number(e.target.value) })}
          />
        </Field>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={kiosk.sound}
          onChange={(e) => setKiosk({ ...kiosk, sound: e.target.checked })}
        />
        {t('settings.kiosk.sound')}
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={kiosk.fullScreen}
          onChange={(e) => setKiosk({ ...kiosk, fullScreen: e.target.checked })}
        />
        {t('settings.kiosk.fullScreen')}
      </label>
      <button type="button" onClick={() => void save({ kiosk })}>
        {t('common.save')}
      </button>
    </section>
  );
}
