/** The console's shell: hash routes (#/dashboard …), so the hub serves one page under /admin/. */
import { useEffect, useState } from 'react';
import { useT } from './i18n';

export const ROUTES = ['dashboard', 'devices', 'people', 'attendance', 'leave', 'recap', 'audit'] as const;
export type Route = (typeof ROUTES)[number];

function currentRoute(): Route {
  const r = location.hash.replace(/^#\/?/, '').split('?')[0];
  return (ROUTES as readonly string[]).includes(r) ? (r as Route) : 'dashboard';
}

export function App() {
  const t = useT();
  const [route, setRoute] = useState<Route>(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return (
    <div className="console">
      <nav aria-label={t('app.title')}>
        {ROUTES.map((r) => (
          <a key={r} href={`#/${r}`} aria-current={r === route ? 'page' : undefined}>
            {t(`nav.${r}`)}
          </a>
        ))}
      </nav>
      <main>{route}</main>
    </div>
  );
}
