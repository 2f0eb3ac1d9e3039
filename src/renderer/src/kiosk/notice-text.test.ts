import { describe, expect, it } from 'vitest';
import { cooldownText } from './notice-text';

const IN = '2025-01-06T00:42:00.000Z'; // 07:42 WIB
const OUT = '2025-01-06T09:05:00.000Z'; // 16:05 WIB

describe('the cooldown, in people’s terms', () => {
  it('after a check-in: the time and when check-out opens', () => {
    const facts = { checkInAt: IN, nextAction: { kind: 'check_out', from: '15:30' } } as const;
    expect(cooldownText(facts, 'id', 'Asia/Jakarta')).toBe(
      'Sudah absen masuk pukul 07.42 — absen pulang mulai pukul 15.30',
    );
    expect(cooldownText(facts, 'en', 'Asia/Jakarta')).toBe('Already checked in at 07:42 — check-out opens at 15:30');
    // The same instant at a WITA site.
    expect(cooldownText(facts, 'en', 'Asia/Makassar')).toBe('Already checked in at 08:42 — check-out opens at 15:30');
  });

  it('after a check-out: done for the day, no "try again"', () => {
    const facts = { checkInAt: IN, checkOutAt: OUT, nextAction: { kind: 'none' } } as const;
    expect(cooldownText(facts, 'id', 'Asia/Jakarta')).toBe('Sudah absen pulang pukul 16.05. Sampai jumpa besok.');
    expect(cooldownText(facts, 'en', 'Asia/Jakarta')).toBe('Checked out at 16:05. See you tomorrow.');
  });

  it('a check-in whose check-out window has closed, and a day without a record', () => {
    expect(cooldownText({ checkInAt: IN, nextAction: { kind: 'none' } }, 'en', 'Asia/Jakarta')).toBe(
      'Already checked in at 07:42.',
    );
    expect(cooldownText({ nextAction: { kind: 'check_in', from: '07:05' } }, 'id', 'Asia/Jakarta')).toBe(
      'Absen masuk bisa dilakukan mulai pukul 07.05.',
    );
  });

  it('from an older server with only seconds: no countdown', () => {
    expect(cooldownText({}, 'id', 'Asia/Jakarta')).toBe('Absen Anda baru saja tercatat.');
    expect(cooldownText({}, 'en', 'Asia/Jakarta')).not.toMatch(/\d/);
  });
});
