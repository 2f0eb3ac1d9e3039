import { describe, expect, it } from 'vitest';
import { intlLocalParts, localParts, utcOffsetMinutes, zonedToUtc } from './local-time';

describe('localParts', () => {
  it('gives what Intl gives, in fixed zones, across DST and half-hour transitions, and before 1970', () => {
    const zones = [
      'Asia/Jakarta',
      'Asia/Makassar',
      'Asia/Jayapura',
      'UTC',
      'Asia/Kolkata',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'America/St_Johns',
    ];
    const instants: number[] = [];
    // Around the 2026 transitions (Berlin 29 Mar / 25 Oct, New York 8 Mar / 1 Nov, Lord Howe 5 Apr / 4 Oct),
    // minute by minute for a few hours, plus a spread over a century in odd steps.
    for (const day of ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01']) {
      const start = Date.parse(`${day}T00:00:00Z`) - 12 * 3_600_000;
      for (let i = 0; i < 36 * 60; i += 37) instants.push(start + i * 60_000 + (i % 60) * 1000);
    }
    for (let t = Date.parse('1925-01-01T00:00:00Z'); t < Date.parse('2040-01-01T00:00:00Z'); t += 17_777_777_777) {
      instants.push(t, t + 123);
    }
    instants.push(Date.parse('1900-06-01T12:34:56Z')); // Jakarta's local mean time, +07:07:12
    for (const zone of zones) {
      for (const t of instants) {
        const d = new Date(t);
        expect(localParts(d, zone), `${zone} ${d.toISOString()}`).toEqual(intlLocalParts(d, zone));
      }
    }
  });

  it('round-trips local times, and knows the zones’ offsets', () => {
    expect(zonedToUtc('2026-12-07', '07:31', 'Asia/Jakarta').toISOString()).toBe('2026-12-07T00:31:00.000Z');
    expect(utcOffsetMinutes(new Date('2026-12-07T00:00:00Z'), 'Asia/Makassar')).toBe(480);
    expect(localParts(new Date('2026-12-06T23:59:59Z'), 'Asia/Jayapura')).toMatchObject({
      date: '2026-12-07',
      time: '08:59:59',
      weekday: 1,
    });
  });
});
