/**
 * The organisation's day at a glance: for a date (the hub's today unless chosen) and optionally one
 * office, the counts (expected, present, late, not yet in, on leave), three charts (arrivals per 15
 * minutes with the schedule's start marked; present against expected per office; on time against late
 * over 30 days) and a table per office with the same numbers to read or sort.
 *
 * Performance marks for the benchmark (bench/console.bench.ts): `hadir:dashboard:data` when the hub's
 * answer has arrived, `hadir:dashboard:rendered` once the charts have drawn it and the table is on
 * screen, and the measure `hadir:dashboard:render` between the two.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DashboardCounts, DashboardView, SiteList } from '../../../shared/hub-admin';
import { api, withQuery } from '../api';
import { DateField } from '../components/DateField';
import { useApi } from '../components/useApi';
import { type Lang, useLang, useT, useTPlural } from '../i18n';
import { arrivalsChart, sitesChart, sitesChartHeight, trendChart } from '../lib/dashboard-charts';
import { errorText } from '../lib/errors';
import { formatClock, formatDay, formatNumber, formatPercent, shiftDay } from '../lib/format';
import { Chart } from '../shell/Chart';

const REFRESH_MS = 60_000;

/** The hub's answers whose drawing has been measured (a language switch redraws without new data). */
const measured = new WeakSet<DashboardView>();

export function DashboardScreen(): React.JSX.Element {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const siteId = useId();
  /** null: the hub's today (it knows the offices' time zone). */
  const [date, setDate] = useState<string | null>(null);
  const [site, setSite] = useState('');
  const sites = useApi<SiteList>('/api/v1/hub/sites');
  const siteList = sites.data?.sites ?? [];
  const onlyOne = siteList.length === 1;
  const [state, setState] = useState<{ view: DashboardView | null; error: unknown; loading: boolean }>({
    view: null,
    error: null,
    loading: true,
  });
  const [round, setRound] = useState(0);

  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<DashboardView>('GET', withQuery('/api/v1/hub/dashboard', { date, site })).then(
      (view) => {
        if (!live) return;
        performance.mark('hadir:dashboard:data');
        setState({ view, error: null, loading: false });
      },
      (error: unknown) => live && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [date, site, round]);

  // Today's numbers change as people arrive: asked again every minute while the page is in view.
  useEffect(() => {
    if (date !== null) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') setRound((r) => r + 1);
    }, REFRESH_MS);
    return () => clearInterval(id);
  }, [date]);

  const view = state.view;
  const shownDate = date ?? view?.date ?? '';
  const today = useRef<string | null>(null);
  if (date === null && view) today.current = view.date;

  return (
    <section className="screen dashboard" aria-labelledby="dash-title" data-testid="screen-dashboard">
      <header className="screen-header">
        <div>
          <h1 id="dash-title">{t('dash.title')}</h1>
          <p className="note" data-testid="dash-date-long">
            {shownDate ? formatDay(shownDate, lang, 'long') : '\u00a0'}
          </p>
        </div>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('dash.filters')}>
          {/* Empty until the hub has said which day is today (it knows the offices' time zone). */}
          <DateField
            label={t('dash.date')}
            value={shownDate}
            max={today.current ?? undefined}
            required
            onChange={(v) => setDate(v === today.current ? null : v)}
            testId="dash-date"
          >
            <button
              type="button"
              className="button-ghost button-icon"
              aria-label={t('dash.prevDay')}
              title={t('dash.prevDay')}
              disabled={!shownDate}
              onClick={() => setDate(shiftDay(shownDate, -1))}
            >
              ‹
            </button>
            <button
              type="button"
              className="button-ghost button-icon"
              aria-label={t('dash.nextDay')}
              title={t('dash.nextDay')}
              disabled={!shownDate || date === null}
              onClick={() => {
                const next = shiftDay(shownDate, 1);
                setDate(next === today.current ? null : next);
              }}
            >
              ›
            </button>
            <button type="button" className="button-ghost" disabled={date === null} onClick={() => setDate(null)}>
              {t('dash.today')}
            </button>
          </DateField>
          <div className="field">
            <label htmlFor={siteId}>{t('dash.site')}</label>
            <select id={siteId} value={site} onChange={(e) => setSite(e.target.value)} data-testid="dash-site">
              {onlyOne ? null : <option value="">{t('dash.allSites')}</option>}
              {siteList.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.name} ({s.code})
                </option>
              ))}
            </select>
          </div>
        </form>
      </header>
      {state.error ? (
        <div className="error" role="alert">
          <p>{errorText(state.error, lang)}</p>
          <button type="button" onClick={() => setRound((r) => r + 1)}>
            {t('common.retry')}
          </button>
        </div>
      ) : null}
      {view ? (
        <DashboardBody view={view} lang={lang} busy={state.loading} />
      ) : state.loading ? (
        <p className="note" role="status">
          {t('common.loading')}
        </p>
      ) : null}
    </section>
  );
}

function DashboardBody({ view, lang, busy }: { view: DashboardView; lang: Lang; busy: boolean }): React.JSX.Element {
  const t = useT();
  const arrivals = useMemo(() => arrivalsChart(view, lang), [view, lang]);
  const perSite = useMemo(() => sitesChart(view, lang), [view, lang]);
  const trend = useMemo(() => trendChart(view, lang), [view, lang]);

  // Three charts and the table: the dashboard is "rendered" when the three have drawn (the table is in
  // the same commit as the charts, which draw after it). Measured once per answer of the hub.
  const pending = useMemo(() => new Set(['arrivals', 'sites', 'trend']), [view, lang]);
  const [rendered, setRendered] = useState<{ view: DashboardView; lang: Lang } | null>(null);
  const drawn = useCallback(
    (which: string) => {
      if (!pending.delete(which) || pending.size > 0) return;
      if (!measured.has(view)) {
        measured.add(view);
        performance.mark('hadir:dashboard:rendered');
        performance.measure('hadir:dashboard:render', 'hadir:dashboard:data', 'hadir:dashboard:rendered');
      }
      setRendered({ view, lang });
    },
    [pending, view, lang],
  );
  const height = sitesChartHeight(view.sites.length);
  const scrolls = height > 420;

  return (
    <div
      aria-busy={busy}
      data-testid="dash-body"
      data-rendered={rendered?.view === view && rendered.lang === lang ? 'true' : 'false'}
    >
      <Counters totals={view.totals} lang={lang} />
      <div className="chart-grid">
        <figure className="panel chart-panel">
          <figcaption>{arrivals.title}</figcaption>
          <Chart
            option={arrivals.option}
            label={arrivals.summary}
            height={280}
            testId="chart-arrivals"
            onRendered={() => drawn('arrivals')}
          />
        </figure>
        <figure className="panel chart-panel">
          <figcaption>{trend.title}</figcaption>
          <Chart
            option={trend.option}
            label={trend.summary}
            height={280}
            testId="chart-trend"
            onRendered={() => drawn('trend')}
          />
        </figure>
        <figure className="panel chart-panel chart-wide">
          <figcaption>
            {perSite.title}
            <span className="note caption-note">{t('dash.sites.order')}</span>
          </figcaption>
          <div
            className={scrolls ? 'chart-scroll' : undefined}
            tabIndex={scrolls ? 0 : undefined}
            role={scrolls ? 'region' : undefined}
            aria-label={scrolls ? perSite.title : undefined}
          >
            <Chart
              option={perSite.option}
              label={perSite.summary}
              height={height}
              testId="chart-sites"
              onRendered={() => drawn('sites')}
            />
          </div>
        </figure>
      </div>
      <SiteTable view={view} lang={lang} />
    </div>
  );
}

const COUNTERS: { key: keyof DashboardCounts; label: string; tone: string }[] = [
  { key: 'expected', label: 'dash.count.expected', tone: 'neutral' },
  { key: 'present', label: 'dash.count.present', tone: 'ok' },
  { key: 'late', label: 'dash.count.late', tone: 'warn' },
  { key: 'not_yet_in', label: 'dash.count.notYetIn', tone: 'bad' },
  { key: 'on_leave', label: 'dash.count.onLeave', tone: 'info' },
];

function Counters({ totals, lang }: { totals: DashboardCounts; lang: Lang }): React.JSX.Element {
  const t = useT();
  const note = (key: keyof DashboardCounts): string => {
    switch (key) {
      case 'present':
        return t('dash.count.ofExpected', { share: formatPercent(totals.present, totals.expected, lang) });
      case 'late':
        return t('dash.count.ofPresent', { share: formatPercent(totals.late, totals.present, lang) });
      case 'not_yet_in':
        return t('dash.count.ofExpected', { share: formatPercent(totals.not_yet_in, totals.expected, lang) });
      case 'on_leave':
        return t('dash.count.leaveNote');
      default:
        return t('dash.count.expectedNote');
    }
  };
  return (
    <ul className="counters" aria-label={t('dash.counters')} data-testid="counters">
      {COUNTERS.map((c) => (
        <li key={c.key} className={`counter counter-${c.tone}`} data-testid={`count-${c.key}`}>
          <span className="counter-label">{t(c.label)}</span>
          <span className="counter-value" data-value={totals[c.key]}>
            {formatNumber(totals[c.key], lang)}
          </span>
          <span className="counter-note">{note(c.key)}</span>
        </li>
      ))}
    </ul>
  );
}

type SortKey = 'name' | 'expected' | 'present' | 'share' | 'late' | 'not_yet_in' | 'on_leave' | 'schedule_start';

function SiteTable({ view, lang }: { view: DashboardView; lang: Lang }): React.JSX.Element {
  const t = useT();
  const tp = useTPlural();
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: 'name', up: true });
  const rows = useMemo(() => {
    const value = (s: DashboardView['sites'][number]): number | string =>
      sort.key === 'name'
        ? s.name
        : sort.key === 'share'
          ? s.expected > 0
            ? s.present / s.expected
            : -1
          : sort.key === 'schedule_start'
            ? (s.schedule_start ?? '')
            : s[sort.key];
    return [...view.sites].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
      return (sort.up ? c : -c) || a.code.localeCompare(b.code);
    });
  }, [view.sites, sort]);

  const header = (key: SortKey, label: string, numeric = true) => {
    const on = sort.key === key;
    return (
      <th
        scope="col"
        className={numeric ? 'num' : undefined}
        aria-sort={on ? (sort.up ? 'ascending' : 'descending') : undefined}
      >
        <button
          type="button"
          className="sort"
          onClick={() => setSort({ key, up: on ? !sort.up : key === 'name' || key === 'schedule_start' })}
        >
          {label}
          <span aria-hidden="true" className="sort-mark">
            {on ? (sort.up ? '▲' : '▼') : ''}
          </span>
        </button>
      </th>
    );
  };
  const n = (v: number) => formatNumber(v, lang);
  return (
    <section className="panel" aria-labelledby="dash-table-title">
      <h2 id="dash-table-title">{t('dash.table.title')}</h2>
      <div className="table-wrap">
        <table className="table" data-testid="dash-sites-table">
          <caption className="visually-hidden">
            {tp('dash.table.caption', view.sites.length, { date: formatDay(view.date, lang, 'long') })}
          </caption>
          <thead>
            <tr>
              {header('name', t('dash.table.site'), false)}
              {header('expected', t('dash.count.expected'))}
              {header('present', t('dash.count.present'))}
              {header('share', t('dash.table.share'))}
              {header('late', t('dash.count.late'))}
              {header('not_yet_in', t('dash.count.notYetIn'))}
              {header('on_leave', t('dash.count.onLeave'))}
              {header('schedule_start', t('dash.table.start'))}
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.code} data-site={s.code}>
                <th scope="row" className="site-cell">
                  <span className="site-name">{s.name}</span> <span className="code">{s.code}</span>
                </th>
                <td className="num">{n(s.expected)}</td>
                <td className="num">{n(s.present)}</td>
                <td className="num">{formatPercent(s.present, s.expected, lang)}</td>
                <td className="num">{n(s.late)}</td>
                <td className="num">{n(s.not_yet_in)}</td>
                <td className="num">{n(s.on_leave)}</td>
                <td className="num">{s.schedule_start ? formatClock(s.schedule_start, lang) : '–'}</td>
              </tr>
            ))}
          </tbody>
          {view.sites.length > 1 ? (
            <tfoot>
              <tr>
                <th scope="row">{t('dash.table.total')}</th>
                <td className="num">{n(view.totals.expected)}</td>
                <td className="num">{n(view.totals.present)}</td>
                <td className="num">{formatPercent(view.totals.present, view.totals.expected, lang)}</td>
                <td className="num">{n(view.totals.late)}</td>
                <td className="num">{n(view.totals.not_yet_in)}</td>
                <td className="num">{n(view.totals.on_leave)}</td>
                <td className="num">{view.schedule_start ? formatClock(view.schedule_start, lang) : '–'}</td>
              </tr>
            </tfoot>
          ) : null}
        </table>
      </div>
    </section>
  );
}
