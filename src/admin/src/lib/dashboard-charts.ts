/**
 * The dashboard's three pictures as ECharts options, with the sentence that says what each shows (the
 * chart's accessible name): arrivals per 15 minutes with the schedule's start marked, present against
 * expected per office (horizontal bars, one row per office, so 50 offices stay legible: the list
 * scrolls rather than squeezing), and on time against late over 30 days. Pure functions of the hub's
 * answer and the language: no DOM, so they are cheap to test.
 */
import type { DashboardView } from '../../../shared/hub-admin';
import { CHART_COLORS } from '../../../renderer/src/lib/echarts';
import type { ChartOption } from '../shell/Chart';
import { type Lang, translate, translatePlural } from '../i18n';
import { formatClock, formatDay, formatNumber, formatPercent, hhmm, minutesOf } from './format';

export interface ChartView {
  title: string;
  summary: string;
  option: ChartOption;
}

const TEXT = { color: CHART_COLORS.muted, fontSize: 12 };
/** Colours with at least 3:1 against white for marks, as WCAG asks of graphics. */
const COLORS = {
  onTime: CHART_COLORS.accent,
  late: '#b26a00',
  expected: '#d5dbe3',
  expectedEdge: '#7d8998',
  mark: CHART_COLORS.bad,
};
const STEP = 15;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function arrivalsChart(view: DashboardView, lang: Lang): ChartView {
  const t = (k: string, v?: Record<string, string | number>) => translate(lang, k, v);
  const tp = (k: string, n: number, v?: Record<string, string | number>) => translatePlural(lang, k, n, v);
  const time = (m: number) => formatClock(hhmm(m), lang);
  const day = formatDay(view.date, lang, 'long');
  const start = view.schedule_start ? minutesOf(view.schedule_start) : null;
  const bins = view.arrivals.map((a) => ({ at: minutesOf(a.start), count: a.count }));
  const total = bins.reduce((n, b) => n + b.count, 0);

  const sentences: string[] = [];
  if (total === 0) sentences.push(t('dash.arrivals.none', { date: day }));
  else {
    sentences.push(tp('dash.arrivals.total', total, { date: day }));
    const peak = bins.reduce((a, b) => (b.count > a.count ? b : a));
    sentences.push(t('dash.arrivals.peak', { from: time(peak.at), to: time(peak.at + STEP) }));
    if (start !== null) {
      const after = bins.filter((b) => b.at >= start).reduce((n, b) => n + b.count, 0);
      sentences.push(tp('dash.arrivals.after', after, { time: time(start) }));
    }
  }

  // The window: the arrivals, and the schedule's start with an hour either side.
  let lo = bins.length ? bins[0].at : 6 * 60;
  let hi = bins.length ? bins[bins.length - 1].at + STEP : 10 * 60;
  if (start !== null) {
    lo = Math.min(lo, start - 60);
    hi = Math.max(hi, start + 60);
  }
  lo = Math.max(0, Math.floor(lo / 60) * 60);
  hi = Math.min(24 * 60, Math.ceil(hi / 60) * 60);
  const span = hi - lo;

  const option: ChartOption = {
    animation: false,
    grid: { left: 48, right: 20, top: 44, bottom: 32 },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const [center, count] = (p as { value: [number, number] }).value;
        const from = center - STEP / 2;
        return `${time(from)}–${time(from + STEP)}<br/><b>${esc(tp('dash.people', count))}</b>`;
      },
    },
    xAxis: {
      type: 'value',
      min: lo,
      max: hi,
      interval: span > 8 * 60 ? 120 : span > 4 * 60 ? 60 : 30,
      axisLabel: { ...TEXT, formatter: (v: number) => time(v), hideOverlap: true },
      splitLine: { show: false },
      axisLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      name: t('dash.axis.people'),
      nameTextStyle: { ...TEXT, align: 'left' },
      axisLabel: { ...TEXT, formatter: (v: number) => formatNumber(v, lang) },
      splitLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    series: [
      {
        type: 'bar',
        name: t('dash.arrivals.series'),
        barWidth: `${Math.max(40, Math.min(90, Math.round((STEP / span) * 100 * 0.9 * 10)))}%`,
        data: bins.map((b) => ({
          value: [b.at + STEP / 2, b.count],
          itemStyle: { color: start !== null && b.at >= start ? COLORS.late : COLORS.onTime },
        })),
        markLine:
          start === null
            ? undefined
            : {
                silent: true,
                symbol: 'none',
                lineStyle: { color: COLORS.mark, type: 'dashed', width: 2 },
                label: {
                  position: 'end',
                  distance: 4,
                  color: COLORS.mark,
                  fontWeight: 'bold',
                  formatter: t('dash.arrivals.mark', { time: time(start) }),
                },
                data: [{ xAxis: start }],
              },
      },
    ],
  };
  return { title: t('dash.arrivals.title'), summary: sentences.join(' '), option };
}

/** Row height of the per-office bars, in pixels: the chart grows with the offices and its box scrolls. */
export const SITE_ROW_PX = 26;

export function sitesChartHeight(sites: number): number {
  return Math.max(110, 56 + sites * SITE_ROW_PX);
}

export function sitesChart(view: DashboardView, lang: Lang): ChartView {
  const t = (k: string, v?: Record<string, string | number>) => translate(lang, k, v);
  const tp = (k: string, n: number, v?: Record<string, string | number>) => translatePlural(lang, k, n, v);
  const share = (s: { present: number; expected: number }) => (s.expected > 0 ? s.present / s.expected : 1);
  // The offices with the most people missing first: what someone looks at this chart to find.
  const rows = [...view.sites].sort((a, b) => share(a) - share(b) || a.name.localeCompare(b.name));

  const sentences: string[] = [];
  if (rows.length === 0) sentences.push(t('dash.sites.none'));
  else {
    sentences.push(tp('dash.sites.summary', rows.length));
    const lowest = rows[0];
    sentences.push(
      t('dash.sites.lowest', {
        site: lowest.name,
        present: formatNumber(lowest.present, lang),
        expected: formatNumber(lowest.expected, lang),
      }),
    );
  }

  const option: ChartOption = {
    animation: false,
    grid: { left: 8, right: 130, top: 32, bottom: 8, containLabel: true },
    legend: {
      top: 0,
      left: 0,
      textStyle: { color: CHART_COLORS.text, fontSize: 12 },
      itemWidth: 14,
      itemHeight: 10,
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const i = (params as { dataIndex: number }[])[0].dataIndex;
        const s = rows[i];
        return [
          `<b>${esc(s.name)}</b> (${esc(s.code)})`,
          `${esc(t('dash.count.present'))}: ${formatNumber(s.present, lang)} / ${formatNumber(s.expected, lang)} (${formatPercent(s.present, s.expected, lang)})`,
          `${esc(t('dash.count.late'))}: ${formatNumber(s.late, lang)}`,
          `${esc(t('dash.count.notYetIn'))}: ${formatNumber(s.not_yet_in, lang)}`,
          `${esc(t('dash.count.onLeave'))}: ${formatNumber(s.on_leave, lang)}`,
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'value',
      position: 'top',
      minInterval: 1,
      axisLabel: { ...TEXT, formatter: (v: number) => formatNumber(v, lang) },
      splitLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((s) => s.name),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: CHART_COLORS.line } },
      axisLabel: { color: CHART_COLORS.text, fontSize: 12, width: 180, overflow: 'truncate', interval: 0 },
    },
    series: [
      {
        type: 'bar',
        name: t('dash.count.expected'),
        data: rows.map((s) => s.expected),
        // A light fill with an edge of 3:1 against white: the bar is seen, the present bar stands out.
        itemStyle: { color: COLORS.expected, borderColor: COLORS.expectedEdge, borderWidth: 1 },
        barWidth: 16,
        silent: true,
        // After the (longer) expected bar: "412 / 450 · 92%" (the axis scrolls away with 50 offices).
        label: {
          show: true,
          position: 'right',
          color: CHART_COLORS.text,
          fontSize: 12,
          formatter: (p: unknown) => {
            const s = rows[(p as { dataIndex: number }).dataIndex];
            return `${formatNumber(s.present, lang)} / ${formatNumber(s.expected, lang)} · ${formatPercent(s.present, s.expected, lang)}`;
          },
        },
      },
      {
        type: 'bar',
        name: t('dash.count.present'),
        data: rows.map((s) => s.present),
        itemStyle: { color: COLORS.onTime },
        barWidth: 16,
        // Drawn over the expected bar: what is missing is the grey beyond it.
        barGap: '-100%',
      },
    ],
  };
  return { title: t('dash.sites.title'), summary: sentences.join(' '), option };
}

export function trendChart(view: DashboardView, lang: Lang): ChartView {
  const t = (k: string, v?: Record<string, string | number>) => translate(lang, k, v);
  const tp = (k: string, n: number, v?: Record<string, string | number>) => translatePlural(lang, k, n, v);
  const days = view.late_trend;
  const withPeople = days.filter((d) => d.on_time + d.late > 0);
  const sentences: string[] = [];
  if (withPeople.length === 0) sentences.push(t('dash.trend.none'));
  else {
    const late = withPeople.reduce((n, d) => n + d.late, 0);
    const all = withPeople.reduce((n, d) => n + d.on_time + d.late, 0);
    sentences.push(tp('dash.trend.summary', withPeople.length, { share: formatPercent(late, all, lang) }));
    const worst = withPeople.reduce((a, b) => (b.late > a.late ? b : a));
    if (worst.late > 0) {
      sentences.push(tp('dash.trend.worst', worst.late, { date: formatDay(worst.date, lang, 'long') }));
    }
  }
  const first = days[0]?.date ?? view.date;
  const option: ChartOption = {
    animation: false,
    color: [COLORS.onTime, COLORS.late],
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    legend: {
      top: 0,
      right: 8,
      textStyle: { color: CHART_COLORS.text, fontSize: 12 },
      itemWidth: 14,
      itemHeight: 10,
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const list = params as { dataIndex: number; seriesName: string; value: number; marker: string }[];
        const d = days[list[0].dataIndex];
        return [
          `<b>${esc(formatDay(d.date, lang, 'table'))}</b>`,
          ...list.map((p) => `${p.marker}${esc(p.seriesName)}: ${esc(tp('dash.people', p.value))}`),
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      data: days.map((d) => d.date),
      axisLabel: { ...TEXT, formatter: (v: string) => formatDay(v, lang, 'short'), hideOverlap: true },
      axisTick: { alignWithLabel: true },
      axisLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      name: t('dash.axis.people'),
      nameTextStyle: { ...TEXT, align: 'left' },
      axisLabel: { ...TEXT, formatter: (v: number) => formatNumber(v, lang) },
      splitLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    series: [
      {
        type: 'bar',
        stack: 'present',
        name: t('dash.trend.onTime'),
        barCategoryGap: '30%',
        data: days.map((d) => d.on_time),
      },
      { type: 'bar', stack: 'present', name: t('dash.trend.late'), data: days.map((d) => d.late) },
    ],
  };
  return {
    title: t('dash.trend.title', {
      from: formatDay(first, lang, 'short'),
      to: formatDay(view.date, lang, 'short'),
    }),
    summary: sentences.join(' '),
    option,
  };
}
