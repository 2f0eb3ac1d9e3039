import { describe, expect, it } from 'vitest';
// @ts-expect-error: ECharts' locale files have no type declarations.
import langEN from 'echarts/lib/i18n/langEN.js';
import { chartLocale, LOCALE_ID } from './echarts';

/** Every path to a leaf of a nested object, with the length of arrays. */
function shape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [`${prefix}[${value.length}]`];
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => shape(v, `${prefix}.${k}`));
  }
  return [prefix];
}

describe('the Indonesian locale of the charts', () => {
  it('has exactly the shape of ECharts’ English one', () => {
    expect(shape(LOCALE_ID).sort()).toEqual(shape(langEN).sort());
  });

  it('names months and days in Bahasa Indonesia, and is picked by the interface language', () => {
    expect(LOCALE_ID.time.month[7]).toBe('Agustus');
    expect(LOCALE_ID.time.dayOfWeek[5]).toBe('Jumat');
    expect(chartLocale('id')).toBe('ID');
    expect(chartLocale('en')).toBe('EN');
  });
});
