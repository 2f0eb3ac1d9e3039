import { describe, expect, it } from 'vitest';
import {
  dateInputExample,
  formatDateInput,
  formatDayTime,
  formatLocalDate,
  formatTimeOfDay,
  monthGrid,
  parseDateInput,
  shiftMonth,
} from './dates';

describe('dates as people write them', () => {
  it('reads day-first numbers, ISO, and month names of either language', () => {
    expect(parseDateInput('06/01/2025')).toBe('2025-01-06');
    expect(parseDateInput(' 6/1/2025 ')).toBe('2025-01-06');
    expect(parseDateInput('6-1-25')).toBe('2025-01-06');
    expect(parseDateInput('6.1.2025')).toBe('2025-01-06');
    expect(parseDateInput('2025-01-06')).toBe('2025-01-06');
    expect(parseDateInput('17 Agu 2025')).toBe('2025-08-17');
    expect(parseDateInput('17 Agustus 2025')).toBe('2025-08-17');
    expect(parseDateInput('17 Aug 2025')).toBe('2025-08-17');
    expect(parseDateInput('17 Sept 2025')).toBe('2025-09-17');
    expect(parseDateInput('1 Des 2025')).toBe('2025-12-01');
    expect(parseDateInput('1 Okt 2025')).toBe('2025-10-01');
    expect(parseDateInput('Aug 17, 2025')).toBe('2025-08-17');
  });

  it('refuses what is not a real date', () => {
    for (const bad of ['', '31/02/2025', '13/13/2025', '2025-02-30', 'kemarin', '6 Foo 2025', '06/01', '1/1/1800']) {
      expect(parseDateInput(bad), bad).toBeNull();
    }
  });

  it('shows a date day-first in Bahasa Indonesia and with the month’s name in English, and reads it back', () => {
    expect(formatDateInput('2025-01-06', 'id')).toBe('06/01/2025');
    expect(formatDateInput('2025-08-17', 'en')).toBe('17 Aug 2025');
    expect(dateInputExample('id')).toBe('17/08/2025');
    for (const iso of ['2025-01-06', '2024-02-29', '2025-09-30', '2025-12-31']) {
      for (const language of ['id', 'en'] as const) expect(parseDateInput(formatDateInput(iso, language))).toBe(iso);
    }
  });

  it('formats a table’s date in the interface language without shifting the day', () => {
    expect(formatLocalDate('2025-01-06', 'id')).toBe('Sen, 6 Jan 2025');
    expect(formatLocalDate('2025-01-06', 'en')).toBe('Mon, 6 Jan 2025');
    expect(formatLocalDate('2025-08-17', 'id', 'long')).toBe('Minggu, 17 Agustus 2025');
    expect(formatLocalDate('2025-08-17', 'en', 'short')).toBe('17 Aug');
  });

  it('writes times with a dot in Bahasa Indonesia and a colon in English, in the site’s zone', () => {
    expect(formatTimeOfDay('07:42', 'id')).toBe('07.42');
    expect(formatTimeOfDay('15:30', 'en')).toBe('15:30');
    // 00:42Z is 07:42 WIB and 09:42 WIT.
    expect(formatDayTime('2025-01-06T00:42:00.000Z', 'id', 'Asia/Jakarta')).toBe('07.42');
    expect(formatDayTime('2025-01-06T00:42:00.000Z', 'en', 'Asia/Jayapura')).toBe('09:42');
  });

  it('lays a month out in weeks from Monday and moves by months without overflowing', () => {
    const jan = monthGrid(2025, 1);
    expect(jan[0]).toEqual([null, null, '2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05']);
    expect(jan.flat().filter(Boolean)).toHaveLength(31);
    expect(shiftMonth('2025-01-31', 1)).toBe('2025-02-28');
    expect(shiftMonth('2025-01-15', -1)).toBe('2024-12-15');
  });
});
