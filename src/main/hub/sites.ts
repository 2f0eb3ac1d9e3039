import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { INDONESIAN_TIME_ZONES } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import type { SyncSite } from '../../shared/sync-protocol';
import { parseScheduleSettings, type ScheduleSettings } from '../services/schedule';
import { recordAudit } from './store/audit';
import { recordChange } from './store/changes';
import { inTransaction, isUniqueViolation, type Sql } from './store/db';
import * as sites from './store/sites';

const SITE_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** An IANA zone this runtime knows (Intl throws RangeError for any other). */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new HadirError('BAD_REQUEST', `unknown time zone "${zone}" (give an IANA zone such as Asia/Jakarta)`);
  }
}

export async function addSite(
  pool: pg.Pool,
  input: { code: string; name: string; timeZone: string },
  actor: Actor,
): Promise<sites.SiteRow> {
  const code = input.code.trim();
  if (!SITE_CODE.test(code)) {
    throw new HadirError('BAD_REQUEST', `a site code is 1-32 letters, digits, "-", "_" or "." (got "${input.code}")`);
  }
  const name = input.name.trim();
  if (!name) throw new HadirError('BAD_REQUEST', 'a site needs a name');
  const timeZone = checkTimeZone(input.timeZone);
  try {
    return await inTransaction(pool, async (tx) => {
      const row = await sites.insertSite(tx, { code, name, timeZone });
      await recordAudit(tx, {
        actor,
        action: 'site.create',
        targetType: 'site',
        targetId: code,
        details: { name, timeZone },
      });
      return row;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new HadirError('CONFLICT', `a site with code "${code}" already exists`);
    throw e;
  }
}

export async function requireSite(sql: Sql, code: string): Promise<sites.SiteRow> {
  const site = await sites.siteByCode(sql, code);
  if (!site) throw new HadirError('NOT_FOUND', `no site "${code}" (see \`hadir hub site list\`)`);
  return site;
}

/**
 * A schedule in the kiosk's own format, for a site: the site's zone is the one that counts, so a
 * file that names another zone is refused rather than silently overridden, and one that names none
 * takes the site's. The kiosk's format (and the Schedule rules) know only Indonesia's zones.
 */
export function scheduleForSite(siteZone: string, value: unknown): ScheduleSettings {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HadirError('BAD_REQUEST', 'schedule: expected a JSON object');
  }
  const given = (value as { timeZone?: unknown }).timeZone;
  if (given !== undefined && given !== siteZone) {
    throw new HadirError('BAD_REQUEST', `schedule: its timeZone "${String(given)}" is not the site's (${siteZone})`);
  }
  if (!(INDONESIAN_TIME_ZONES as readonly string[]).includes(siteZone)) {
    throw new HadirError(
      'BAD_REQUEST',
      `schedule: the kiosk's schedule format supports ${INDONESIAN_TIME_ZONES.join(', ')}; this site is in ${siteZone}`,
    );
  }
  return parseScheduleSettings({ ...value, timeZone: siteZone });
}

/** Set (or with null, clear) a site's schedule; its kiosks receive the site again. */
export async function setSiteSchedule(
  pool: pg.Pool,
  code: string,
  value: unknown | null,
  actor: Actor,
): Promise<ScheduleSettings | null> {
  return inTransaction(pool, async (tx) => {
    const site = await requireSite(tx, code);
    const schedule = value === null ? null : scheduleForSite(site.time_zone, value);
    await sites.updateSchedule(tx, site.id, schedule);
    await recordChange(tx, { kind: 'site', key: site.id, sites: [site.id] });
    await recordAudit(tx, {
      actor,
      action: 'site.schedule',
      targetType: 'site',
      targetId: code,
      details: { schedule },
    });
    return schedule;
  });
}

export async function addHoliday(pool: pg.Pool, code: string, date: string, name: string, actor: Actor) {
  await inTransaction(pool, async (tx) => {
    const site = await requireSite(tx, code);
    await sites.upsertHoliday(tx, site.id, date, name);
    await recordChange(tx, { kind: 'site', key: site.id, sites: [site.id] });
    await recordAudit(tx, {
      actor,
      action: 'site.holiday',
      targetType: 'site',
      targetId: code,
      details: { date, name },
    });
  });
}

/** The site as kiosks receive it. */
export async function syncSite(sql: Sql, site: sites.SiteRow): Promise<SyncSite> {
  return {
    code: site.code,
    name: site.name,
    time_zone: site.time_zone,
    schedule: site.schedule ?? null,
    holidays: await sites.holidaysOf(sql, site.id),
  };
}
