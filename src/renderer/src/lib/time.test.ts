import { describe, expect, it } from 'vitest';
import { localDate, localHour, partOfDay } from './time';

describe('time helpers', () => {
  it('reads the local date and hour in the site’s zone', () => {
    const instant = new Date('2025-01-05T23:30:00Z'); // 06:30 on 6 January in WIB
    expect(localDate(instant, 'Asia/Jakarta')).toBe('2025-01-06');
    expect(localHour(instant, 'Asia/Jakarta')).toBe(6);
    expect(localHour(instant, 'Asia/Jayapura')).toBe(8);
  });

  it('divides the day as Indonesian greetings do', () => {
    expect(partOfDay(7)).toBe('morning');
    expect(partOfDay(12)).toBe('midday');
    expect(partOfDay(16)).toBe('afternoon');
    expect(partOfDay(20)).toBe('evening');
    expect(partOfDay(2)).toBe('evening');
  });
});
