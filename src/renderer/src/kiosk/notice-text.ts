/**
 * What the kiosk says to someone it has just answered, in people's terms: the times of the day's
 * check-in or check-out and the next thing they can do ("check-out opens at 15:30"), never a countdown
 * and never "try again" to someone who is done for the day.
 */
import type { NextAttendanceAction } from '../../../shared/attendance';
import type { Language } from '../../../shared/contract';
import { translate } from '../i18n';
import { formatDayTime } from '../lib/dates';

export interface CooldownFacts {
  checkInAt?: string;
  checkOutAt?: string;
  nextAction?: NextAttendanceAction;
}

export function cooldownText(facts: CooldownFacts, language: Language, timeZone: string): string {
  const time = (iso: string) => formatDayTime(iso, language, timeZone);
  const next = facts.nextAction;
  if (facts.checkOutAt)
    return translate(language, 'kiosk.notice.cooldown.checkedOut', { time: time(facts.checkOutAt) });
  if (facts.checkInAt) {
    if (next?.kind === 'check_out') {
      return translate(language, 'kiosk.notice.cooldown.checkOutFrom', {
        time: time(facts.checkInAt),
        from: formatDayTime(next.from, language, timeZone),
      });
    }
    return translate(language, 'kiosk.notice.cooldown.checkedIn', { time: time(facts.checkInAt) });
  }
  if (next?.kind === 'check_in')
    return translate(language, 'kiosk.notice.cooldown.checkInFrom', {
      from: formatDayTime(next.from, language, timeZone),
    });
  if (next?.kind === 'check_out')
    return translate(language, 'kiosk.notice.cooldown.onlyCheckOutFrom', {
      from: formatDayTime(next.from, language, timeZone),
    });
  // An older server that sends only the seconds: no countdown, only that it was recorded.
  return translate(language, 'kiosk.notice.cooldown');
}
