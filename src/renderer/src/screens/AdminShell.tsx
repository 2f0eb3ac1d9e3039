import type { Screen } from '../state/app';
import { SCREEN_ROLE, useApp } from '../state/app';
import { useT } from '../state/language';
import { roleAllows, useSession } from '../state/session';
import { hasUnsaved, useUnsaved } from '../state/unsaved';
import { LanguageToggle } from '../components/LanguageToggle';
import type { AppStatus } from '../../../shared/contract';
import { AttendanceScreen } from './AttendanceScreen';
import { EnrollmentScreen } from './EnrollmentScreen';
import { PeopleScreen } from './PeopleScreen';
import { SettingsScreen } from './SettingsScreen';

const TABS = ['enrollment', 'people', 'attendance', 'settings'] as const satisfies Screen[];
type Tab = (typeof TABS)[number];

/** The operators' area: a tab bar and one screen; what a role may open is checked here and by the server. */
export function AdminShell({ screen, status }: { screen: Tab; status: AppStatus }): React.JSX.Element {
  const t = useT();
  const navigate = useApp((s) => s.navigate);
  const session = useSession((s) => s.session);
  const signOut = useSession((s) => s.signOut);
  const tabs = TABS.filter((tab) => roleAllows(session?.role, SCREEN_ROLE[tab] ?? 'operator'));
  const unsaved = useUnsaved((s) => s.forms);
  const clearUnsaved = useUnsaved((s) => s.clear);
  /** Leaving a screen with edits not saved asks first (they would be lost). */
  const leave = (then: () => void): void => {
    if (hasUnsaved(unsaved) && !window.confirm(t('settings.unsaved.confirm'))) return;
    clearUnsaved();
    then();
  };

  return (
    <div className="admin" data-testid={`screen-${screen}`}>
      <nav className="admin-nav">
        <span className="admin-brand">{t('app.name')}</span>
        {tabs.map((tab) => (
          <button
            key={tab}
            type="button"
            className={tab === screen ? 'tab tab-active' : 'tab'}
            aria-current={tab === screen ? 'page' : undefined}
            onClick={() => tab !== screen && leave(() => navigate(tab))}
          >
            {t(`nav.${tab}`)}
          </button>
        ))}
        <span className="admin-spacer" />
        <span className="admin-user">
          {session?.displayName} · {t(`role.${session?.role ?? 'operator'}`)}
        </span>
        <LanguageToggle />
        <button
          type="button"
          className="button-ghost"
          data-testid="back-to-kiosk"
          // In kiosk mode the operator leaves signed out: the kiosk (and the desktop window) locks again.
          onClick={() =>
            leave(() =>
              status.kiosk.fullScreen ? void signOut('manual').then(() => navigate('kiosk')) : navigate('kiosk'),
            )
          }
        >
          {t('common.backToKiosk')}
        </button>
        <button
          type="button"
          className="button-ghost"
          onClick={() => leave(() => void signOut('manual').then(() => navigate('kiosk')))}
        >
          {t('nav.signOut')}
        </button>
      </nav>
      <div className="admin-content">
        {screen === 'enrollment' && <EnrollmentScreen status={status} />}
        {screen === 'people' && <PeopleScreen timeZone={status.timeZone} />}
        {screen === 'attendance' && <AttendanceScreen timeZone={status.timeZone} />}
        {screen === 'settings' && <SettingsScreen />}
      </div>
    </div>
  );
}

export function isAdminTab(screen: Screen): screen is Tab {
  return (TABS as readonly Screen[]).includes(screen);
}
