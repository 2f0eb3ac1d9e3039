import { useLanguage, useT } from '../state/language';

export function LanguageToggle(): React.JSX.Element {
  const t = useT();
  const toggle = useLanguage((s) => s.toggleLanguage);
  return (
    <button type="button" className="button-ghost" onClick={toggle} data-testid="language-toggle">
      {t('common.switchLanguage')}
    </button>
  );
}
