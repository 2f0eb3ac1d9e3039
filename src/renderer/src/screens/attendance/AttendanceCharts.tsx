import { useEffect, useMemo, useRef } from 'react';
import type { AttendanceStats } from '../../../../shared/attendance';
import type { Language } from '../../../../shared/contract';
import { formatLocalDate, formatTimeOfDay } from '../../lib/dates';
import { CHART_COLORS, chartLocale, echarts } from '../../lib/echarts';
import { useLanguage, useT, useTPlural, type Translate, type TranslatePlural } from '../../state/language';

type ChartOption = Parameters<echarts.ECharts['setOption']>[0];

/**
 * The day's arrivals per 15 minutes with the on-time limit marked, and on time vs late over the
 * range (30 days): two pictures of what the table lists, drawn from the server's counts. Each has a
 * sentence for screen readers saying what it shows (its `aria-label`), and localised axes and tooltips.
 */
export function AttendanceCharts({ stats }: { stats: AttendanceStats }): React.JSX.Element {
  const t = useT();
  const tp = useTPlural();
  const language = useLanguage((s) => s.language);
  const arrivals = useMemo(() => arrivalsView(stats, language, t, tp), [stats, language, t, tp]);
  const trend = useMemo(() => trendView(stats, language, t, tp), [stats, language, t, tp]);
  return (
    <section className="charts" data-testid="attendance-charts">
      <figure className="chart-panel">
        <figcaption>{arrivals.title}</figcaption>
        <Chart option={arrivals.option} label={arrivals.summary} language={language} testId="chart-arrivals" />
      </figure>
      <figure className="chart-panel">
        <figcaption>{trend.title}</figcaption>
        <Chart option={trend.option} label={trend.summary} language={language} testId="chart-trend" />
      </figure>
    </section>
  );
}

function Chart({
  option,
  label,
  language,
  testId,
}: {
  option: ChartOption;
  label: string;
  language: Language;
  testId: string;
}): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  // The locale is fixed when a chart is made: a new language makes a new chart.
  useEffect(() => {
    const el = ref.current!;
    const c = echarts.init(el, null, { locale: chartLocale(language), renderer: 'canvas' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [language]);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option, language]);

  return <div ref={ref} className="chart" role="img" aria-label={label} data-testid={testId} data-summary={label} />;
}

const TEXT = { color: CHART_COLORS.muted, fontSize: 12 };

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function arrivalsView(
  stats: AttendanceStats,
  language: Language,
  t: Translate,
  tp: TranslatePlural,
): { title: string; summary: string; option: ChartOption } {
  const { arrivals } = stats;
  const date = formatLocalDate(arrivals.date, language, 'long');
  const time = (minutes: number) => formatTimeOfDay(hhmm(minutes), language);
  const step = arrivals.bin_minutes;
  const limit = arrivals.on_time_until ? minutesOf(arrivals.on_time_until) : null;
  const total = arrivals.bins.reduce((n, b) => n + b.count, 0);
  const day = stats.days.find((d) => d.date === arrivals.date);

  const sentences: string[] = [];
  if (total === 0) sentences.push(t('attendance.charts.arrivals.none', { date }));
  else {
    sentences.push(tp('attendance.charts.arrivals.total', total, { date }));
    const peak = arrivals.bins.reduce((a, b) => (b.count > a.count ? b : a));
    const from = minutesOf(peak.start);
    sentences.push(t('attendance.charts.arrivals.peak', { from: time(from), to: time(from + step) }));
    if (limit !== null && day) {
      sentences.push(tp('attendance.charts.arrivals.afterLimit', day.late, { time: time(limit) }));
    }
  }

  const first = arrivals.bins.length ? minutesOf(arrivals.bins[0].start) : 6 * 60;
  const last = arrivals.bins.length ? minutesOf(arrivals.bins[arrivals.bins.length - 1].start) + step : 10 * 60;
  const option: ChartOption = {
    animation: false,
    grid: { left: 44, right: 16, top: 40, bottom: 32 },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const [center, count] = (p as { value: [number, number] }).value;
        const from = center - step / 2;
        return `${time(from)}–${time(from + step)}<br/><b>${tp('attendance.charts.people', count)}</b>`;
      },
    },
    xAxis: {
      type: 'value',
      min: first,
      max: last,
      interval: last - first > 6 * 60 ? 120 : last - first > 3 * 60 ? 60 : 30,
      axisLabel: { ...TEXT, formatter: (v: number) => time(v) },
      splitLine: { show: false },
      axisLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      name: t('attendance.charts.axis.people'),
      nameTextStyle: TEXT,
      axisLabel: TEXT,
      splitLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    series: [
      {
        type: 'bar',
        name: t('attendance.charts.arrivals.series'),
        barWidth: '88%',
        data: arrivals.bins.map((b) => {
          const start = minutesOf(b.start);
          const late = limit !== null && start >= limit;
          return {
            value: [start + step / 2, b.count],
            itemStyle: { color: late ? CHART_COLORS.warn : CHART_COLORS.accent },
          };
        }),
        markLine:
          limit === null
            ? undefined
            : {
                silent: true,
                symbol: 'none',
                lineStyle: { color: CHART_COLORS.bad, type: 'dashed', width: 2 },
                // Above the plot, level: a label along the line would lie over the busiest bars.
                label: {
                  position: 'end',
                  distance: 4,
                  color: CHART_COLORS.bad,
                  fontWeight: 'bold',
                  formatter: t('attendance.charts.arrivals.limit', { time: time(limit) }),
                },
                data: [{ xAxis: limit }],
              },
      },
    ],
  };
  return { title: t('attendance.charts.arrivals.title', { date }), summary: sentences.join(' '), option };
}

function trendView(
  stats: AttendanceStats,
  language: Language,
  t: Translate,
  tp: TranslatePlural,
): { title: string; summary: string; option: ChartOption } {
  const { days } = stats;
  const workdays = days.filter((d) => d.workday);
  const sentences: string[] = [];
  if (workdays.length === 0) sentences.push(t('attendance.charts.trend.noWorkdays'));
  else {
    const mean = (f: (d: (typeof days)[number]) => number) =>
      new Intl.NumberFormat(language === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 1 }).format(
        workdays.reduce((n, d) => n + f(d), 0) / workdays.length,
      );
    sentences.push(
      tp('attendance.charts.trend.summary', workdays.length, {
        onTime: mean((d) => d.on_time),
        late: mean((d) => d.late),
      }),
    );
    const worst = workdays.reduce((a, b) => (b.late > a.late ? b : a));
    if (worst.late > 0) {
      sentences.push(
        t('attendance.charts.trend.worst', { date: formatLocalDate(worst.date, language, 'long'), count: worst.late }),
      );
    }
  }
  const dayNote = (d: (typeof days)[number]): string =>
    d.holiday
      ? t('attendance.summary.holiday', { name: d.holiday })
      : !d.workday
        ? t('attendance.summary.notWorkday')
        : '';
  const option: ChartOption = {
    animation: false,
    color: [CHART_COLORS.ok, CHART_COLORS.warn],
    grid: { left: 44, right: 16, top: 36, bottom: 32 },
    legend: { top: 0, right: 8, textStyle: { color: CHART_COLORS.text, fontSize: 12 }, itemWidth: 14, itemHeight: 10 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const list = params as { dataIndex: number; seriesName: string; value: number; marker: string }[];
        const d = days[list[0].dataIndex];
        const note = dayNote(d);
        return [
          `<b>${formatLocalDate(d.date, language, 'table')}</b>`,
          ...(note ? [note] : []),
          ...list.map((p) => `${p.marker}${p.seriesName}: ${tp('attendance.charts.people', p.value)}`),
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      data: days.map((d) => d.date),
      axisLabel: { ...TEXT, formatter: (v: string) => formatLocalDate(v, language, 'short'), hideOverlap: true },
      axisTick: { alignWithLabel: true },
      axisLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      name: t('attendance.charts.axis.people'),
      nameTextStyle: TEXT,
      axisLabel: TEXT,
      splitLine: { lineStyle: { color: CHART_COLORS.line } },
    },
    series: [
      {
        type: 'bar',
        stack: 'people',
        name: t('attendance.charts.onTime'),
        barCategoryGap: '30%',
        data: days.map((d) => d.on_time),
      },
      { type: 'bar', stack: 'people', name: t('attendance.late'), data: days.map((d) => d.late) },
    ],
  };
  return {
    title: t('attendance.charts.trend.title', {
      from: formatLocalDate(stats.from, language, 'short'),
      to: formatLocalDate(stats.to, language, 'short'),
    }),
    summary: sentences.join(' '),
    option,
  };
}
