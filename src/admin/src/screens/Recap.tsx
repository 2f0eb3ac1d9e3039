/**
 * The monthly recap, what the personnel office hands to payroll: per person the days present, late
 * (with the minutes), early departures, missing check-outs, absences without leave and leave by kind,
 * with totals, as the hub computes it (GET /api/v1/recap), on screen and as XLSX.
 */
import { useEffect, useMemo, useState } from 'react';
import { LEAVE_KINDS, type RecapRow, type RecapView } from '../../../shared/hub-admin';
import { withQuery } from '../api';
import { type Lang, translate, translatePlural, useLang, useT } from '../i18n';
import { ErrorNote } from '../components/ErrorNote';
import { SiteSelect, UnitInput } from '../components/Filters';
import { useFormat } from '../components/format';
import { MonthField } from '../components/MonthField';
import { Pager } from '../components/Pager';
import { useApi, useDebounced } from '../components/useApi';
import { formatNumber, todayLocal } from '../lib/format';
import './records.css';

const PAGE_SIZE = 50;
type Counted = Omit<RecapRow, 'employee_number' | 'name' | 'unit' | 'site' | 'leave_days'>;

function totalsOf(rows: readonly RecapRow[]): Counted & { leave_days: Record<string, number> } {
  const z = {
    workdays: 0,
    days_present: 0,
    days_late: 0,
    late_minutes: 0,
    early_departures: 0,
    early_minutes: 0,
    missing_checkouts: 0,
    absent_days: 0,
    leave_days: Object.fromEntries(LEAVE_KINDS.map((k) => [k, 0])) as Record<string, number>,
  };
  for (const r of rows) {
    z.workdays += r.workdays;
    z.days_present += r.days_present;
    z.days_late += r.days_late;
    z.late_minutes += r.late_minutes;
    z.early_departures += r.early_departures;
    z.early_minutes += r.early_minutes;
    z.missing_checkouts += r.missing_checkouts;
    z.absent_days += r.absent_days;
    for (const k of LEAVE_KINDS) z.leave_days[k] += r.leave_days?.[k] ?? 0;
  }
  return z;
}

/** "3 hari, 47 menit" / "3 days, 47 min"; nothing late: "0". */
export function daysAndMinutes(days: number, minutes: number, lang: Lang): string {
  if (days === 0 && minutes === 0) return formatNumber(0, lang);
  return translate(lang, 'recap.days_minutes', {
    days: translatePlural(lang, 'recap.days', days),
    minutes: translatePlural(lang, 'recap.minutes', minutes),
  });
}

export function RecapScreen() {
  const t = useT();
  const f = useFormat();
  const lang = useLang((s) => s.lang);
  const [month, setMonth] = useState(todayLocal().slice(0, 7));
  const [site, setSite] = useState('');
  const [unit, setUnit] = useState('');
  const [page, setPage] = useState(1);
  const unitQ = useDebounced(unit.trim(), 300);
  const valid = /^\d{4}-\d{2}$/.test(month);
  const q = { month, site, unit: unitQ };
  const recap = useApi<RecapView>(valid ? withQuery('/api/v1/recap', q) : null);
  useEffect(() => setPage(1), [month, site, unitQ]);
  const rows = useMemo(() => (valid ? (recap.data?.people ?? []) : []), [recap.data, valid]);
  const totals = useMemo(() => totalsOf(rows), [rows]);
  // The hub answers the month in one piece; the page shows 50 rows of it at a time.
  const shown = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const num = (n: number) => (n === 0 ? <span className="muted">{f.number(0)}</span> : f.number(n));
  // "2 hari, 169 menit": wraps after the comma only when the column must be narrow.
  const dm = (days: number, minutes: number) =>
    days === 0 && minutes === 0 ? (
      num(0)
    ) : (
      <span className="rc-dm">
        {daysAndMinutes(days, minutes, lang)
          .split(', ')
          .map((part, i, all) => (
            <span key={i}>
              {part}
              {i < all.length - 1 ? ', ' : ''}
            </span>
          ))}
      </span>
    );

  return (
    <section className="screen rc-screen" aria-labelledby="recap-title">
      <header className="screen-header">
        <h1 id="recap-title">{t('recap.title')}</h1>
        <p className="note">{t('recap.lead')}</p>
      </header>
      <form className="filters panel" onSubmit={(e) => e.preventDefault()} aria-label={t('rec.filters')}>
        <MonthField label={t('recap.month')} value={month} onChange={setMonth} testId="recap-month" />
        <SiteSelect value={site} onChange={setSite} />
        <UnitInput value={unit} onChange={setUnit} />
      </form>
      <div className="rc-exports" role="group" aria-label={t('recap.download')}>
        <span className="rc-exports-label">{valid ? f.month(month) : ''}</span>
        {valid ? (
          <a
            className="button-ghost button-small"
            href={withQuery('/api/v1/recap', { ...q, format: 'xlsx', lang })}
            download
            data-testid="recap-xlsx"
          >
            {t('recap.download_xlsx')}
          </a>
        ) : null}
      </div>
      <ErrorNote error={valid ? recap.error : null} context="recap" />
      {recap.data && valid ? (
        <Pager
          page={page}
          pageSize={PAGE_SIZE}
          total={rows.length}
          onPage={setPage}
          label={t('recap.pages')}
          busy={recap.loading}
        />
      ) : null}
      <div className="panel table-wrap rc-table-wrap">
        <table className="table rc-table rc-recap" aria-busy={recap.loading} data-testid="recap-table">
          <caption className="visually-hidden">{t('recap.caption', { month: valid ? f.month(month) : month })}</caption>
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                {t('recap.col.person')}
              </th>
              <th scope="col" rowSpan={2} className="num">
                {t('recap.col.workdays')}
              </th>
              <th scope="col" rowSpan={2} className="num">
                {t('recap.col.present')}
              </th>
              <th scope="col" rowSpan={2} className="num">
                {t('recap.col.late')}
              </th>
              <th scope="col" rowSpan={2} className="num">
                {t('recap.col.early')}
              </th>
              <th scope="col" rowSpan={2} className="num">
                {t('recap.col.missing_out')}
              </th>
              <th scope="col" rowSpan={2} className="num">
                {t('recap.col.absent')}
              </th>
              <th scope="colgroup" colSpan={LEAVE_KINDS.length} className="rc-group">
                {t('recap.col.leave')}
              </th>
            </tr>
            <tr>
              {LEAVE_KINDS.map((k) => (
                <th scope="col" key={k} className="num">
                  <abbr title={t(`leave.kind.${k}`)}>{t(`recap.kind.${k}`)}</abbr>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.employee_number} data-nip={r.employee_number}>
                <th scope="row" className="rc-name">
                  {r.name}
                  <span className="rc-sub mono">{r.employee_number}</span>
                  <span className="rc-sub">
                    {r.unit ?? t('rec.none')} · {r.site}
                  </span>
                </th>
                <td className="num" data-col="workdays">
                  {num(r.workdays)}
                </td>
                <td className="num" data-col="days_present">
                  {num(r.days_present)}
                </td>
                <td className="num" data-col="late">
                  {dm(r.days_late, r.late_minutes)}
                </td>
                <td className="num" data-col="early">
                  {dm(r.early_departures, r.early_minutes)}
                </td>
                <td className="num" data-col="missing_checkouts">
                  {num(r.missing_checkouts)}
                </td>
                <td className="num" data-col="absent_days">
                  {num(r.absent_days)}
                </td>
                {LEAVE_KINDS.map((k) => (
                  <td className="num" key={k} data-col={`leave_${k}`}>
                    {num(r.leave_days?.[k] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {rows.length ? (
            <tfoot>
              <tr data-testid="recap-totals">
                <th scope="row">{t('recap.totals', { n: f.number(rows.length) })}</th>
                <td className="num">{f.number(totals.workdays)}</td>
                <td className="num">{f.number(totals.days_present)}</td>
                <td className="num">{daysAndMinutes(totals.days_late, totals.late_minutes, lang)}</td>
                <td className="num">{daysAndMinutes(totals.early_departures, totals.early_minutes, lang)}</td>
                <td className="num">{f.number(totals.missing_checkouts)}</td>
                <td className="num">{f.number(totals.absent_days)}</td>
                {LEAVE_KINDS.map((k) => (
                  <td className="num" key={k}>
                    {f.number(totals.leave_days[k])}
                  </td>
                ))}
              </tr>
            </tfoot>
          ) : null}
        </table>
        {recap.data && valid && rows.length === 0 && !recap.loading ? (
          <p className="rc-empty" role="status">
            {t('recap.empty')}
          </p>
        ) : null}
        {!recap.data && recap.loading ? <p className="rc-empty">{t('common.loading')}</p> : null}
      </div>
      {rows.length > PAGE_SIZE ? (
        <Pager
          page={page}
          pageSize={PAGE_SIZE}
          total={rows.length}
          onPage={setPage}
          label={t('recap.pages_bottom')}
          busy={recap.loading}
        />
      ) : null}
    </section>
  );
}
