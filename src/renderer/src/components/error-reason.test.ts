import { describe, expect, it } from 'vitest';
import { translate, type StringKey } from '../i18n';
import { reasonText } from './ErrorMessage';

const tr = (language: 'id' | 'en') => (key: StringKey, params?: Record<string, string | number>) =>
  translate(language, key, params);

describe('a server refusal in the interface language', () => {
  it('maps the reason and its values, the weekday named in the language', () => {
    const error = {
      code: 'BAD_REQUEST' as const,
      message: 'schedule: mon: the check-out window must start after the check-in window ends',
      reason: 'schedule_windows_overlap',
      params: { day: 'mon' },
    };
    expect(reasonText(error, tr('id'))).toBe('Senin: absen pulang harus dibuka sesudah absen masuk ditutup.');
    expect(reasonText(error, tr('en'))).toBe('Monday: check-out must open after check-in closes.');
    expect(
      reasonText({ code: 'BAD_REQUEST', message: 'x', reason: 'pin_too_short', params: { min: 6 } }, tr('id')),
    ).toBe('PIN terlalu pendek: minimal 6 angka.');
    expect(reasonText({ code: 'BAD_REQUEST', message: 'x', reason: 'pin_too_easy' }, tr('id'))).toContain(
      'terlalu mudah ditebak',
    );
  });

  it('falls back when there is no reason, or one this page does not know', () => {
    expect(reasonText({ code: 'BAD_REQUEST', message: 'x' }, tr('id'))).toBeNull();
    expect(reasonText({ code: 'BAD_REQUEST', message: 'x', reason: 'from_a_newer_server' }, tr('id'))).toBeNull();
  });
});
