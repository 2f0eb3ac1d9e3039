import { useEffect, useState, type FormEvent } from 'react';
import type { PersonListItem } from '../../../../shared/contract';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { UnitPicker } from '../../components/UnitPicker';
import { useEnrollment } from '../../state/enrollment';
import { useT, useTPlural } from '../../state/language';
import type { ErrorInfo } from '../../../../shared/errors';

/** Step 1: find the person to enroll, or describe a new one. */
export function PersonStep(): React.JSX.Element {
  const t = useT();
  const tp = useTPlural();
  const begin = useEnrollment((s) => s.begin);
  const busy = useEnrollment((s) => s.busy);
  const startError = useEnrollment((s) => s.error);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<PersonListItem[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [fields, setFields] = useState({ employee_number: '', full_name: '', unit: '' });

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setFound([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      void api()
        .listPeople({ query: q, limit: 10 })
        .then((r) => {
          if (!current) return;
          if (r.ok) setFound(r.value.items);
          else setError(r.error);
        });
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  const createNew = (e: FormEvent): void => {
    e.preventDefault();
    void begin({
      kind: 'new',
      fields: {
        employee_number: fields.employee_number.trim(),
        full_name: fields.full_name.trim(),
        unit: fields.unit.trim() || null,
      },
    });
  };

  return (
    <div className="two-columns">
      <section className="panel">
        <h2>{t('enroll.existing.title')}</h2>
        <Field label={t('enroll.existing.search')}>
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        </Field>
        <ErrorMessage error={error} />
        <ul className="pick-list">
          {found.map((p) => (
            <li key={p.id}>
              <button type="button" disabled={busy} onClick={() => void begin({ kind: 'existing', person: p })}>
                <strong>{p.full_name}</strong> · {p.employee_number}
                {p.unit ? ` · ${p.unit}` : ''} · {tp('people.templatesCount', p.templates)}
              </button>
            </li>
          ))}
          {query.trim().length >= 2 && found.length === 0 && <li className="note">{t('common.noResults')}</li>}
        </ul>
      </section>
      <form className="panel" onSubmit={createNew}>
        <h2>{t('enroll.new.title')}</h2>
        <Field label={t('person.employeeNumber')}>
          <input
            value={fields.employee_number}
            onChange={(e) => setFields({ ...fields, employee_number: e.target.value })}
            required
            maxLength={32}
          />
        </Field>
        <Field label={t('person.fullName')}>
          <input
            value={fields.full_name}
            onChange={(e) => setFields({ ...fields, full_name: e.target.value })}
            required
            maxLength={200}
          />
        </Field>
        <UnitPicker label={t('person.unit')} value={fields.unit} onChange={(unit) => setFields({ ...fields, unit })} />
        <ErrorMessage error={startError} />
        <button type="submit" disabled={busy}>
          {t('enroll.new.continue')}
        </button>
      </form>
    </div>
  );
}
