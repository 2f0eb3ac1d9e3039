import { useEffect } from 'react';
import type { AppStatus } from '../../shared/contract';
import { FullScreenState } from './components/FullScreenState';
import { LanguageToggle } from './components/LanguageToggle';
import { KioskExitDialog } from './kiosk/KioskExitDialog';
import { KioskScreen, OperatorButton } from './kiosk/KioskScreen';
import { AdminShell, isAdminTab } from './screens/AdminShell';
import { SetupWizard } from './screens/SetupWizard';
import { SignInScreen } from './screens/SignInScreen';
import { SCREEN_ROLE, useApp } from './state/app';
import { useLanguage, useT } from './state/language';
import { roleAllows, useSession } from './state/session';
import { useSessionKeeper } from './state/use-session-keeper';

/** How often the status is read again: often while something is wrong, rarely when all is well. */
function pollInterval(status: AppStatus | null, unreachable: boolean): number {
  if (!status || unreachable || !status.engine.ready || !status.database.ok) return 3000;
  return 30_000;
}

export function App(): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const status = useApp((s) => s.status);
  const statusError = useApp((s) => s.statusError);
  const refreshStatus = useApp((s) => s.refreshStatus);
  useSessionKeeper();

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t('app.title');
  }, [language, t]);

  // The server went away (web mode) or main stopped answering: say so rather than show a stale kiosk.
  const unreachable = statusError?.code === 'SHUT_DOWN';
  const interval = pollInterval(status, unreachable);
  useEffect(() => {
    void refreshStatus();
    const timer = setInterval(() => void refreshStatus(), interval);
    return () => clearInterval(timer);
  }, [refreshStatus, interval]);

  if (!status || unreachable) {
    return statusError ? (
      <FullScreenState
        tone="error"
        title={t('state.unreachable.title')}
        detail={t('state.unreachable.detail')}
        technical={statusError.message}
        testId="state-unreachable"
      >
        <button type="button" onClick={() => void refreshStatus()}>
          {t('common.retry')}
        </button>
        <LanguageToggle />
      </FullScreenState>
    ) : (
      <FullScreenState tone="info" title={t('app.preparing')} testId="state-loading" />
    );
  }
  if (!status.setupComplete) return <SetupWizard timeZone={status.timeZone} />;
  return (
    <>
      <Routed status={status} />
      <KioskExitDialog timeZone={status.timeZone} />
    </>
  );
}

function Routed({ status }: { status: AppStatus }): React.JSX.Element {
  const t = useT();
  const screen = useApp((s) => s.screen);
  const session = useSession((s) => s.session);

  if (screen === 'signIn') return <SignInScreen timeZone={status.timeZone} />;
  if (isAdminTab(screen)) {
    if (!roleAllows(session?.role, SCREEN_ROLE[screen] ?? 'operator'))
      return <SignInScreen timeZone={status.timeZone} />;
    return <AdminShell screen={screen} status={status} />;
  }

  // The kiosk: never a blank screen, whatever is wrong — and a way in for the operator who can fix it.
  const operator = (
    <>
      <OperatorButton />
      <LanguageToggle />
    </>
  );
  if (!status.database.ok) {
    return (
      <FullScreenState
        tone="error"
        title={t('state.database.title')}
        detail={t('state.database.detail')}
        technical={status.database.message}
        testId="state-database"
      >
        {operator}
      </FullScreenState>
    );
  }
  if (!status.engine.ready) {
    const state = status.engine.state;
    return (
      <FullScreenState
        tone={state === 'starting' ? 'info' : 'warning'}
        title={t(`state.engine.${state}.title`)}
        detail={t(`state.engine.${state}.detail`)}
        technical={status.engine.message}
        testId="state-engine"
      >
        {operator}
      </FullScreenState>
    );
  }
  return <KioskScreen status={status} />;
}
