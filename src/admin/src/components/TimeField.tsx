/**
 * A time of day typed as 24-hour text ("07.40", "07:40", "0740"), read with the kiosk's parser:
 * `<input type="time">` shows AM/PM in an English browser whatever the console's language is.
 */
import { useId } from 'react';
import { parseTimeInput } from '../../../renderer/src/lib/time-input';
import { useT } from '../i18n';

export function TimeField(props: {
  label: string;
  /** What is typed; parseTimeInput reads it as "HH:MM" ("" for no time). */
  value: string;
  onChange: (text: string) => void;
  name?: string;
}): React.JSX.Element {
  const t = useT();
  const id = useId();
  const invalid = parseTimeInput(props.value) === null;
  return (
    <div className="field time-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        maxLength={5}
        placeholder={t('timeField.placeholder')}
        aria-invalid={invalid || undefined}
        aria-describedby={`${id}-hint`}
      />
      <small id={`${id}-hint`} className={invalid ? 'field-hint field-error' : 'field-hint'}>
        {invalid ? t('timeField.invalid') : t('timeField.hint')}
      </small>
    </div>
  );
}
