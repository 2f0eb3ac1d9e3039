import { useCallback, useEffect, useState } from 'react';
import type { PersonListItem } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import { api } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { formatDate, formatTime } from '../lib/time';
import { useLanguage, useT } from '../state/language';
import { roleAllows, useSession } from '../state/session';
import { DeletePersonDialog } from './people/DeletePersonDialog';
import { EditPersonForm } from './people/EditPersonForm';

const PAGE = 50;

export function PeopleScreen({ timeZone }: { timeZone: string }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const isAdmin = roleAllows(
    useSession((s) => s.session?.role),
    'admin',
  );
  const [query, setQuery] = useState('');
  const [includeInactive, setIncludeInactive] = useState(false);
  const [offset, setOffset] = useState(0);
  const [items, setItems] = useState<PersonListItem[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [editing, setEditing] = useState<PersonListItem | null>(null);
  const [deleting, setDeleting] = useState<PersonListItem | null>(null);

  const load = useCallback(async () => {
    const r = await api().listPeople({ query: query.trim() || undefined, includeInactive, offset, limit: PAGE });
    if (r.ok) {
      setItems(r.value.items);
      setTotal(r.value.total);
      setError(null);
    } else setError(r.error);
  }, [query, includeInactive, offset]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [load]);

  const setActive = async (p: PersonListItem, active: boolean): Promise<void> => {
    const r = await api().setPersonActive({ id: p.id, active });
    if (r.ok) void load();
    else setError(r.error);
  };

  const lastSeen = (iso: string | null): string =>
    iso ? `${formatDate(iso, language, timeZone)} ${formatTime(iso, language, timeZone)}` : t('people.neverSeen');

  return (
    <div className="screen">
      <h1>{t('people.title')}</h1>
      <div className="toolbar">
        <Field label={t('people.search')}>
          <input
            type="search"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setOffset(0);
            }}
          />
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={includeInactive} onChange={(e) => setIncludeInactive(e.target.checked)} />
          {t('people.includeInactive')}
        </label>
      </div>
      <ErrorMessage error={error} />
      {editing && (
        <EditPersonForm
          person={editing}
          onDone={(changed) => {
            setEditing(null);
            if (changed) void load();
          }}
        />
      )}
      {deleting && (
        <DeletePersonDialog
          person={deleting}
          onDone={(deleted) => {
            setDeleting(null);
            if (deleted) void load();
          }}
        />
      )}
      <table className="table" data-testid="people-table">
        <thead>
          <tr>
            <th>{t('person.employeeNumber')}</th>
            <th>{t('person.fullName')}</th>
            <th>{t('person.unit')}</th>
            <th>{t('people.templates')}</th>
            <th>{t('people.lastSeen')}</th>
            <th>{t('people.status')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id} className={p.active ? '' : 'row-inactive'}>
              <td>{p.employee_number}</td>
              <td>{p.full_name}</td>
              <td>{p.unit ?? '–'}</td>
              <td>{p.templates}</td>
              <td>{lastSeen(p.last_seen_at)}</td>
              <td>{p.active ? t('people.active') : t('people.inactive')}</td>
              <td className="actions">
                <button type="button" className="button-ghost" onClick={() => setEditing(p)}>
                  {t('common.edit')}
                </button>
                <button type="button" className="button-ghost" onClick={() => void setActive(p, !p.active)}>
                  {p.active ? t('people.deactivate') : t('people.activate')}
                </button>
                {isAdmin && (
                  <button type="button" className="button-danger" onClick={() => setDeleting(p)}>
                    {t('common.delete')}
                  </button>
                )}
              </td>
            </tr>
          ))}
          {items.length === 0 && (
            <tr>
              <td colSpan={7} className="note">
                {t('common.noResults')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="row">
        <button
          type="button"
          className="button-ghost"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE))}
        >
          {t('common.previous')}
        </button>
        <span className="note">
          {t('common.range', { from: total === 0 ? 0 : offset + 1, to: Math.min(total, offset + PAGE), total })}
        </span>
        <button
          type="button"
          className="button-ghost"
          disabled={offset + PAGE >= total}
          onClick={() => setOffset(offset + PAGE)}
        >
          {t('common.next')}
        </button>
      </div>
    </div>
  );
}
