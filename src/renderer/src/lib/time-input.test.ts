import { describe, expect, it } from 'vitest';
import { parseTimeInput } from './time-input';

describe('parseTimeInput', () => {
  it('reads the ways people type a 24-hour time', () => {
    expect(parseTimeInput('07:40')).toBe('07:40');
    expect(parseTimeInput(' 7:40 ')).toBe('07:40');
    expect(parseTimeInput('07.40')).toBe('07:40');
    expect(parseTimeInput('0740')).toBe('07:40');
    expect(parseTimeInput('23:59')).toBe('23:59');
    expect(parseTimeInput('')).toBe('');
  });

  it('refuses what is not a time of day', () => {
    for (const s of ['24:00', '7:60', '7', 'pagi', '07:40:00', '7:4', '-1:00']) expect(parseTimeInput(s)).toBeNull();
  });
});
