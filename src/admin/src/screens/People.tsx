/**
 * People: find a person among thousands (NIP or name, asked of the hub as typing pauses), by site and
 * unit, a page of 50 at a time; per person their enrollment per model pack, consent and the duplicate
 * check; an admin may delete someone (from the hub and, through sync, from every kiosk); an admin or a
 * personnel officer may import a zip of photos (PeopleImport.tsx).
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { PeoplePage, PersonSummary } from '../../../shared/hub-admin';
import { api, ApiError, withQuery } from '../api';
import { dictionaries, useT, useTPlural } from '../i18n';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { SiteSelect, UnitInput } from '../components/Filters';
import { useFormat } from '../components/format';
import { Pager } from '../components/Pager';
import { useMay } from '../components/permissions';
import { useApi, useDebounced } from '../components/useApi';
import { PeopleImportDialog } from './PeopleImport';
import './records.css';

const PAGE_SIZE = 50;

export function PeopleScreen() {
  const t = useT();
  const mayDelete = useMay('delete_person');
  const mayImport = useMay('import');
  const [importing, setImporting] = useState(false);
  const searchId = useId();
  const [q, setQ] = useState('');
  const [site, setSite] = useState('');
  const [unit, setUnit] = useState('');
  const [page, setPage] = useState(1);
  const query = useDebounced(q.trim(), 300);
  const unitQ = useDebounced(unit.trim(), 300);
  // A new search starts at the first page.
  useEffect(() => setPage(1), [query, site, unitQ]);
  const path = withQuery('/api/v1/hub/people', { q: query, site, unit: unitQ, page, page_size: PAGE_SIZE });
  const list = useApi<PeoplePage>(path);
  const [deleting, setDeleting] = useState<PersonSummary | null>(null);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const tableRef = useRef<HTMLTableElement>(null);

  const confirmDelete = async () => {
    if (!deleting) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await api('DELETE', `/api/v1/hub/people/${encodeURIComponent(deleting.employee_number)}`);
      setNotice(t('people.deleted', { name: deleting.full_name, nip: deleting.employee_number }));
      setDeleting(null);
      list.reload();
    } catch (e) {
      setDeleteError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', String(e), null));
    } finally {
      setBusy(false);
    }
  };

  const data = list.data;
  return (
    <section className="screen rc-screen" aria-labelledby="people-title">
      <header className="screen-header">
        <h1 id="people-title">{t('people.title')}</h1>
        <p className="note">{t('people.lead')}</p>
        {mayImport ? (
          <p>
            <button type="button" onClick={() => setImporting(true)} data-testid="import-open">
              {t('import.open')}
            </button>
          </p>
        ) : null}
      </header>
      <form className="filters panel" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field rc-field-wide">
          <label htmlFor={searchId}>{t('people.search')}</label>
          <input
            id={searchId}
            type="search"
            name="q"
            value={q}
            placeholder={t('people.search_placeholder')}
            onChange={(e) => setQ(e.target.value)}
            maxLength={100}
            autoComplete="off"
          />
        </div>
        <SiteSelect value={site} onChange={setSite} />
        <UnitInput value={unit} onChange={setUnit} />
      </form>
      {notice ? (
        <p className="success" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorNote error={list.error} context="people" />
      {data ? (
        <Pager
          page={data.page}
          pageSize={data.page_size}
          total={data.total}
          onPage={setPage}
          label={t('people.pages')}
          busy={list.loading}
        />
      ) : null}
      <div className="panel table-wrap rc-table-wrap">
        <table ref={tableRef} className="table rc-table" aria-busy={list.loading} data-testid="people-table">
          <caption className="visually-hidden">{t('people.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('people.col.nip')}</th>
              <th scope="col">{t('people.col.name')}</th>
              <th scope="col">{t('people.col.unit')}</th>
              <th scope="col">{t('people.col.sites')}</th>
              <th scope="col">{t('people.col.enrollment')}</th>
              <th scope="col">{t('people.col.consent')}</th>
              <th scope="col">{t('people.col.duplicate')}</th>
              {mayDelete ? (
                <th scope="col">
                  <span className="visually-hidden">{t('people.col.actions')}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {data?.people.map((p) => (
              <tr key={p.employee_number} data-nip={p.employee_number}>
                <td className="mono">{p.employee_number}</td>
                <th scope="row" className="rc-name">
                  {p.full_name}
                  {p.active ? null : <span className="badge rc-tone-muted">{t('people.inactive')}</span>}
                </th>
                <td>{p.unit ?? <span className="muted">{t('rec.none')}</span>}</td>
                <td>
                  <Sites sites={p.sites} />
                </td>
                <td>
                  <Enrollment templates={p.templates} />
                </td>
                <td>
                  <Consent consent={p.consent} />
                </td>
                <td>
                  <Duplicate outcome={p.duplicate_check} />
                </td>
                {mayDelete ? (
                  <td className="actions">
                    <button
                      type="button"
                      className="button-ghost button-danger-ghost button-small"
                      onClick={() => {
                        setDeleteError(null);
                        setNotice('');
                        setDeleting(p);
                      }}
                      aria-label={t('people.delete_label', { name: p.full_name, nip: p.employee_number })}
                    >
                      {t('people.delete')}
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.people.length === 0 && !list.loading ? (
          <p className="rc-empty" role="status">
            {query || unitQ ? t('people.empty_search') : t('people.empty')}
          </p>
        ) : null}
        {!data && list.loading ? <p className="rc-empty">{t('common.loading')}</p> : null}
      </div>
      {data && data.total > data.page_size ? (
        <Pager
          page={data.page}
          pageSize={data.page_size}
          total={data.total}
          onPage={(n) => {
            setPage(n);
            tableRef.current?.scrollIntoView({ block: 'start' });
          }}
          label={t('people.pages_bottom')}
          busy={list.loading}
        />
      ) : null}
      {importing ? <PeopleImportDialog onClose={() => setImporting(false)} onFinished={list.reload} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={t('people.delete_title', { name: deleting.full_name })}
          message={
            <>
              <p>{t('people.delete_message', { name: deleting.full_name, nip: deleting.employee_number })}</p>
              <p>
                <strong>{t('people.delete_kiosks')}</strong>
              </p>
            </>
          }
          confirmLabel={t('people.delete_confirm')}
          danger
          busy={busy}
          error={<ErrorNote error={deleteError} context="people" />}
          onCancel={() => setDeleting(null)}
          onConfirm={() => void confirmDelete()}
        />
      ) : null}
    </section>
  );
}

function Sites(props: { sites: string[] }) {
  const t = useT();
  return (
    <ul className="rc-chips">
      {props.sites.map((s, i) => (
        <li key={s} className={i === 0 ? 'rc-chip rc-chip-home' : 'rc-chip'}>
          {s}
          {i === 0 ? <span className="visually-hidden"> ({t('people.home_site')})</span> : null}
        </li>
      ))}
    </ul>
  );
}

function Enrollment(props: { templates: Record<string, number> }) {
  const t = useT();
  const tp = useTPlural();
  const packs = Object.entries(props.templates).filter(([, n]) => n > 0);
  if (packs.length === 0) return <span className="badge rc-tone-warn">{t('people.not_enrolled')}</span>;
  return (
    <ul className="rc-plain">
      {packs.map(([pack, n]) => (
        <li key={pack}>
          <span className="mono">{pack}</span>
          {': '}
          {tp('people.templates', n)}
        </li>
      ))}
    </ul>
  );
}

function Consent(props: { consent: PersonSummary['consent'] }) {
  const t = useT();
  const f = useFormat();
  const c = props.consent;
  if (!c) return <span className="badge rc-tone-warn">{t('people.consent_none')}</span>;
  const key = `people.consent_method.${c.method}`;
  const method = dictionaries.id[key] ? t(key) : c.method;
  if (c.withdrawn_at) {
    return <span className="badge rc-tone-bad">{t('people.consent_withdrawn', { date: f.day(c.withdrawn_at) })}</span>;
  }
  return <span>{t('people.consent_given', { method, date: f.day(c.given_at) })}</span>;
}

function Duplicate(props: { outcome: PersonSummary['duplicate_check'] }) {
  const t = useT();
  // The hub keeps the outcome of its own, organisation-wide check; without one it shows a dash, said in
  // words to a reader.
  if (!props.outcome)
    return (
      <span className="muted" title={t('people.duplicate.unknown')}>
        <span aria-hidden="true">—</span>
        <span className="visually-hidden">{t('people.duplicate.unknown')}</span>
      </span>
    );
  return <span>{t(`people.duplicate.${props.outcome}`)}</span>;
}
