/**
 * Attendance: each person's day over a period of up to 31 days, by site, unit and status, 50 rows a
 * page; times as the site's wall clock with its zone (WIB, WITA, WIT); a correction per row with a
 * required reason (audited by the hub); CSV and XLSX of the filtered days, streamed by the hub.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { AttendancePage, AttendanceRowView } from '../../../shared/hub-admin';
import { api, ApiError, withQuery } from '../api';
import { dictionaries, useT } from '../i18n';
import { ErrorNote } from '../components/ErrorNote';
import { DateRangeField, SiteSelect, UnitInput, useSites } from '../components/Filters';
import { daysInRange, hhmmIn, useFormat, zoneOfTimeZone } from '../components/format';
import { Pager } from '../components/Pager';
import { useMay } from '../components/permissions';
import { TimeField } from '../components/TimeField';
import { useApi, useDebounced } from '../components/useApi';
import { parseTimeInput } from '../../../renderer/src/lib/time-input';
import { formatClock, todayLocal } from '../lib/format';
import { Modal } from '../shell/Modal';
import './records.css';

const PAGE_SIZE = 50;
export const MAX_RANGE_DAYS = 31;
const STATUSES = ['present', 'late', 'absent', 'on_leave', 'off'] as const;

export function AttendanceScreen() {
  const t = useT();
  const f = useFormat();
  const mayCorrect = useMay('correct');
  const statusId = useId();
  const rangeErrorId = useId();
  const today = todayLocal();
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [site, setSite] = useState('');
  const [unit, setUnit] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const unitQ = useDebounced(unit.trim(), 300);
  const span = daysInRange(from, to);
  const rangeError =
    !from || !to || Number.isNaN(span)
      ? 'rec.range.missing'
      : span < 1
        ? 'rec.range.reversed'
        : span > MAX_RANGE_DAYS
          ? 'rec.range.too_long'
          : null;
  useEffect(() => setPage(1), [from, to, site, unitQ, status]);
  const filter = { from, to, site, unit: unitQ };
  const list = useApi<AttendancePage>(
    rangeError ? null : withQuery('/api/v1/hub/attendance', { ...filter, status, page, page_size: PAGE_SIZE }),
  );
  const [correcting, setCorrecting] = useState<AttendanceRowView | null>(null);
  const [notice, setNotice] = useState('');
  const data = rangeError ? null : list.data;

  return (
    <section className="screen rc-screen" aria-labelledby="attendance-title">
      <header className="screen-header">
        <h1 id="attendance-title">{t('attendance.title')}</h1>
        <p className="note">{t('attendance.lead')}</p>
      </header>
      <form className="filters panel" onSubmit={(e) => e.preventDefault()} aria-label={t('rec.filters')}>
        <DateRangeField
          from={from}
          to={to}
          onChange={(a, b) => {
            setFrom(a);
            setTo(b);
          }}
          invalid={rangeError !== null}
          errorId={rangeError ? rangeErrorId : undefined}
        />
        <SiteSelect value={site} onChange={setSite} />
        <UnitInput value={unit} onChange={setUnit} />
        <div className="field">
          <label htmlFor={statusId}>{t('attendance.filter.status')}</label>
          <select id={statusId} name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t('attendance.filter.all_statuses')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`attendance.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      {rangeError ? (
        <p className="error" id={rangeErrorId} role="alert">
          {t(rangeError, { max: MAX_RANGE_DAYS })}
        </p>
      ) : null}
      <Exports from={from} to={to} site={site} unit={unitQ} status={status} disabled={rangeError !== null} />
      {notice ? (
        <p className="success" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorNote error={rangeError ? null : list.error} context="attendance" />
      {data ? (
        <Pager
          page={data.page}
          pageSize={data.page_size}
          total={data.total}
          onPage={setPage}
          label={t('attendance.pages')}
          busy={list.loading}
        />
      ) : null}
      <div className="panel table-wrap rc-table-wrap">
        <table className="table rc-table" aria-busy={list.loading} data-testid="attendance-table">
          <caption className="visually-hidden">{t('attendance.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('attendance.col.date')}</th>
              <th scope="col">{t('attendance.col.nip')}</th>
              <th scope="col">{t('attendance.col.name')}</th>
              <th scope="col">{t('attendance.col.unit')}</th>
              <th scope="col">{t('attendance.col.status')}</th>
              <th scope="col">{t('attendance.col.first_in')}</th>
              <th scope="col">{t('attendance.col.last_out')}</th>
              <th scope="col">{t('attendance.col.late')}</th>
              <th scope="col">{t('attendance.col.leave')}</th>
              <th scope="col">{t('attendance.col.corrected')}</th>
              {mayCorrect ? (
                <th scope="col">
                  <span className="visually-hidden">{t('attendance.col.actions')}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {data?.rows.map((r) => (
              <Row
                key={`${r.date}/${r.employee_number}`}
                row={r}
                mayCorrect={mayCorrect}
                onCorrect={() => {
                  setNotice('');
                  setCorrecting(r);
                }}
              />
            ))}
          </tbody>
        </table>
        {data && data.rows.length === 0 && !list.loading ? (
          <p className="rc-empty" role="status">
            {t('attendance.empty')}
          </p>
        ) : null}
        {!data && list.loading ? <p className="rc-empty">{t('common.loading')}</p> : null}
      </div>
      {data && data.total > data.page_size ? (
        <Pager
          page={data.page}
          pageSize={data.page_size}
          total={data.total}
          onPage={setPage}
          label={t('attendance.pages_bottom')}
          busy={list.loading}
        />
      ) : null}
      {correcting ? (
        <CorrectionDialog
          row={correcting}
          onClose={() => setCorrecting(null)}
          onSaved={() => {
            setNotice(
              t('attendance.correction.saved', {
                name: correcting.full_name ?? correcting.employee_number,
                date: f.date(correcting.date),
              }),
            );
            setCorrecting(null);
            list.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function Row(props: { row: AttendanceRowView; mayCorrect: boolean; onCorrect: () => void }) {
  const t = useT();
  const f = useFormat();
  const r = props.row;
  const leaveKey = r.leave ? `leave.kind.${r.leave}` : null;
  const correctedDetail = r.corrected
    ? t('attendance.corrected_detail', {
        reason: r.corrected.reason,
        by: actorWords(r.corrected.by, t),
        at: f.dateTime(r.corrected.at),
      })
    : '';
  return (
    <tr data-nip={r.employee_number} data-date={r.date} data-status={r.status}>
      <td className="rc-nowrap">
        <time dateTime={r.date} title={f.date(r.date, true)}>
          {f.dayInYear(r.date)}
        </time>
      </td>
      <td className="mono">{r.employee_number}</td>
      <th scope="row" className="rc-name">
        {r.full_name ?? <span className="muted">{t('attendance.unknown_person')}</span>}
      </th>
      <td>{r.unit ?? <span className="muted">{t('rec.none')}</span>}</td>
      <td>
        <span className={`badge rc-status-${r.status}`}>{t(`attendance.status.${r.status}`)}</span>
      </td>
      <td className="rc-nowrap">
        <Time iso={r.first_in} />
      </td>
      <td className="rc-nowrap">
        <Time iso={r.last_out} />
      </td>
      <td>
        {r.late === true ? (
          <span className="rc-warn-text">{t('attendance.late.yes')}</span>
        ) : r.late === false ? (
          t('attendance.late.no')
        ) : (
          <span className="muted" aria-label={t('rec.none')}>
            —
          </span>
        )}
      </td>
      <td>
        {leaveKey ? (
          dictionaries.id[leaveKey] ? (
            t(leaveKey)
          ) : (
            r.leave
          )
        ) : (
          <span className="muted" aria-label={t('rec.none')}>
            —
          </span>
        )}
      </td>
      <td>
        {r.corrected ? (
          <div className="rc-corrected" data-testid="corrected">
            <span className="badge rc-tone-info">{t('attendance.corrected')}</span>
            <span className="small" title={correctedDetail}>
              {correctedDetail}
            </span>
          </div>
        ) : null}
      </td>
      {props.mayCorrect ? (
        <td className="actions">
          {r.full_name !== null && r.home_site !== null ? (
            <button
              type="button"
              className="button-ghost button-small"
              onClick={props.onCorrect}
              aria-label={t('attendance.correct_label', { name: r.full_name, date: f.date(r.date) })}
            >
              {t('attendance.correct')}
            </button>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

/** "operator:budi" → "Operator budi"; the hub's actor names in words. */
export function actorWords(by: string, t: (k: string, v?: Record<string, string | number>) => string): string {
  const i = by.indexOf(':');
  const type = i < 0 ? by : by.slice(0, i);
  const id = i < 0 ? '' : by.slice(i + 1);
  const key = `rec.actor.${type}`;
  return dictionaries.id[key] ? t(key, { id }).trim() : by;
}

function Time(props: { iso: string | null }) {
  const f = useFormat();
  const t = useT();
  if (!props.iso)
    return (
      <span className="muted" aria-label={t('rec.none')}>
        —
      </span>
    );
  const { time, zone } = f.localTime(props.iso);
  return (
    <time dateTime={props.iso}>
      {time} <abbr className="rc-zone">{zone}</abbr>
    </time>
  );
}

function Exports(props: { from: string; to: string; site: string; unit: string; status: string; disabled: boolean }) {
  const t = useT();
  // The export takes the period, site and unit (not the status: it is every recorded day of the filter).
  const href = (format: 'csv' | 'xlsx') =>
    withQuery('/api/v1/hub/export', { from: props.from, to: props.to, site: props.site, unit: props.unit, format });
  return (
    <div className="rc-exports" role="group" aria-label={t('attendance.export')}>
      <span className="rc-exports-label">{t('attendance.export')}</span>
      {props.disabled ? (
        <>
          <span className="button-ghost button-small" aria-disabled="true">
            CSV
          </span>
          <span className="button-ghost button-small" aria-disabled="true">
            XLSX
          </span>
        </>
      ) : (
        <>
          <a className="button-ghost button-small" href={href('csv')} download data-testid="export-csv">
            {t('attendance.export_csv')}
          </a>
          <a className="button-ghost button-small" href={href('xlsx')} download data-testid="export-xlsx">
            {t('attendance.export_xlsx')}
          </a>
        </>
      )}
      <span className="small muted">
        {props.status ? t('attendance.export_note_status') : t('attendance.export_note')}
      </span>
    </div>
  );
}

function CorrectionDialog(props: { row: AttendanceRowView; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const f = useFormat();
  const sites = useSites();
  const r = props.row;
  const home = sites.find((s) => s.code === r.home_site);
  const zone = home?.time_zone ?? null;
  // The times are typed as the home site's wall clock (the hub reads "HH:MM" in that zone), 24-hour
  // and written as the language writes times (07.05 / 07:05); parseTimeInput reads either.
  const initial = (iso: string | null) => {
    const hhmm = iso && zone ? hhmmIn(iso, zone) : iso ? (/T(\d{2}:\d{2})/.exec(iso)?.[1] ?? '') : '';
    return hhmm ? formatClock(hhmm, f.lang) : '';
  };
  const [checkIn, setCheckIn] = useState(() => initial(r.first_in));
  const [checkOut, setCheckOut] = useState(() => initial(r.last_out));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const touched = useRef(false);
  // The site list may arrive after the dialog opened: the times are then converted once it is known.
  useEffect(() => {
    if (zone && !touched.current) {
      setCheckIn(initial(r.first_in));
      setCheckOut(initial(r.last_out));
    }
  }, [zone]);
  const reasonId = useId();
  const problemId = useId();
  const zoneName = zone ? zoneOfTimeZone(zone) : '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const inTime = parseTimeInput(checkIn);
    const outTime = parseTimeInput(checkOut);
    if (inTime === null || outTime === null) return setProblem('attendance.correction.bad_time');
    if (!reason.trim()) return setProblem('attendance.correction.need_reason');
    if (!inTime && !outTime) return setProblem('attendance.correction.need_time');
    if (inTime && outTime && outTime < inTime) return setProblem('attendance.correction.out_before_in');
    setProblem(null);
    setBusy(true);
    try {
      await api('POST', '/api/v1/hub/corrections', {
        employee_number: r.employee_number,
        date: r.date,
        check_in: inTime || null,
        check_out: outTime || null,
        reason: reason.trim(),
      });
      props.onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'INTERNAL', String(err), null));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('attendance.correction.title')} onClose={props.onClose} testId="correction-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate className="rc-form">
        <p className="rc-dialog-body">
          {t('attendance.correction.who', {
            name: r.full_name ?? r.employee_number,
            nip: r.employee_number,
            date: f.date(r.date, true),
          })}
        </p>
        <p className="small muted">{t('attendance.correction.zone', { site: r.home_site ?? '', zone: zoneName })}</p>
        <div className="rc-form-row">
          <TimeField
            label={t('attendance.correction.check_in')}
            name="check_in"
            value={checkIn}
            onChange={(v) => {
              touched.current = true;
              setProblem(null);
              setCheckIn(v);
            }}
          />
          <TimeField
            label={t('attendance.correction.check_out')}
            name="check_out"
            value={checkOut}
            onChange={(v) => {
              touched.current = true;
              setProblem(null);
              setCheckOut(v);
            }}
          />
        </div>
        <p className="small muted">{t('attendance.correction.empty_means_none')}</p>
        <div className="field">
          <label htmlFor={reasonId}>
            {t('attendance.correction.reason')} <span aria-hidden="true">*</span>
          </label>
          <textarea
            id={reasonId}
            name="reason"
            required
            aria-required="true"
            maxLength={500}
            rows={3}
            value={reason}
            aria-invalid={problem === 'attendance.correction.need_reason' || undefined}
            aria-describedby={problem ? problemId : undefined}
            onChange={(e) => {
              setProblem(null);
              setReason(e.target.value);
            }}
            placeholder={t('attendance.correction.reason_placeholder')}
          />
        </div>
        {problem ? (
          <p className="error" id={problemId} role="alert">
            {t(problem)}
          </p>
        ) : null}
        <ErrorNote error={error} context="correction" />
        <div className="dialog-actions">
          <button type="button" className="button-ghost" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" disabled={busy}>
            {busy ? t('rec.saving') : t('attendance.correction.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
