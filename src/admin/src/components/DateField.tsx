/**
 * The console's date field: the kiosk's field (typed dates in the interface language — 04/12/2026 in
 * Bahasa Indonesia, 4 Dec 2026 in English — and a keyboard calendar) in the console's language, with
 * the console's strings. `<input type="date">` would show the browser's locale whatever the console says.
 */
import { DateFieldBase, type DateFieldBaseProps } from '../../../renderer/src/components/DateFieldBase';
import { useLang, useT } from '../i18n';

export function DateField(props: Omit<DateFieldBaseProps, 'language' | 't'>): React.JSX.Element {
  const t = useT();
  const lang = useLang((s) => s.lang);
  return <DateFieldBase {...props} language={lang} t={t} />;
}
