/**
 * The audit log (admin only): who did what to whom, newest first, 50 at a time with "older" paging by
 * the hub's keyset (`next_before`); filters by period, action and actor; each entry's details in a
 * sentence where the action is known, the full record one click away.
 */
import { useEffect, useId, useState } from 'react';
import type { AuditPage } from '../../../shared/hub-admin';
import { withQuery } from '../api';
import { dictionaries, useT } from '../i18n';
import { ErrorNote } from '../components/ErrorNote';
import { DateRangeField, NotPermitted } from '../components/Filters';
import { type Formatters, useFormat } from '../components/format';
import { useMay } from '../components/permissions';
import { useApi, useDebounced } from '../components/useApi';
import './records.css';

const LIMIT = 50;
export const AUDIT_ACTIONS = [
  'attendance.correct',
  'attendance.export',
  'attendance.recap_export',
  'person.leave',
  'person.create',
  'person.update',
  'person.delete',
  'person.templates',
  'device.pair',
  'device.join',
  'device.revoke',
  'site.create',
  'site.schedule',
  'site.holiday',
  'operator.create',
  'api_key.create',
  'operator.sign_in',
  'operator.sign_in_failed',
  'operator.sign_out',
  'settings.thresholds',
] as const;

type Entry = AuditPage['entries'][number];
type T = ReturnType<typeof useT>;

export function AuditScreen() {
  const t = useT();
  const may = useMay('audit');
  return (
    <section className="screen rc-screen" aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">{t('audit.title')}</h1>
        <p className="note">{t('audit.lead')}</p>
      </header>
      {may ? <AuditLog /> : <NotPermitted what={t('audit.not_permitted')} />}
    </section>
  );
}

function AuditLog() {
  const t = useT();
  const f = useFormat();
  const actionId = useId();
  const actorId = useId();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const actorQ = useDebounced(actor.trim(), 300);
  // The `before` of each page seen, so "newer" goes back the way "older" came.
  const [stack, setStack] = useState<(number | null)[]>([null]);
  const before = stack[stack.length - 1];
  useEffect(() => setStack([null]), [from, to, action, actorQ]);
  const rangeBad = Boolean(from && to && from > to);
  const page = useApi<AuditPage>(
    rangeBad ? null : withQuery('/api/v1/hub/audit', { from, to, action, actor: actorQ, before, limit: LIMIT }),
  );
  const data = rangeBad ? null : page.data;

  return (
    <>
      <form className="filters panel" onSubmit={(e) => e.preventDefault()} aria-label={t('rec.filters')}>
        <DateRangeField
          from={from}
          to={to}
          invalid={rangeBad}
          optional
          onChange={(a, b) => {
            setFrom(a);
            setTo(b);
          }}
        />
        <div className="field">
          <label htmlFor={actionId}>{t('audit.filter.action')}</label>
          <select id={actionId} name="action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t('audit.filter.all_actions')}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`audit.action.${a}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={actorId}>{t('audit.filter.actor')}</label>
          <input
            id={actorId}
            type="search"
            name="actor"
            value={actor}
            placeholder={t('audit.filter.actor_placeholder')}
            onChange={(e) => setActor(e.target.value)}
            autoComplete="off"
            maxLength={100}
          />
        </div>
      </form>
      {rangeBad ? (
        <p className="error" role="alert">
          {t('rec.range.reversed')}
        </p>
      ) : null}
      <ErrorNote error={rangeBad ? null : page.error} context="audit" />
      <AuditPager
        newer={stack.length > 1 ? () => setStack((s) => s.slice(0, -1)) : null}
        older={data?.next_before ? () => setStack((s) => [...s, data.next_before]) : null}
        busy={page.loading}
        label={t('audit.pages')}
        at={stack.length}
      />
      <div className="panel table-wrap rc-table-wrap">
        <table className="table rc-table" aria-busy={page.loading} data-testid="audit-table">
          <caption className="visually-hidden">{t('audit.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.col.at')}</th>
              <th scope="col">{t('audit.col.actor')}</th>
              <th scope="col">{t('audit.col.action')}</th>
              <th scope="col">{t('audit.col.target')}</th>
              <th scope="col">{t('audit.col.details')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.entries.map((e) => (
              <tr key={e.id} data-action={e.action} data-id={e.id}>
                <td className="rc-nowrap">
                  <time dateTime={e.at}>{f.dateTime(e.at)}</time>
                </td>
                <td>{actorOf(e, t)}</td>
                <th scope="row" className="rc-name">
                  {dictionaries.id[`audit.action.${e.action}`] ? t(`audit.action.${e.action}`) : e.action}
                </th>
                <td className="rc-nowrap">{targetOf(e, t)}</td>
                <td className="rc-details">
                  <Details entry={e} f={f} t={t} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.entries.length === 0 && !page.loading ? (
          <p className="rc-empty" role="status">
            {t('audit.empty')}
          </p>
        ) : null}
        {!data && page.loading ? <p className="rc-empty">{t('common.loading')}</p> : null}
      </div>
      {data && data.entries.length >= 10 ? (
        <AuditPager
          newer={stack.length > 1 ? () => setStack((s) => s.slice(0, -1)) : null}
          older={data.next_before ? () => setStack((s) => [...s, data.next_before]) : null}
          busy={page.loading}
          label={t('audit.pages_bottom')}
          at={stack.length}
        />
      ) : null}
    </>
  );
}

function AuditPager(props: {
  newer: (() => void) | null;
  older: (() => void) | null;
  busy: boolean;
  label: string;
  at: number;
}) {
  const t = useT();
  const f = useFormat();
  return (
    <nav className="rc-pager" aria-label={props.label}>
      <span className="rc-pager-range">{t('audit.page', { n: f.number(props.at) })}</span>
      <button
        type="button"
        className="button-ghost"
        onClick={props.newer ?? undefined}
        disabled={!props.newer || props.busy}
      >
        {t('audit.newer')}
      </button>
      <button
        type="button"
        className="button-ghost"
        onClick={props.older ?? undefined}
        disabled={!props.older || props.busy}
      >
        {t('audit.older')}
      </button>
    </nav>
  );
}

function actorOf(e: Entry, t: T): string {
  const key = `rec.actor.${e.actor_type}`;
  return dictionaries.id[key]
    ? t(key, { id: e.actor_id ?? '' }).trim()
    : `${e.actor_type}${e.actor_id ? ` ${e.actor_id}` : ''}`;
}

function targetOf(e: Entry, t: T): string {
  if (!e.target_type) return '';
  const key = `audit.target.${e.target_type}`;
  return dictionaries.id[key]
    ? t(key, { id: e.target_id ?? '' }).trim()
    : `${e.target_type} ${e.target_id ?? ''}`.trim();
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (v === null || v === undefined ? '—' : String(v));

/** A detail's value in words where the console has them (a role's name). */
function valueWords(key: string, v: unknown, t: T): string {
  if (key === 'role' && dictionaries.id[`role.${String(v)}`]) return t(`role.${String(v)}`);
  return String(v);
}

/** A sentence for the actions people look for; the record itself behind a disclosure. */
function Details(props: { entry: Entry; f: Formatters; t: T }) {
  const { entry, f, t } = props;
  const d = entry.details;
  let summary: string | null = null;
  if (isObj(d)) {
    const time = (v: unknown) => (typeof v === 'string' ? f.localTime(v).time : '—');
    if (entry.action === 'attendance.correct') {
      const b = isObj(d.before) ? d.before : {};
      const a = isObj(d.after) ? d.after : {};
      summary = t('audit.details.correct', {
        date: f.date(str(d.date)),
        in_before: time(b.check_in),
        in_after: time(a.check_in),
        out_before: time(b.check_out),
        out_after: time(a.check_out),
        reason: str(d.reason),
      });
    } else if (entry.action === 'person.leave') {
      const kind = `leave.kind.${str(d.kind)}`;
      summary = t('audit.details.leave', {
        kind: dictionaries.id[kind] ? t(kind) : str(d.kind),
        from: f.date(str(d.fromDate ?? d.from)),
        to: f.date(str(d.toDate ?? d.to)),
        reason: str(d.note ?? d.reason),
      });
    } else if (entry.action === 'attendance.export') {
      summary = t('audit.details.export', {
        from: f.date(str(d.from)),
        to: f.date(str(d.to)),
        format: str(d.format).toUpperCase(),
        records: typeof d.records === 'number' ? f.number(d.records) : str(d.records),
        scope: [d.site, d.unit].filter(Boolean).join(', ') || t('rec.filter.all_sites'),
      });
    } else if (entry.action === 'attendance.recap_export') {
      summary = t('audit.details.recap', {
        month: f.month(str(d.month)),
        scope: [d.site, d.unit].filter(Boolean).join(', ') || t('rec.filter.all_sites'),
        people: typeof d.people === 'number' ? f.number(d.people) : str(d.people),
      });
    } else {
      const parts = Object.entries(d)
        .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
        .slice(0, 4)
        .map(([k, v]) => `${dictionaries.id[`audit.key.${k}`] ? t(`audit.key.${k}`) : k}: ${valueWords(k, v, t)}`);
      summary = parts.length ? parts.join(' · ') : null;
    }
  }
  if (d === null || d === undefined || (isObj(d) && Object.keys(d).length === 0)) return null;
  return (
    <>
      {summary ? <span>{summary}</span> : null}
      <details>
        <summary>{t('audit.details.all')}</summary>
        <pre>{JSON.stringify(d, null, 2)}</pre>
      </details>
    </>
  );
}
