import type { ChangesPage, SyncPerson, SyncSite } from '../../shared/sync-protocol';
import type { Actor } from '../../shared/people';
import { SCHEDULE_SETTING } from '../services/attendance-service';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { HubDaysRepo } from '../store/hub-days-repo';
import { HubLinkRepo } from '../store/hub-link-repo';
import { ReplicaRepo } from '../store/replica-repo';
import { SettingsRepo } from '../store/settings-repo';
import { scheduleForSite } from './site-schedule';

/** The replica's writes in the audit log. */
const HUB_ACTOR: Actor = { type: 'system', id: 'hub-sync' };

export interface ApplyOptions {
  /** The kiosk's pack: templates of any other pack are not kept (they could not be compared). */
  packId: string;
  now?: () => Date;
}

export interface ApplyResult {
  /** False when the link was no longer at the cursor the page was asked from (another process applied it). */
  applied: boolean;
  upserted: number;
  deleted: number;
  /** Templates removed (a person deleted, or a template dropped): their bytes must leave the WAL too. */
  templatesRemoved: number;
  siteUpdated: boolean;
  /** What was applied differently than sent (a conflict, a schedule this kiosk cannot follow). */
  warnings: string[];
}

/**
 * Apply one page of the hub's changes, asked from `from`, in ONE transaction together with its new
 * cursor: a crash leaves the replica at one position or the next, never between. Items are states, so
 * applying a page twice changes nothing the second time.
 *
 * A snapshot (asked with no cursor) marks every person it sends; when the first page of the log
 * follows it, replicated people it did not send are gone from the site and are deleted, before that
 * page's own items (which may bring people created since the snapshot began).
 */
export function applyPage(db: Db, page: ChangesPage, from: string | null, opts: ApplyOptions): ApplyResult {
  const now = opts.now ?? (() => new Date());
  const link = new HubLinkRepo(db);
  const replica = new ReplicaRepo(db);
  const hubDays = new HubDaysRepo(db);
  const audit = new AuditRepo(db, now);
  const settings = new SettingsRepo(db, now);
  const result: ApplyResult = {
    applied: false,
    upserted: 0,
    deleted: 0,
    templatesRemoved: 0,
    siteUpdated: false,
    warnings: [],
  };

  const deletePerson = (id: number, hubId: string, employeeNumber: string, why: string) => {
    result.templatesRemoved += replica.templateCount(id);
    replica.deletePerson(id);
    // The hub's record of their days goes too: nothing of someone deleted stays on the kiosk.
    hubDays.deleteForPerson(hubId, employeeNumber);
    audit.record({
      actor: HUB_ACTOR,
      action: 'person.delete',
      targetType: 'person',
      targetId: id,
      details: { hub_id: hubId, employee_number: employeeNumber, reason: why },
    });
    result.deleted++;
  };

  const upsertPerson = (p: SyncPerson, snapshot: boolean) => {
    const at = now().toISOString();
    const fields = { employee_number: p.employee_number, full_name: p.full_name, unit: p.unit, active: p.active };
    let row = replica.byHubId(p.hub_id);
    const holder = replica.byEmployeeNumber(p.employee_number);
    if (holder && holder.hub_id !== p.hub_id) {
      if (holder.hub_id !== null) {
        // Another replicated person still holds the number (the hub renumbered both): park theirs
        // until their own update, later in the stream, gives them their new one.
        replica.parkEmployeeNumber(holder.id, `~hub:${holder.hub_id}`);
      } else if (!row) {
        // Someone enrolled at this kiosk before it joined: the same employee, now known to the hub.
        replica.adopt(holder.id, p.hub_id);
        audit.record({
          actor: HUB_ACTOR,
          action: 'person.adopt',
          targetType: 'person',
          targetId: holder.id,
          details: { hub_id: p.hub_id, employee_number: p.employee_number },
        });
        row = { ...holder, hub_id: p.hub_id };
      } else {
        // The hub gave this person a number a local person holds: keep theirs until the conflict is resolved.
        result.warnings.push(
          `person ${p.hub_id}: employee number ${p.employee_number} belongs to a person enrolled at this kiosk; kept ${row.employee_number}`,
        );
        fields.employee_number = row.employee_number;
      }
    }
    const id = row ? row.id : replica.insertPerson(p.hub_id, fields, at);
    if (row) replica.updatePerson(id, fields, at);
    if (snapshot) link.markSeen(p.hub_id);

    // Templates: exactly the hub's of this kiosk's pack (a person's local enrollments stay until uploaded).
    const have = replica.hubTemplates(id);
    const wanted = new Map(p.templates.filter((t) => t.pack_id === opts.packId).map((t) => [t.hub_id, t]));
    for (const [hubId, templateId] of have) {
      if (wanted.has(hubId)) continue;
      replica.deleteTemplate(templateId);
      result.templatesRemoved++;
    }
    for (const [hubId, t] of wanted) {
      if (have.has(hubId)) continue;
      const embedding = decodeEmbedding(t.embedding, t.dim);
      if (!embedding) {
        result.warnings.push(`template ${hubId} of person ${p.hub_id}: not ${t.dim} base64 Float32 values; skipped`);
        continue;
      }
      const elsewhere = replica.templateByHubId(hubId);
      if (elsewhere !== null) replica.deleteTemplate(elsewhere);
      replica.insertTemplate({
        hubId,
        personId: id,
        packId: t.pack_id,
        embedding,
        usable: true,
        createdAt: t.created_at,
      });
    }
    replica.replaceLeave(id, p.leave);
    result.upserted++;
  };

  const updateSite = (site: SyncSite) => {
    link.setSite(site);
    try {
      settings.set(SCHEDULE_SETTING, scheduleForSite(site));
    } catch (e) {
      result.warnings.push(`site ${site.code}: schedule not applied (${(e as Error).message}); the previous one stays`);
    }
    replica.replaceHolidays(site.holidays);
    result.siteUpdated = true;
  };

  db.transaction(() => {
    const current = link.get();
    if (!current) throw new Error('this kiosk is not joined to a hub');
    if (current.cursor !== from) return;
    if (from === null) link.clearSeen();
    if (current.snapshot_active && page.phase === 'log') {
      for (const gone of link.unseenPeople()) {
        deletePerson(gone.id, gone.hub_id, gone.employee_number, 'not in the site snapshot');
      }
      link.clearSeen();
    }
    for (const item of page.items) {
      if (item.type === 'person') upsertPerson(item.person, page.phase === 'snapshot');
      else if (item.type === 'person_delete') {
        const row = replica.byHubId(item.hub_id);
        if (row) deletePerson(row.id, item.hub_id, row.employee_number, 'deleted at the hub');
      } else updateSite(item.site);
    }
    const snapshot = page.phase === 'snapshot';
    link.advance(from, page.cursor, {
      active: snapshot,
      done: snapshot ? (page.progress?.done ?? null) : null,
      total: snapshot ? (page.progress?.total ?? null) : null,
    });
    result.applied = true;
  }).immediate();
  return result;
}

/**
 * After a page removed templates: secure_delete has zeroed them in the database pages, but the WAL
 * still holds the pages as they were until a checkpoint. Move everything into the file and truncate
 * the log, so a deleted person's embedding is nowhere on disk. (A reader in another process can keep
 * the WAL from being truncated; the next checkpoint then finishes the job.)
 */
export function purgeRemovedBytes(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** base64 little-endian Float32 → embedding, or null when the bytes are not `dim` floats. */
export function decodeEmbedding(b64: string, dim: number): Float32Array | null {
  const bytes = Buffer.from(b64, 'base64');
  if (dim <= 0 || bytes.length !== dim * 4) return null;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const e = new Float32Array(copy.buffer);
  return e.every((x) => Number.isFinite(x)) ? e : null;
}
