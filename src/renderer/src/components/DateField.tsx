import { useLanguage, useT } from '../state/language';
import { DateFieldBase, type DateFieldBaseProps } from './DateFieldBase';

type Props = Omit<DateFieldBaseProps, 'language' | 't'>;

/**
 * The kiosk's date field: DateFieldBase in the kiosk's interface language, with the kiosk's strings.
 * The hub console uses DateFieldBase with its own language and dictionary.
 */
export function DateField(props: Props): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  return <DateFieldBase {...props} language={language} t={t} />;
}
