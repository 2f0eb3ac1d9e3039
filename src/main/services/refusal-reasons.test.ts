import { describe, expect, it } from 'vitest';
import { HadirError } from '../../shared/errors';
import { checkSecretStrength } from './operators';
import { DEFAULT_SCHEDULE, validateSchedule } from './schedule';

function infoOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    return (e as HadirError).toInfo();
  }
  throw new Error('expected a refusal');
}

describe('refusals a person can fix carry a reason a screen translates', () => {
  it('names weak PINs and passwords', () => {
    expect(infoOf(() => checkSecretStrength('1234'))).toEqual({
      code: 'BAD_REQUEST',
      message: 'a PIN must have at least 6 digits',
      reason: 'pin_too_short',
      params: { min: 6 },
    });
    expect(infoOf(() => checkSecretStrength('123456'))).toMatchObject({ reason: 'pin_too_easy' });
    expect(infoOf(() => checkSecretStrength('111111'))).toMatchObject({ reason: 'pin_too_easy' });
    expect(infoOf(() => checkSecretStrength('rahasia'))).toMatchObject({
      reason: 'password_too_short',
      params: { min: 8 },
    });
    expect(() => checkSecretStrength('482913')).not.toThrow();
  });

  it('names the weekday whose windows are wrong', () => {
    const mon = { ...DEFAULT_SCHEDULE.week.mon!, checkOut: ['09:00', '20:00'] as [string, string] };
    expect(infoOf(() => validateSchedule({ ...DEFAULT_SCHEDULE, week: { ...DEFAULT_SCHEDULE.week, mon } }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'schedule: mon: the check-out window must start after the check-in window ends',
      reason: 'schedule_windows_overlap',
      params: { day: 'mon' },
    });
  });

  it('leaves errors without a reason as they were', () => {
    expect(new HadirError('NOT_FOUND', 'no person 3').toInfo()).toEqual({ code: 'NOT_FOUND', message: 'no person 3' });
  });
});
