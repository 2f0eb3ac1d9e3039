import { INDONESIAN_TIME_ZONES, type IndonesianTimeZone } from '../../shared/local-time';
import type { SyncSite } from '../../shared/sync-protocol';
import { DEFAULT_SCHEDULE, parseScheduleSettings, type ScheduleSettings } from '../services/schedule';

/**
 * The kiosk's schedule setting for a hub site: the site's schedule in the kiosk's own format, in the
 * site's time zone; a site without one takes attendance all day without lateness (`allDay`).
 * Throws BAD_REQUEST (naming the field) for a schedule the kiosk cannot follow.
 */
export function scheduleForSite(site: SyncSite): ScheduleSettings {
  const zone = (INDONESIAN_TIME_ZONES as readonly string[]).includes(site.time_zone)
    ? (site.time_zone as IndonesianTimeZone)
    : undefined;
  if (site.schedule === null || site.schedule === undefined) {
    return parseScheduleSettings({ ...DEFAULT_SCHEDULE, timeZone: zone ?? DEFAULT_SCHEDULE.timeZone, allDay: true });
  }
  const given = (typeof site.schedule === 'object' ? site.schedule : {}) as Partial<ScheduleSettings>;
  return parseScheduleSettings({ ...given, ...(zone ? { timeZone: zone } : {}) });
}
