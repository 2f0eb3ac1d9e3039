/** Bahasa Indonesia or English: two buttons, the chosen one pressed. Kept in the browser for next time. */
import { LANGS, useLang, useT } from '../i18n';

const NAMES = { id: 'Bahasa Indonesia', en: 'English' } as const;

export function LanguageSwitch(): React.JSX.Element {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const setLang = useLang((s) => s.setLang);
  return (
    <div className="lang-switch" role="group" aria-label={t('shell.language')} data-testid="language-switch">
      {LANGS.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          className={l === lang ? 'lang-on' : undefined}
          aria-pressed={l === lang}
          aria-label={NAMES[l]}
          title={NAMES[l]}
          onClick={() => setLang(l)}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
