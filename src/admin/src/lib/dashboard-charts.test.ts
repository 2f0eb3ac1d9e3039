import { describe, expect, it } from 'vitest';
import type { DashboardView } from '../../../shared/hub-admin';
import { arrivalsChart, sitesChart, sitesChartHeight, trendChart } from './dashboard-charts';

function view(sites: number): DashboardView {
  const list = Array.from({ length: sites }, (_, i) => ({
    code: `S${i + 1}`,
    name: `Kantor ${i + 1}`,
    time_zone: 'Asia/Jakarta',
    expected: 200,
    present: 190 - i,
    late: 10,
    not_yet_in: 10 + i,
    on_leave: 0,
    schedule_start: '07:30',
  }));
  return {
    date: '2026-12-04',
    totals: { expected: 200 * sites, present: 0, late: 0, not_yet_in: 0, on_leave: 0 },
    sites: list,
    arrivals: [
      { start: '06:45', count: 120 },
      { start: '07:00', count: 300 },
      { start: '07:30', count: 40 },
    ],
    schedule_start: '07:30',
    late_trend: [
      { date: '2026-12-03', on_time: 180, late: 20 },
      { date: '2026-12-04', on_time: 150, late: 40 },
    ],
  };
}

type Series = { data: unknown[]; markLine?: { data: { xAxis: number }[] } };

describe('the dashboard charts', () => {
  it('marks the schedule start on the arrivals and says what they show, in both languages', () => {
    const id = arrivalsChart(view(3), 'id');
    const series = (id.option as { series: Series[] }).series[0];
    expect(series.markLine?.data[0].xAxis).toBe(7 * 60 + 30);
    expect(series.data).toHaveLength(3);
    expect(id.summary).toBe(
      '460 kedatangan pada Jumat, 4 Desember 2026. Paling ramai pukul 07.00–07.15. 40 orang datang pukul 07.30 atau sesudahnya.',
    );
    expect(arrivalsChart(view(3), 'en').summary).toBe(
      '460 arrivals on Friday, 4 December 2026. Busiest from 07:00 to 07:15. 40 people arrived at 07:30 or later.',
    );
  });

  it('draws one row per office, lowest attendance first, growing (and scrolling) with 50 offices', () => {
    const v = view(50);
    const chart = sitesChart(v, 'en');
    const axis = (chart.option as { yAxis: { data: string[] } }).yAxis.data;
    expect(axis).toHaveLength(50);
    expect(axis[0]).toBe('Kantor 50');
    expect(chart.summary).toBe('Bars for 50 offices. Lowest attendance: Kantor 50, 141 of 200.');
    expect(sitesChartHeight(50)).toBeGreaterThanOrEqual(50 * 24);
    expect(sitesChartHeight(1)).toBeLessThan(200);
  });

  it('stacks on time and late over the days and names the worst', () => {
    const chart = trendChart(view(1), 'id');
    expect((chart.option as { series: Series[] }).series.map((s) => s.data)).toEqual([
      [180, 150],
      [20, 40],
    ]);
    expect(chart.summary).toBe(
      '2 hari dengan kehadiran; 15% dari kedatangan terlambat. Paling banyak terlambat pada Jumat, 4 Desember 2026: 40 orang.',
    );
  });
});
