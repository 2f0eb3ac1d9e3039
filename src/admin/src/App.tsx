/**
 * The console's shell: hash routes (#/dashboard …), so the hub serves one page under /admin/. The
 * session is asked of the hub at start; signed out, the sign-in screen; signed in, a header (the hub,
 * who is signed in and as what, the language, signing out), the navigation of what the role may do,
 * and the screen of the route. Any 401 from the hub ends the session and returns to sign-in.
 */
import { useEffect, useRef, useState } from 'react';
import { type HubPermission, roleMay } from '../../shared/hub-admin';
import { useLang, useT } from './i18n';
import { errorText } from './lib/errors';
import { AttendanceScreen } from './screens/Attendance';
import { AuditScreen } from './screens/Audit';
import { DashboardScreen } from './screens/Dashboard';
import { DevicesScreen } from './screens/Devices';
import { LeaveScreen } from './screens/Leave';
import { PeopleScreen } from './screens/People';
import { RecapScreen } from './screens/Recap';
import { useSession } from './session';
import { LanguageSwitch } from './shell/LanguageSwitch';
import { SignIn } from './shell/SignIn';

export const ROUTES = ['dashboard', 'devices', 'people', 'attendance', 'leave', 'recap', 'audit'] as const;
export type Route = (typeof ROUTES)[number];

/** What a role must be allowed to see each route. */
const NEEDS: Record<Route, HubPermission> = {
  dashboard: 'view',
  devices: 'devices',
  people: 'view',
  attendance: 'view',
  leave: 'leave',
  recap: 'view',
  audit: 'audit',
};

const SCREENS: Record<Route, () => React.JSX.Element> = {
  dashboard: DashboardScreen,
  devices: DevicesScreen,
  people: PeopleScreen,
  attendance: AttendanceScreen,
  leave: LeaveScreen,
  recap: RecapScreen,
  audit: AuditScreen,
};

function currentRoute(): Route {
  const r = location.hash.replace(/^#\/?/, '').split('?')[0];
  return (ROUTES as readonly string[]).includes(r) ? (r as Route) : 'dashboard';
}

export function App(): React.JSX.Element {
  const state = useSession((s) => s.state);
  const check = useSession((s) => s.check);
  const t = useT();
  const lang = useLang((s) => s.lang);

  useEffect(() => {
    void check();
  }, [check]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  switch (state.status) {
    case 'checking':
      return (
        <div className="full-state" role="status" aria-live="polite">
          {t('shell.checking')}
        </div>
      );
    case 'unreachable':
      return (
        <div className="full-state" role="alert">
          <p>{errorText(state.error, lang)}</p>
          <button type="button" onClick={() => void check()}>
            {t('common.retry')}
          </button>
        </div>
      );
    case 'signed-out':
      return <SignIn ended={state.ended} />;
    case 'signed-in':
      return <Console />;
  }
}

function Console(): React.JSX.Element {
  const t = useT();
  const session = useSession((s) => (s.state.status === 'signed-in' ? s.state.session : null))!;
  const signOut = useSession((s) => s.signOut);
  const [route, setRoute] = useState<Route>(currentRoute);
  const main = useRef<HTMLElement>(null);
  const shownRoute = useRef<Route | null>(null);
  const { operator } = session;
  const allowed = ROUTES.filter((r) => roleMay(operator.role, NEEDS[r]));

  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);

  useEffect(() => {
    document.title = `${t(`nav.${route}`)} · ${t('app.title')}`;
  }, [route, t]);

  useEffect(() => {
    // A new screen: keyboard and screen-reader users start at its content, not back at the header.
    // Only on a change of screen: not on the first one, nor when the language changes.
    if (shownRoute.current !== null && shownRoute.current !== route) main.current?.focus({ preventScroll: false });
    shownRoute.current = route;
  }, [route]);

  const Screen = SCREENS[route];
  const may = roleMay(operator.role, NEEDS[route]);
  const host = hostOf(session.hub_url);

  return (
    <div className="console">
      <button type="button" className="skip-link" onClick={() => main.current?.focus()}>
        {t('shell.skip')}
      </button>
      <header className="topbar" data-testid="topbar">
        <div className="brand">
          <span className="brand-mark">Hadir Hub</span>
          <span className="hub-name" data-testid="hub-name" title={session.hub_url}>
            {host}
          </span>
        </div>
        <div className="topbar-end">
          <div className="operator" data-testid="operator">
            <span className="operator-name">{operator.display_name}</span>
            <span className="operator-role">
              {t(`role.${operator.role}`)}
              {operator.sites ? ` · ${operator.sites.join(', ')}` : ''}
            </span>
          </div>
          <LanguageSwitch />
          <button type="button" className="button-ghost" onClick={() => void signOut()} data-testid="sign-out">
            {t('shell.signOut')}
          </button>
        </div>
      </header>
      <div className="layout">
        <nav className="sidenav" aria-label={t('shell.nav')} data-testid="nav">
          <ul>
            {allowed.map((r) => (
              <li key={r}>
                <a href={`#/${r}`} aria-current={r === route ? 'page' : undefined} data-route={r}>
                  {t(`nav.${r}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1} className="content">
          {may ? (
            <Screen key={route} />
          ) : (
            <section className="screen" data-testid="screen-forbidden">
              <h1>{t(`nav.${route}`)}</h1>
              <p className="notice">{t('shell.notAllowed')}</p>
            </section>
          )}
        </main>
      </div>
    </div>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
