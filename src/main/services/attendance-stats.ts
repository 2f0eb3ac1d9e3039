import type { ArrivalsHistogram } from '../../shared/attendance';
import { parseTimeOfDay } from '../../shared/local-time';
import type { DayWindows } from './schedule';

/** The arrivals chart's resolution. */
export const ARRIVAL_BIN_MINUTES = 15;

const BINS_PER_DAY = (24 * 60) / ARRIVAL_BIN_MINUTES;

/**
 * The arrivals histogram of a day from the store's sparse counts (bin index → check-ins): consecutive
 * bins covering the day's check-in window (when it has one) and every bin with a check-in outside it,
 * zeros in between, so the chart's axis is the window the office expects people in.
 */
export function arrivalsHistogram(
  date: string,
  counts: readonly { bin: number; count: number }[],
  windows: DayWindows | null,
): ArrivalsHistogram {
  const byBin = new Map<number, number>();
  for (const { bin, count } of counts) {
    const b = Math.min(BINS_PER_DAY - 1, Math.max(0, bin));
    byBin.set(b, (byBin.get(b) ?? 0) + count);
  }
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  if (windows) {
    first = Math.floor(parseTimeOfDay(windows.checkIn[0]) / ARRIVAL_BIN_MINUTES);
    last = Math.ceil(parseTimeOfDay(windows.checkIn[1]) / ARRIVAL_BIN_MINUTES) - 1;
  }
  for (const b of byBin.keys()) {
    first = Math.min(first, b);
    last = Math.max(last, b);
  }
  const bins: ArrivalsHistogram['bins'] = [];
  for (let b = first; b <= last; b++)
    bins.push({ start: minutesToHhmm(b * ARRIVAL_BIN_MINUTES), count: byBin.get(b) ?? 0 });
  return { date, bin_minutes: ARRIVAL_BIN_MINUTES, bins, on_time_until: windows?.onTimeUntil ?? null };
}

function minutesToHhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
