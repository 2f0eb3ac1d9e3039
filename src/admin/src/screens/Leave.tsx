/**
 * Leave and permits: an authorised operator (admin, personnel) records a person's leave for a period
 * with a reason. The hub then counts those days as leave, not absence, in the day views, the exports
 * and the monthly recap, and sends the leave to the person's kiosks.
 */
import { type FormEvent, useId, useState } from 'react';
import { LEAVE_KINDS, type LeaveKindName, type PeoplePage } from '../../../shared/hub-admin';
import { api, ApiError, withQuery } from '../api';
import { useT, useTPlural } from '../i18n';
import { ErrorNote } from '../components/ErrorNote';
import { DateField } from '../components/DateField';
import { NotPermitted } from '../components/Filters';
import { daysInRange, useFormat } from '../components/format';
import { useMay } from '../components/permissions';
import { useApi, useDebounced } from '../components/useApi';
import { todayLocal } from '../lib/format';
import './records.css';

interface Entered {
  nip: string;
  name: string | null;
  kind: LeaveKindName;
  from: string;
  to: string;
  reason: string;
}

export function LeaveScreen() {
  const t = useT();
  const may = useMay('leave');
  return (
    <section className="screen rc-screen" aria-labelledby="leave-title">
      <header className="screen-header">
        <h1 id="leave-title">{t('leave.title')}</h1>
        <p className="note">{t('leave.lead')}</p>
      </header>
      {may ? <LeaveForm /> : <NotPermitted what={t('leave.not_permitted')} />}
    </section>
  );
}

/** The fields a problem may point at (the dates' own ids are the date fields'). */
type Field = 'nip' | 'kind' | 'from' | 'to' | 'reason';

function LeaveForm() {
  const t = useT();
  const tp = useTPlural();
  const f = useFormat();
  const ids = {
    nip: useId(),
    kind: useId(),
    reason: useId(),
    who: useId(),
    problem: useId(),
  };
  const today = todayLocal();
  const [nip, setNip] = useState('');
  const [kind, setKind] = useState<LeaveKindName>('cuti');
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<{ key: string; field: Field } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [entered, setEntered] = useState<Entered[]>([]);
  const nipQ = useDebounced(nip.trim(), 300);
  // Who the NIP is, as the operator types it: a slip of a digit shows before it is saved.
  const lookup = useApi<PeoplePage>(nipQ ? withQuery('/api/v1/hub/people', { q: nipQ, page: 1, page_size: 5 }) : null);
  const person = nipQ ? (lookup.data?.people.find((p) => p.employee_number === nipQ) ?? null) : null;
  const days = daysInRange(from, to);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const n = nip.trim();
    if (!n) return setProblem({ key: 'leave.problem.nip', field: 'nip' });
    if (!from || !to) return setProblem({ key: 'leave.problem.dates', field: 'from' });
    if (from > to) return setProblem({ key: 'leave.problem.reversed', field: 'to' });
    if (!reason.trim()) return setProblem({ key: 'leave.problem.reason', field: 'reason' });
    setProblem(null);
    setBusy(true);
    try {
      await api('POST', '/api/v1/hub/leave', { employee_number: n, kind, from, to, reason: reason.trim() });
      setEntered((list) => [
        {
          nip: n,
          name: person?.employee_number === n ? person.full_name : null,
          kind,
          from,
          to,
          reason: reason.trim(),
        },
        ...list,
      ]);
      setReason('');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'INTERNAL', String(err), null));
    } finally {
      setBusy(false);
    }
  };
  const invalid = (field: Field) => (problem?.field === field ? true : undefined);
  const described = (field: Field, ...more: string[]) =>
    [...more, problem?.field === field ? ids.problem : ''].filter(Boolean).join(' ') || undefined;
  const last = entered[0];

  return (
    <>
      <form className="panel rc-form rc-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="leave-title">
        <div className="rc-form-row">
          <div className="field">
            <label htmlFor={ids.nip}>
              {t('leave.nip')} <span aria-hidden="true">*</span>
            </label>
            <input
              id={ids.nip}
              name="employee_number"
              value={nip}
              onChange={(e) => {
                setProblem(null);
                setNip(e.target.value);
              }}
              required
              aria-required="true"
              maxLength={64}
              autoComplete="off"
              inputMode="text"
              aria-invalid={invalid('nip')}
              aria-describedby={described('nip', ids.who)}
            />
            <p id={ids.who} className="small" aria-live="polite">
              {!nipQ ? (
                <span className="muted">{t('leave.nip_hint')}</span>
              ) : person ? (
                <span data-testid="leave-person">
                  {t('leave.person', {
                    name: person.full_name,
                    unit: person.unit ?? t('rec.none'),
                    site: person.home_site,
                  })}
                </span>
              ) : lookup.loading ? (
                <span className="muted">{t('common.loading')}</span>
              ) : (
                <span className="rc-warn-text">{t('leave.no_person')}</span>
              )}
            </p>
          </div>
          <div className="field">
            <label htmlFor={ids.kind}>{t('leave.kind')}</label>
            <select id={ids.kind} name="kind" value={kind} onChange={(e) => setKind(e.target.value as LeaveKindName)}>
              {LEAVE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`leave.kind.${k}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="rc-form-row">
          <DateField
            label={t('leave.from')}
            value={from}
            required
            invalid={invalid('from')}
            describedBy={described('from')}
            onChange={(v) => {
              setProblem(null);
              setFrom(v);
            }}
            testId="leave-from"
          />
          <DateField
            label={t('leave.to')}
            value={to}
            min={from || undefined}
            required
            invalid={invalid('to')}
            describedBy={described('to')}
            onChange={(v) => {
              setProblem(null);
              setTo(v);
            }}
            testId="leave-to"
          />
          <p className="small muted rc-align-end" aria-live="polite">
            {days >= 1 ? tp('leave.span', days) : ''}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.reason}>
            {t('leave.reason')} <span aria-hidden="true">*</span>
          </label>
          <textarea
            id={ids.reason}
            name="reason"
            rows={3}
            maxLength={500}
            required
            aria-required="true"
            value={reason}
            placeholder={t('leave.reason_placeholder')}
            aria-invalid={invalid('reason')}
            aria-describedby={described('reason')}
            onChange={(e) => {
              setProblem(null);
              setReason(e.target.value);
            }}
          />
        </div>
        {problem ? (
          <p className="error" id={ids.problem} role="alert">
            {t(problem.key)}
          </p>
        ) : null}
        <ErrorNote error={error} context="leave" />
        <div className="dialog-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('rec.saving') : t('leave.save')}
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {last ? (
          <p className="success" data-testid="leave-saved">
            {t('leave.saved', {
              who: last.name ? `${last.name} (${last.nip})` : last.nip,
              kind: t(`leave.kind.${last.kind}`),
              from: f.date(last.from),
              to: f.date(last.to),
            })}
          </p>
        ) : null}
      </div>
      {entered.length ? (
        <div className="panel table-wrap rc-table-wrap">
          <table className="table rc-table">
            <caption>{t('leave.entered')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('leave.nip')}</th>
                <th scope="col">{t('people.col.name')}</th>
                <th scope="col">{t('leave.kind')}</th>
                <th scope="col">{t('leave.period')}</th>
                <th scope="col">{t('leave.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {entered.map((e, i) => (
                <tr key={`${i}-${e.nip}`}>
                  <td className="mono">{e.nip}</td>
                  <td>{e.name ?? <span className="muted">{t('rec.none')}</span>}</td>
                  <td>{t(`leave.kind.${e.kind}`)}</td>
                  <td className="rc-nowrap">
                    {e.from === e.to ? f.date(e.from) : `${f.date(e.from)} – ${f.date(e.to)}`}
                  </td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
