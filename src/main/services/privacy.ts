import type { AttendanceRecord } from '../../shared/attendance';
import { HadirError } from '../../shared/errors';
import { addDays, localParts } from '../../shared/local-time';
import type { Actor, Person } from '../../shared/people';
import { AttendanceRepo, type LeaveRow } from '../store/attendance-repo';
import { AuditRepo } from '../store/audit-repo';
import { type Consent, ConsentRepo } from '../store/consent-repo';
import type { Db } from '../store/db';
import { checkpointTruncate } from '../store/maintenance';
import { PeopleRepo } from '../store/people-repo';
import {
  type PersonAuditRow,
  auditAboutPerson,
  hubOutboxOfPerson,
  importItemsOfPerson,
  templateChangesOfPerson,
} from '../store/privacy-repo';
import { SettingsRepo } from '../store/settings-repo';
import { type TemplateInfo, TemplatesRepo } from '../store/templates-repo';
import { SCHEDULE_SETTING } from './attendance-service';
import { type Clock, systemClock } from './clock';
import { parseScheduleSettings } from './schedule';

/** Settings key of the retention periods (JSON {@link RetentionSettings}). */
export const RETENTION_SETTING = 'retention';

/**
 * How long personal data lives, in days; null keeps it until deleted by hand. UU PDP (2022) asks that
 * personal data be kept no longer than its purpose needs, and that expired data be erased.
 */
export interface RetentionSettings {
  /** Attendance records and leave, counted from the record's local date. */
  attendanceDays: number | null;
  /** Audit entries. Longer than attendance, so every correction of a kept record stays explained. */
  auditDays: number | null;
  /** Face thumbnails kept beside templates (the templates themselves live as long as the person is enrolled). */
  thumbnailDays: number | null;
}

/*
 * Defaults: two years of attendance covers the yearly performance appraisal and the audit of the year
 * before; three years of audit log outlive every record they explain; one year of thumbnails is enough
 * to re-embed after a model change, the only reason they are kept. Sites bound by a records schedule
 * (JRA) that says otherwise set their own.
 */
export const DEFAULT_RETENTION: RetentionSettings = { attendanceDays: 730, auditDays: 1095, thumbnailDays: 365 };

export function parseRetentionSettings(value: unknown): RetentionSettings {
  const v = {
    ...DEFAULT_RETENTION,
    ...((value && typeof value === 'object' ? value : {}) as Partial<RetentionSettings>),
  };
  for (const k of ['attendanceDays', 'auditDays', 'thumbnailDays'] as const) {
    const d = v[k];
    if (d !== null && !(Number.isInteger(d) && d >= 1 && d <= 36_500)) {
      throw new HadirError(
        'BAD_REQUEST',
        `retention: ${k} must be a whole number of days (1–36500) or null to keep (got ${String(d)})`,
      );
    }
  }
  return v;
}

export interface PurgeResult {
  /** Cut-offs used: local date for attendance and leave, instants for the others; null where kept. */
  cutoffs: { attendanceBefore: string | null; auditBefore: string | null; thumbnailsBefore: string | null };
  attendance: number;
  leave: number;
  audit: number;
  thumbnails: number;
}

/** Everything held about one person, for a data-subject access request (UU PDP art. 7 / 32). */
export interface PersonDataExport {
  format: 'hadir.person-data/1';
  exported_at: string;
  person: Person;
  consents: Consent[];
  /** Templates with their embedding (Float32, little-endian, base64) and any kept thumbnail (JPEG, base64). */
  templates: (TemplateInfo & {
    embedding: { dtype: 'float32le'; dim: number; base64: string } | null;
    thumbnail_jpeg_base64: string | null;
  })[];
  attendance: AttendanceRecord[];
  leave: LeaveRow[];
  imports: { source: string; status: string; reason: string | null; updated_at: string }[];
  /** Audit entries about them, `kiosk.spoof` (a picture of them held up to a kiosk) included. */
  audit: PersonAuditRow[];
  /** Template changes not yet read by the gallery or a replica. */
  template_changes: Record<string, unknown>[];
  /** Attendance events about them still waiting to be sent to the hub (a joined kiosk). */
  hub_outbox: { seq: number; event: unknown; created_at: string }[];
}

/** Retention (purging expired data) and data-subject exports. */
export class PrivacyService {
  private readonly clock: Clock;
  private readonly settings: SettingsRepo;
  private readonly audit: AuditRepo;

  constructor(
    private readonly db: Db,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
    this.settings = new SettingsRepo(db, () => this.clock.now());
    this.audit = new AuditRepo(db, () => this.clock.now());
  }

  retention(): RetentionSettings {
    return parseRetentionSettings(this.settings.get<unknown>(RETENTION_SETTING));
  }

  setRetention(value: Partial<RetentionSettings>, actor: Actor): RetentionSettings {
    const next = parseRetentionSettings({ ...this.retention(), ...value });
    this.db
      .transaction(() => {
        const before = this.retention();
        this.settings.set(RETENTION_SETTING, next);
        this.audit.record({
          actor,
          action: 'settings.retention',
          targetType: 'settings',
          targetId: RETENTION_SETTING,
          details: { before, after: next },
        });
      })
      .immediate();
    return next;
  }

  /**
   * Delete what has outlived its retention period, in one transaction, and audit how much went
   * (the audit entry is written after the audit purge, so it survives it). `secure_delete` is on, so
   * the bytes are overwritten; the WAL is then checkpointed and truncated so no old copy lingers there.
   * Backups made earlier still hold the data: they must be deleted on the same schedule.
   */
  purgeExpired(now: Date = this.clock.now(), actor: Actor = { type: 'system', id: null }): PurgeResult {
    const r = this.retention();
    const tz = parseScheduleSettings(this.settings.get<unknown>(SCHEDULE_SETTING)).timeZone;
    const today = localParts(now, tz).date;
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
    const cutoffs = {
      attendanceBefore: r.attendanceDays === null ? null : addDays(today, -r.attendanceDays),
      auditBefore: r.auditDays === null ? null : daysAgo(r.auditDays),
      thumbnailsBefore: r.thumbnailDays === null ? null : daysAgo(r.thumbnailDays),
    };
    const attendance = new AttendanceRepo(this.db);
    const templates = new TemplatesRepo(this.db);
    const result = this.db
      .transaction((): PurgeResult => {
        const res: PurgeResult = {
          cutoffs,
          attendance: cutoffs.attendanceBefore ? attendance.purgeBefore(cutoffs.attendanceBefore) : 0,
          leave: cutoffs.attendanceBefore ? attendance.purgeLeaveBefore(cutoffs.attendanceBefore) : 0,
          audit: cutoffs.auditBefore ? this.audit.purgeBefore(cutoffs.auditBefore) : 0,
          thumbnails: cutoffs.thumbnailsBefore ? templates.clearThumbnailsBefore(cutoffs.thumbnailsBefore) : 0,
        };
        this.audit.record({ actor, action: 'retention.purge', details: res, at: now });
        return res;
      })
      .immediate();
    checkpointTruncate(this.db);
    return result;
  }

  /** Everything Hadir holds about a person, as JSON-ready data; the request itself is audited. */
  exportPersonData(personId: number, actor: Actor): PersonDataExport {
    const person = new PeopleRepo(this.db).get(personId);
    if (!person) throw new HadirError('NOT_FOUND', `no person ${personId}`);
    const templates = new TemplatesRepo(this.db);
    const attendance = new AttendanceRepo(this.db);
    const out = this.db.transaction((): PersonDataExport => ({
      format: 'hadir.person-data/1',
      exported_at: this.clock.now().toISOString(),
      person,
      consents: new ConsentRepo(this.db).forPerson(personId),
      templates: templates.forPerson(personId).map((t) => {
        const e = templates.embedding(t.id);
        const thumb = templates.thumbnail(t.id);
        return {
          ...t,
          embedding: e
            ? {
                dtype: 'float32le' as const,
                dim: e.length,
                base64: Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64'),
              }
            : null,
          thumbnail_jpeg_base64: thumb ? Buffer.from(thumb).toString('base64') : null,
        };
      }),
      attendance: attendance.forPerson(personId),
      leave: attendance.listLeave('0000-01-01', '9999-12-31', personId),
      imports: importItemsOfPerson(this.db, personId),
      audit: auditAboutPerson(this.db, personId),
      template_changes: templateChangesOfPerson(this.db, personId),
      hub_outbox: hubOutboxOfPerson(this.db, person),
    }))();
    this.audit.record({ actor, action: 'person.data_export', targetType: 'person', targetId: personId });
    return out;
  }
}
