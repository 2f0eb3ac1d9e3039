import { useCallback, useEffect, useState } from 'react';
import type { AttendanceRecord, AttendanceStats } from '../../../shared/attendance';
import type { AttendancePage, AttendanceFilter } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import { api } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { DateField } from '../components/DateField';
import { Field } from '../components/Field';
import { formatLocalDate, shiftDate } from '../lib/dates';
import { formatTime, localDate } from '../lib/time';
import { useLanguage, useT } from '../state/language';
import { AttendanceCharts } from './attendance/AttendanceCharts';
import { AttendanceSummary } from './attendance/AttendanceSummary';
import {
  AddRecordDialog,
  CorrectRecordDialog,
  type ManualChange,
  VoidRecordDialog,
} from './attendance/ManualRecordDialogs';
import { ExportButtons } from './attendance/ExportButtons';

/** The trend chart covers this many days up to the filter's last day. */
const TREND_DAYS = 30;

export function AttendanceScreen({ timeZone }: { timeZone: string }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const today = localDate(new Date(), timeZone);
  const [filter, setFilter] = useState<AttendanceFilter>({ from: today, to: today });
  const [units, setUnits] = useState<string[]>([]);
  const [page, setPage] = useState<AttendancePage | null>(null);
  const [stats, setStats] = useState<AttendanceStats | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  // An operator's change: which dialog is open, what the last one did, and a count that reloads the charts.
  const [manual, setManual] = useState<{ kind: 'add' } | { kind: 'correct' | 'void'; record: AttendanceRecord } | null>(
    null,
  );
  const [changed, setChanged] = useState<ManualChange | null>(null);
  const [changes, setChanges] = useState(0);

  useEffect(() => {
    void api()
      .listUnits()
      .then((r) => r.ok && setUnits(r.value));
  }, []);

  const load = useCallback(async () => {
    if (filter.from > filter.to) return;
    const r = await api().queryAttendance(filter);
    if (r.ok) {
      setPage(r.value);
      setError(null);
    } else setError(r.error);
  }, [filter]);

  // The server answers a page at a time (keyset cursor): the next one is appended below.
  const [loadingMore, setLoadingMore] = useState(false);
  const loadMore = async (): Promise<void> => {
    const cursor = page?.next_cursor;
    if (!cursor) return;
    setLoadingMore(true);
    const r = await api().queryAttendance({ ...filter, cursor });
    setLoadingMore(false);
    if (r.ok) {
      setPage((p) => (p ? { ...p, records: [...p.records, ...r.value.records], next_cursor: r.value.next_cursor } : p));
    } else setError(r.error);
  };

  useEffect(() => {
    void load();
  }, [load]);

  // The charts follow the filter's last day and unit; the server counts, the page gets no records.
  const { to, unit } = filter;
  useEffect(() => {
    let current = true;
    void api()
      .attendanceStats({ from: shiftDate(to, -(TREND_DAYS - 1)), to, ...(unit ? { unit } : {}) })
      .then((r) => {
        if (current) setStats(r.ok ? r.value : null);
      });
    return () => {
      current = false;
    };
  }, [to, unit, changes]);

  /** After a change the list, the day's counters and the charts are read again from the server. */
  const afterChange = (change: ManualChange): void => {
    setManual(null);
    setChanged(change);
    setChanges((n) => n + 1);
    void load();
  };

  const time = (iso: string | null): string => (iso ? formatTime(iso, language, timeZone) : '–');

  return (
    <div className="screen">
      <h1>{t('attendance.title')}</h1>
      <div className="toolbar">
        <DateField
          label={t('attendance.from')}
          value={filter.from}
          max={filter.to}
          onChange={(from) => setFilter((f) => ({ ...f, from }))}
          testId="filter-from"
        />
        <DateField
          label={t('attendance.to')}
          value={filter.to}
          min={filter.from}
          onChange={(to) => setFilter((f) => ({ ...f, to }))}
          testId="filter-to"
        />
        <Field label={t('person.unit')}>
          <select
            value={filter.unit ?? ''}
            onChange={(e) => setFilter({ ...filter, unit: e.target.value || undefined })}
          >
            <option value="">{t('attendance.allUnits')}</option>
            {units.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </Field>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={filter.onlyLate ?? false}
            onChange={(e) => setFilter({ ...filter, onlyLate: e.target.checked || undefined })}
          />
          {t('attendance.onlyLate')}
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={filter.onlyNotCheckedOut ?? false}
            onChange={(e) => setFilter({ ...filter, onlyNotCheckedOut: e.target.checked || undefined })}
          />
          {t('attendance.onlyNotCheckedOut')}
        </label>
        <button type="button" className="button-ghost" onClick={() => setFilter({ from: today, to: today })}>
          {t('attendance.today')}
        </button>
        <button type="button" onClick={() => setManual({ kind: 'add' })} data-testid="manual-add-open">
          {t('attendance.manual.add')}
        </button>
        <span className="admin-spacer" />
        <ExportButtons filter={filter} onError={setError} />
      </div>
      <ErrorMessage error={error} />
      {changed && (
        <p className="note note-success" role="status" data-testid="manual-done">
          {t(`attendance.manual.done.${changed.kind}`, { name: changed.record.full_name })}
        </p>
      )}
      {page?.summary && <AttendanceSummary summary={page.summary} />}
      {stats && <AttendanceCharts stats={stats} />}
      <table className="table" data-testid="attendance-table">
        <thead>
          <tr>
            <th>{t('attendance.date')}</th>
            <th>{t('person.employeeNumber')}</th>
            <th>{t('person.fullName')}</th>
            <th>{t('person.unit')}</th>
            <th>{t('attendance.checkIn')}</th>
            <th>{t('attendance.checkOut')}</th>
            <th>{t('attendance.flags')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {page?.records.map((r) => (
            <tr key={r.id} data-record={r.id}>
              <td>
                <time dateTime={r.local_date}>{formatLocalDate(r.local_date, language)}</time>
              </td>
              <td>{r.employee_number}</td>
              <td>{r.full_name}</td>
              <td>{r.unit ?? '–'}</td>
              <td>{time(r.check_in_at)}</td>
              <td>{time(r.check_out_at)}</td>
              <td className="flags">
                {r.late && <span className="badge badge-warning">{t('attendance.late')}</span>}
                {r.check_in_at && !r.check_out_at && (
                  <span className="badge badge-info">{t('attendance.notCheckedOut')}</span>
                )}
                {/* Seen only on the way out: a morning scan is missing, which is not plain "present". */}
                {!r.check_in_at && r.check_out_at && (
                  <span className="badge badge-warning" data-testid="no-check-in">
                    {t('attendance.noCheckIn')}
                  </span>
                )}
                {r.decided_by !== 'face' && (
                  <span className="badge" title={r.note ?? undefined}>
                    {t(`attendance.decidedBy.${r.decided_by}`)}
                  </span>
                )}
                {/* A kiosk's record that an operator changed: the note is the latest correction's reason. */}
                {r.decided_by === 'face' && r.note !== null && (
                  <span className="badge badge-corrected" title={r.note} data-testid="corrected">
                    {t('attendance.corrected')}
                  </span>
                )}
                {/* A joined kiosk shows the hub's record of the day where the hub sent one. */}
                {r.source === 'hub' && r.early && (
                  <span className="badge badge-warning">{t('attendance.earlyOut')}</span>
                )}
                {r.source === 'hub' && (
                  <span
                    className="badge badge-info"
                    data-testid="from-hub"
                    title={t('attendance.fromHubTitle', {
                      sites: [...new Set([r.check_in_site, r.check_out_site].filter(Boolean))].join(', ') || '–',
                    })}
                  >
                    {t('attendance.fromHub')}
                  </span>
                )}
                {r.source === 'hub' && r.corrected && (
                  <span
                    className="badge badge-corrected"
                    data-testid="corrected-at-hub"
                    title={r.correction_reason ?? undefined}
                  >
                    {t('attendance.correctedAtHub')}
                  </span>
                )}
                {r.clock_flag && (
                  <span className="badge badge-error" title={r.clock_flag}>
                    {t('attendance.clockFlag')}
                  </span>
                )}
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="button-ghost"
                  aria-label={t('attendance.manual.correctFor', { name: r.full_name })}
                  onClick={() => setManual({ kind: 'correct', record: r })}
                >
                  {t('attendance.manual.correct')}
                </button>
                <button
                  type="button"
                  className="button-ghost"
                  aria-label={t('attendance.manual.voidFor', { name: r.full_name })}
                  onClick={() => setManual({ kind: 'void', record: r })}
                >
                  {t('attendance.manual.void')}
                </button>
              </td>
            </tr>
          ))}
          {page && page.records.length === 0 && (
            <tr>
              <td colSpan={8} className="note">
                {t('attendance.none')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {page?.next_cursor && (
        <button
          type="button"
          className="button-ghost"
          disabled={loadingMore}
          onClick={() => void loadMore()}
          data-testid="attendance-more"
        >
          {t('attendance.more', { count: page.records.length })}
        </button>
      )}
      {manual?.kind === 'add' && (
        <AddRecordDialog
          timeZone={timeZone}
          today={today}
          initialDate={filter.to}
          onClose={() => setManual(null)}
          onDone={afterChange}
        />
      )}
      {manual?.kind === 'correct' && (
        <CorrectRecordDialog
          record={manual.record}
          timeZone={timeZone}
          onClose={() => setManual(null)}
          onDone={afterChange}
        />
      )}
      {manual?.kind === 'void' && (
        <VoidRecordDialog
          record={manual.record}
          timeZone={timeZone}
          onClose={() => setManual(null)}
          onDone={afterChange}
        />
      )}
    </div>
  );
}
