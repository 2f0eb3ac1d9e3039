import { useEffect, useId, useState } from 'react';
import type { PersonListItem } from '../../../../shared/contract';
import { api } from '../../api/client';
import { useT } from '../../state/language';

/** Letters or digits typed before the server is asked (a NIP's first digits, part of a name). */
const MIN_QUERY = 2;
/** Matches shown at once: enough to tell namesakes apart by NIP and unit. */
const MAX_MATCHES = 8;

/**
 * Choosing the person of a manual record: search by name or NIP through the people list the People
 * screen uses (the server matches either, any case), then pick one of the matches.
 */
export function PersonPicker({
  value,
  onChange,
}: {
  value: PersonListItem | null;
  onChange: (person: PersonListItem | null) => void;
}): React.JSX.Element {
  const t = useT();
  const hintId = useId();
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<PersonListItem[] | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (q.length < MIN_QUERY) {
      setMatches(null);
      return;
    }
    let current = true;
    // Asked once typing pauses, so a fast typist does not send a request per key.
    const timer = setTimeout(() => {
      void api()
        .listPeople({ query: q, limit: MAX_MATCHES })
        .then((r) => {
          if (current) setMatches(r.ok ? r.value.items : []);
        });
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  if (value) {
    return (
      <div className="field" data-testid="person-chosen">
        <span className="field-label">{t('attendance.manual.person')}</span>
        <div className="row person-chosen">
          <strong>{t('attendance.manual.chosen', { name: value.full_name, number: value.employee_number })}</strong>
          <button type="button" className="button-ghost" onClick={() => onChange(null)}>
            {t('attendance.manual.change')}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="field">
      <label className="field-control">
        <span className="field-label">{t('attendance.manual.search')}</span>
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-describedby={hintId}
          autoComplete="off"
          data-testid="person-search"
        />
      </label>
      <small className="field-hint" id={hintId}>
        {t('attendance.manual.searchHint', { min: MIN_QUERY })}
      </small>
      {matches && matches.length === 0 && <p className="note">{t('attendance.manual.noMatch')}</p>}
      {matches && matches.length > 0 && (
        <ul className="person-options" aria-label={t('attendance.manual.matches')}>
          {matches.map((p) => (
            <li key={p.id}>
              <button type="button" className="button-ghost" onClick={() => onChange(p)}>
                {p.full_name} · {p.employee_number}
                {p.unit ? ` · ${p.unit}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
