import { useEffect } from 'react';
import { useLanguage, useT } from './store';

export function App(): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const toggleLanguage = useLanguage((s) => s.toggleLanguage);
  // Absent when the page runs in a plain browser (e2e tests) rather than behind the preload script.
  const version = window.hadir?.version;

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t('title');
  }, [language, t]);

  return (
    <main className="placeholder">
      <h1>{t('title')}</h1>
      <p role="status">{t('preparing')}</p>
      <button type="button" onClick={toggleLanguage}>
        {t('switchLanguage')}
      </button>
      {version && (
        <footer>
          {t('version')} {version}
        </footer>
      )}
    </main>
  );
}
