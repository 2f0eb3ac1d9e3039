import { useEffect, useState } from 'react';
import type { HubLinkView, Language, ScheduleConfig, SetupStatus } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import { api } from '../api/client';
import { CameraPicker } from '../components/CameraPicker';
import { ErrorMessage } from '../components/ErrorMessage';
import { FullScreenState } from '../components/FullScreenState';
import { LanguageToggle } from '../components/LanguageToggle';
import { ScheduleEditor } from '../components/ScheduleEditor';
import { useApp } from '../state/app';
import { useLanguage, useT } from '../state/language';
import { useSession } from '../state/session';
import { AdminStep } from './setup/AdminStep';
import { HubStep } from './setup/HubStep';
import { PackStep } from './setup/PackStep';
import { SignInScreen } from './SignInScreen';

const STEPS = ['pack', 'admin', 'hub', 'schedule', 'camera'] as const;
type Step = (typeof STEPS)[number];

function firstOpenStep(s: SetupStatus): Step {
  const active = s.packs.find((p) => p.id === s.activePack);
  if (!active || !active.licenseAccepted) return 'pack';
  if (!s.hasAdmin) return 'admin';
  return 'schedule';
}

/**
 * First run: model pack and its licence, the first admin, optionally the organisation's hub, the
 * schedule and time zone (a kiosk that joined a hub takes its site's), the camera.
 */
export function SetupWizard({ timeZone }: { timeZone: string }): React.JSX.Element {
  const t = useT();
  const refreshStatus = useApp((s) => s.refreshStatus);
  const session = useSession((s) => s.session);
  const uiLanguage = useLanguage((s) => s.language);
  const [setup, setSetup] = useState<SetupStatus | null>(null);
  const [step, setStep] = useState<Step>('pack');
  const [schedule, setSchedule] = useState<ScheduleConfig | null>(null);
  const [language, setLanguage] = useState<Language>(uiLanguage);
  const [error, setError] = useState<ErrorInfo | null>(null);
  /** Null until known: joined in this wizard, or asked when the wizard resumes past the hub step. */
  const [hub, setHub] = useState<HubLinkView | null>(null);

  const apply = (s: SetupStatus): void => {
    setSetup(s);
    setStep(firstOpenStep(s));
    setSchedule((current) => current ?? s.schedule);
  };

  useEffect(() => {
    void api()
      .getSetupStatus()
      .then((r) => (r.ok ? apply(r.value) : setError(r.error)));
  }, []);

  useEffect(() => {
    if (step !== 'schedule' || !session || hub) return;
    void api()
      .getHubLink()
      .then((r) => r.ok && setHub(r.value));
  }, [step, session, hub]);

  const finish = async (): Promise<void> => {
    if (!schedule) return;
    const r = await api().completeSetup({ schedule, language });
    if (!r.ok) return setError(r.error);
    // Nobody can be recognised yet: the admin goes on to enroll the first person, not to a kiosk that
    // would tell everyone their face is not known.
    useApp.getState().navigate('enrollment');
    await refreshStatus();
  };

  if (!setup) {
    return error ? (
      <FullScreenState tone="error" title={t('setup.unavailable')} technical={error.message} />
    ) : (
      <FullScreenState tone="info" title={t('app.preparing')} />
    );
  }
  // Setup was begun (the admin exists) but this page has no session: the admin signs in to go on.
  if (step !== 'pack' && step !== 'admin' && !session) return <SignInScreen timeZone={timeZone} />;

  return (
    <main className="wizard" data-testid="setup-wizard">
      <header className="wizard-header">
        <h1>{t('setup.title')}</h1>
        <LanguageToggle />
      </header>
      <ol className="steps">
        {STEPS.map((s) => (
          <li key={s} className={s === step ? 'step step-active' : 'step'}>
            {t(`setup.step.${s}`)}
          </li>
        ))}
      </ol>
      <ErrorMessage error={error} />
      {step === 'pack' && <PackStep setup={setup} onDone={apply} />}
      {step === 'admin' && <AdminStep onDone={() => setStep('hub')} />}
      {step === 'hub' && <HubStep onJoined={(r) => setHub(r.link)} onDone={() => setStep('schedule')} />}
      {step === 'schedule' && schedule && (
        <section className="panel" data-testid="setup-schedule">
          {hub?.joined ? (
            <p className="note" data-testid="schedule-from-hub">
              {t('setup.schedule.fromHub', { site: hub.site.name })}
            </p>
          ) : (
            <p className="note">{t('setup.schedule.explain')}</p>
          )}
          <label className="field">
            <span className="field-label">{t('settings.language')}</span>
            <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
              <option value="id">{t('language.id')}</option>
              <option value="en">{t('language.en')}</option>
            </select>
          </label>
          {!hub?.joined && <ScheduleEditor value={schedule} onChange={setSchedule} />}
          <button type="button" onClick={() => setStep('camera')}>
            {t('common.next')}
          </button>
        </section>
      )}
      {step === 'camera' && (
        <section className="panel">
          <p className="note">{t('setup.camera.explain')}</p>
          <CameraPicker />
          <div className="row">
            <button type="button" className="button-ghost" onClick={() => setStep('schedule')}>
              {t('common.previous')}
            </button>
            <button type="button" onClick={() => void finish()} data-testid="finish-setup">
              {t('setup.finish')}
            </button>
          </div>
        </section>
      )}
    </main>
  );
}
