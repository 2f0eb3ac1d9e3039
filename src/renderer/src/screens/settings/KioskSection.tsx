import { useState } from 'react';
import type { KioskConfig, SettingsView } from '../../../../shared/contract';
import { Field } from '../../components/Field';
import { firstName, playChime, playTone, speak } from '../../kiosk/chime';
import { useApp } from '../../state/app';
import { useLanguage, useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';
import { SaveRow } from './SaveRow';

export function KioskSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const updates = useApp((s) => s.status?.updates);
  const [kiosk, setKiosk] = useState<KioskConfig>(settings.kiosk);
  const set = (patch: Partial<KioskConfig>) => setKiosk({ ...kiosk, ...patch });
  const tryout = (): void => {
    playChime('in', kiosk.volume);
    setTimeout(() => playTone('refused', kiosk.volume), 900);
    if (kiosk.spokenGreeting) {
      setTimeout(
        () => speak(t('kiosk.greeting.morning', { name: firstName('Siti Rahmawati') }), language, kiosk.volume),
        1600,
      );
    }
  };
  return (
    <section className="panel" data-testid="settings-kiosk">
      <h2>{t('settings.kiosk')}</h2>
      <div className="fields-row">
        <Field label={t('settings.kiosk.cardSeconds')}>
          <input
            type="number"
            min={1}
            max={60}
            value={kiosk.cardSeconds}
            onChange={(e) => set({ cardSeconds: Number(e.target.value) })}
          />
        </Field>
        <Field label={t('settings.kiosk.noticeSeconds')}>
          <input
            type="number"
            min={1}
            max={60}
            value={kiosk.noticeSeconds}
            onChange={(e) => set({ noticeSeconds: Number(e.target.value) })}
          />
        </Field>
        <Field label={t('settings.kiosk.maxFrameWidth')}>
          <input
            type="number"
            min={160}
            max={1920}
            step={16}
            value={kiosk.maxFrameWidth}
            onChange={(e) => set({ maxFrameWidth: Number(e.target.value) })}
          />
        </Field>
      </div>

      <h3>{t('settings.kiosk.soundTitle')}</h3>
      <label className="checkbox">
        <input type="checkbox" checked={kiosk.sound} onChange={(e) => set({ sound: e.target.checked })} />
        {t('settings.kiosk.sound')}
      </label>
      <div className="row">
        <Field label={t('settings.kiosk.volume', { volume: kiosk.volume })}>
          <input
            type="range"
            min={0}
            max={100}
            step={5}
            value={kiosk.volume}
            disabled={!kiosk.sound}
            onChange={(e) => set({ volume: Number(e.target.value) })}
          />
        </Field>
        <button type="button" className="button-ghost" disabled={!kiosk.sound} onClick={tryout}>
          {t('settings.kiosk.testSound')}
        </button>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={kiosk.spokenGreeting}
          disabled={!kiosk.sound}
          onChange={(e) => set({ spokenGreeting: e.target.checked })}
        />
        {t('settings.kiosk.spokenGreeting')}
      </label>

      <h3>{t('settings.kiosk.modeTitle')}</h3>
      <label className="checkbox">
        <input type="checkbox" checked={kiosk.fullScreen} onChange={(e) => set({ fullScreen: e.target.checked })} />
        {t('settings.kiosk.fullScreen')}
      </label>
      <p className="note">{t('settings.kiosk.fullScreenHint')}</p>
      <label className="checkbox">
        <input type="checkbox" checked={kiosk.startAtLogin} onChange={(e) => set({ startAtLogin: e.target.checked })} />
        {t('settings.kiosk.startAtLogin')}
      </label>

      <h3>{t('settings.kiosk.updatesTitle')}</h3>
      <div className="fields-row">
        <Field label={t('settings.kiosk.updateUrl')} hint={t('settings.kiosk.updateUrlHint')}>
          <input
            type="url"
            placeholder="https://…/hadir-updates/"
            value={kiosk.updateUrl ?? ''}
            onChange={(e) => set({ updateUrl: e.target.value.trim() === '' ? null : e.target.value.trim() })}
          />
        </Field>
        <Field label={t('settings.kiosk.updateIdleMinutes')}>
          <input
            type="number"
            min={1}
            max={240}
            value={kiosk.updateIdleMinutes}
            onChange={(e) => set({ updateIdleMinutes: Number(e.target.value) })}
          />
        </Field>
      </div>
      {updates && (
        <p className="note" data-testid="update-status">
          {t(`settings.kiosk.update.${updates.state}`, { version: updates.version ?? '' })}
        </p>
      )}
      <SaveRow
        section="kiosk"
        dirty={(Object.keys(kiosk) as (keyof KioskConfig)[]).some((k) => kiosk[k] !== settings.kiosk[k])}
        onSave={() => save({ kiosk })}
      />
    </section>
  );
}
