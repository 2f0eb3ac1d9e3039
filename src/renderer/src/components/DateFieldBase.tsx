import { useEffect, useId, useRef, useState } from 'react';
import type { Language } from '../../../shared/contract';
import {
  dateInputExample,
  formatDateInput,
  formatLocalDate,
  monthGrid,
  parseDateInput,
  shiftDate,
  shiftMonth,
} from '../lib/dates';
import { localeOf } from '../lib/locale';

/** The strings a date field says; each dictionary that uses the field has these keys. */
export type DateFieldKey =
  | 'dateField.hint'
  | 'dateField.invalid'
  | 'dateField.tooEarly'
  | 'dateField.tooLate'
  | 'dateField.openCalendar'
  | 'dateField.previousMonth'
  | 'dateField.nextMonth';

/** Any translate function that knows the keys above (the kiosk's and the hub console's both do). */
export type DateFieldTranslate = (key: DateFieldKey, params?: Record<string, string | number>) => string;

export interface DateFieldBaseProps {
  label: string;
  /** YYYY-MM-DD; "" while there is none yet (the field is then empty). */
  value: string;
  /** Called with YYYY-MM-DD once a typed or picked date is valid and inside [min, max]. */
  onChange: (value: string) => void;
  min?: string;
  max?: string;
  testId?: string;
  /** The interface language: how dates are written and the calendar's names. */
  language: Language;
  /** The field's strings in that language. */
  t: DateFieldTranslate;
  /** Marked invalid from outside too (a form's own check, e.g. a period that ends before it starts). */
  invalid?: boolean;
  /** More ids describing the field (a form's message), besides its own hint. */
  describedBy?: string;
  required?: boolean;
  /** An emptied field means no date (onChange("")); otherwise empty text is refused like a wrong date. */
  clearable?: boolean;
  /** Controls shown after the calendar button, in the same row (e.g. previous/next day). */
  children?: React.ReactNode;
}

/** The date as the field writes it; "" for no date. */
const shown = (iso: string, language: Language): string => (iso ? formatDateInput(iso, language) : '');

/** Today in the browser's zone: where the calendar opens when the field has no date. */
function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The date field without a language store: the caller gives the language and the strings, so the kiosk
 * (components/DateField, from its store) and the hub console (from its own) share one field.
 *
 * A date in the interface language's own format (06/01/2025 in Bahasa Indonesia, 6 Jan 2025 in
 * English) instead of `<input type="date">`, which shows the browser's locale whatever the interface
 * says. Typed text is read when the field is left or Enter is pressed (↑/↓ move a day); a wrong date
 * is named under the field and the last good one stays. The calendar button opens a month grid:
 * arrows move a day or a week, PageUp/PageDown a month, Enter picks, Escape closes.
 */
export function DateFieldBase({
  label,
  value,
  onChange,
  min,
  max,
  testId,
  language,
  t,
  invalid,
  describedBy,
  required,
  clearable,
  children,
}: DateFieldBaseProps): React.JSX.Element {
  const id = useId();
  const [text, setText] = useState(() => shown(value, language));
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  /** Text typed and not yet read: a date arriving from outside meanwhile does not overwrite it. */
  const typing = useRef(false);
  const example = dateInputExample(language);

  useEffect(() => {
    // E.g. a screen whose day comes from the server, answering while someone already types a day.
    if (typing.current && document.activeElement === inputRef.current) return;
    typing.current = false;
    setText(shown(value, language));
    setError(null);
  }, [value, language]);

  const accept = (iso: string | null): boolean => {
    if (iso === null) {
      setError(t('dateField.invalid', { example }));
      return false;
    }
    if (min && iso < min) {
      setError(t('dateField.tooEarly', { min: formatDateInput(min, language) }));
      return false;
    }
    if (max && iso > max) {
      setError(t('dateField.tooLate', { max: formatDateInput(max, language) }));
      return false;
    }
    setError(null);
    typing.current = false;
    setText(formatDateInput(iso, language));
    if (iso !== value) onChange(iso);
    return true;
  };

  /** Reads what is typed: a date, or no date where the field may be empty. */
  const commit = (): void => {
    if (clearable && text.trim() === '') {
      typing.current = false;
      setError(null);
      setText('');
      if (value !== '') onChange('');
    } else accept(parseDateInput(text));
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit();
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      accept(shiftDate(parseDateInput(text) ?? (value || localToday()), e.key === 'ArrowUp' ? 1 : -1));
    }
  };

  return (
    <div className="field date-field" data-testid={testId}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="date-field-row">
        <input
          id={id}
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={text}
          placeholder={example}
          required={required}
          aria-invalid={error !== null || invalid === true}
          aria-describedby={describedBy ? `${id}-hint ${describedBy}` : `${id}-hint`}
          ref={inputRef}
          onChange={(e) => {
            typing.current = true;
            setText(e.target.value);
          }}
          onBlur={() => {
            if (text !== shown(value, language)) commit();
          }}
          onKeyDown={onKeyDown}
        />
        <button
          ref={buttonRef}
          type="button"
          className="button-ghost date-field-button"
          aria-label={t('dateField.openCalendar', { label })}
          aria-haspopup="dialog"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          <CalendarIcon />
        </button>
        {children}
      </div>
      <small
        id={`${id}-hint`}
        className={error ? 'field-hint field-error' : 'field-hint'}
        role={error ? 'alert' : undefined}
      >
        {error ?? t('dateField.hint', { example })}
      </small>
      {open && (
        <Calendar
          label={label}
          value={value}
          min={min}
          max={max}
          language={language}
          t={t}
          onPick={(iso) => {
            accept(iso);
            setOpen(false);
            buttonRef.current?.focus();
          }}
          onClose={() => {
            setOpen(false);
            buttonRef.current?.focus();
          }}
        />
      )}
    </div>
  );
}

function CalendarIcon(): React.JSX.Element {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect x="3" y="5" width="18" height="16" rx="2" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M3 10h18M8 3v4M16 3v4" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

interface CalendarProps {
  label: string;
  value: string;
  min?: string;
  max?: string;
  language: Language;
  t: DateFieldTranslate;
  onPick: (iso: string) => void;
  onClose: () => void;
}

function Calendar({ label, value, min, max, language, t, onPick, onClose }: CalendarProps): React.JSX.Element {
  const [focused, setFocused] = useState(value || localToday());
  const gridRef = useRef<HTMLTableElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const [year, month] = focused.split('-').map(Number);
  const outside = (iso: string) => (min !== undefined && iso < min) || (max !== undefined && iso > max);

  useEffect(() => {
    gridRef.current?.querySelector<HTMLButtonElement>(`button[data-date="${focused}"]`)?.focus();
  }, [focused]);

  useEffect(() => {
    const away = (e: MouseEvent) => {
      if (rootRef.current && !rootRef.current.parentElement?.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [onClose]);

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const moves: Record<string, () => string> = {
      ArrowLeft: () => shiftDate(focused, -1),
      ArrowRight: () => shiftDate(focused, 1),
      ArrowUp: () => shiftDate(focused, -7),
      ArrowDown: () => shiftDate(focused, 7),
      PageUp: () => shiftMonth(focused, -1),
      PageDown: () => shiftMonth(focused, 1),
    };
    if (moves[e.key]) {
      e.preventDefault();
      setFocused(moves[e.key]());
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    }
  };

  const monthTitle = new Intl.DateTimeFormat(localeOf(language), {
    timeZone: 'UTC',
    month: 'long',
    year: 'numeric',
  }).format(new Date(Date.UTC(year, month - 1, 1)));
  // 2024-01-01 was a Monday: the grid's columns, Monday first.
  const weekdays = Array.from({ length: 7 }, (_, i) => formatWeekday(`2024-01-0${i + 1}`, language));

  return (
    <div ref={rootRef} className="calendar" role="dialog" aria-label={label} onKeyDown={onKeyDown}>
      <div className="calendar-head">
        <button
          type="button"
          className="button-ghost"
          aria-label={t('dateField.previousMonth')}
          onClick={() => setFocused(shiftMonth(focused, -1))}
        >
          ‹
        </button>
        <span className="calendar-title" aria-live="polite">
          {monthTitle}
        </span>
        <button
          type="button"
          className="button-ghost"
          aria-label={t('dateField.nextMonth')}
          onClick={() => setFocused(shiftMonth(focused, 1))}
        >
          ›
        </button>
      </div>
      <table ref={gridRef} className="calendar-grid" role="grid" aria-label={monthTitle}>
        <thead>
          <tr>
            {weekdays.map((w) => (
              <th key={w.short} scope="col" abbr={w.long}>
                {w.short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {monthGrid(year, month).map((week, i) => (
            <tr key={i}>
              {week.map((iso, j) => (
                <td key={j}>
                  {iso && (
                    <button
                      type="button"
                      data-date={iso}
                      tabIndex={iso === focused ? 0 : -1}
                      disabled={outside(iso)}
                      aria-pressed={iso === value}
                      aria-label={formatLocalDate(iso, language, 'long')}
                      className={iso === value ? 'calendar-day calendar-day-selected' : 'calendar-day'}
                      onClick={() => onPick(iso)}
                    >
                      {Number(iso.slice(8))}
                    </button>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function formatWeekday(iso: string, language: Language): { short: string; long: string } {
  const d = new Date(`${iso}T00:00:00Z`);
  const f = (weekday: 'short' | 'long') =>
    new Intl.DateTimeFormat(localeOf(language), { timeZone: 'UTC', weekday }).format(d);
  return { short: f('short'), long: f('long') };
}
