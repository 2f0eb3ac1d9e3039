/**
 * A month (YYYY-MM) as the console's language names it: a select of the month's names and a year typed
 * as four digits, with buttons for the month before and after. `<input type="month">` would show the
 * browser's locale (and is a plain text box in some browsers).
 */
import { useEffect, useId, useState } from 'react';
import { shiftMonth } from '../../../renderer/src/lib/dates';
import { localeOf, useLang, useT } from '../i18n';

const pad = (n: number) => String(n).padStart(2, '0');

/** The twelve months' names in the language: "Januari" … / "January" …. */
function monthNames(locale: string): string[] {
  const f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'long' });
  return Array.from({ length: 12 }, (_, i) => f.format(new Date(Date.UTC(2024, i, 1))));
}

export function MonthField(props: {
  label: string;
  /** YYYY-MM. */
  value: string;
  onChange: (month: string) => void;
  testId?: string;
}): React.JSX.Element {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const id = useId();
  const [year, month] = props.value.split('-');
  const [yearText, setYearText] = useState(year);
  useEffect(() => setYearText(year), [year]);
  const yearValid = /^\d{4}$/.test(yearText) && Number(yearText) >= 1900 && Number(yearText) <= 2200;
  // shiftMonth works on days: the 1st of the month, moved by whole months.
  const step = (n: number) => props.onChange(shiftMonth(`${props.value}-01`, n).slice(0, 7));

  return (
    <div className="field month-field" data-testid={props.testId}>
      <label htmlFor={`${id}-month`}>{props.label}</label>
      <div className="month-field-row">
        <button
          type="button"
          className="button-ghost button-icon"
          aria-label={t('monthField.previous')}
          title={t('monthField.previous')}
          onClick={() => step(-1)}
        >
          ‹
        </button>
        <select
          id={`${id}-month`}
          name="month"
          value={month}
          onChange={(e) => props.onChange(`${year}-${e.target.value}`)}
        >
          {monthNames(localeOf(lang)).map((name, i) => (
            <option key={i} value={pad(i + 1)}>
              {name}
            </option>
          ))}
        </select>
        <input
          className="month-field-year"
          name="year"
          value={yearText}
          inputMode="numeric"
          autoComplete="off"
          maxLength={4}
          aria-label={t('monthField.year')}
          aria-invalid={!yearValid || undefined}
          aria-describedby={yearValid ? undefined : `${id}-error`}
          onChange={(e) => {
            const v = e.target.value.trim();
            setYearText(v);
            if (/^\d{4}$/.test(v) && Number(v) >= 1900 && Number(v) <= 2200) props.onChange(`${v}-${month}`);
          }}
          onBlur={() => setYearText(year)}
        />
        <button
          type="button"
          className="button-ghost button-icon"
          aria-label={t('monthField.next')}
          title={t('monthField.next')}
          onClick={() => step(1)}
        >
          ›
        </button>
      </div>
      {yearValid ? null : (
        <small id={`${id}-error`} className="field-hint field-error" role="alert">
          {t('monthField.badYear')}
        </small>
      )}
    </div>
  );
}
