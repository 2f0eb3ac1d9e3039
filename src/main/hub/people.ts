import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { requireSite } from './sites';
import { recordAudit } from './store/audit';
import { recordChange } from './store/changes';
import { inTransaction, isUniqueViolation, type Sql } from './store/db';
import * as people from './store/people';
import { sitesByCodes } from './store/sites';

async function siteIdsOf(sql: Sql, codes: readonly string[]): Promise<number[]> {
  const unique = [...new Set(codes)];
  const found = await sitesByCodes(sql, unique);
  const missing = unique.filter((c) => !found.some((s) => s.code === c));
  if (missing.length) throw new HadirError('NOT_FOUND', `no site ${missing.map((m) => `"${m}"`).join(', ')}`);
  return found.map((s) => s.id);
}

export interface AddPersonInput {
  employeeNumber: string;
  fullName: string;
  unit?: string | null;
  homeSite: string;
  alsoSites?: readonly string[];
}

export async function addPerson(pool: pg.Pool, input: AddPersonInput, actor: Actor): Promise<people.PersonRow> {
  const employeeNumber = input.employeeNumber.trim();
  const fullName = input.fullName.trim();
  if (!employeeNumber) throw new HadirError('BAD_REQUEST', 'a person needs an employee number');
  if (!fullName) throw new HadirError('BAD_REQUEST', 'a person needs a name');
  try {
    return await inTransaction(pool, async (tx) => {
      const home = await requireSite(tx, input.homeSite);
      const extra = (await siteIdsOf(tx, input.alsoSites ?? [])).filter((id) => id !== home.id);
      const row = await people.insertPerson(tx, {
        employeeNumber,
        fullName,
        unit: input.unit?.trim() || null,
        homeSiteId: home.id,
      });
      await people.setExtraSites(tx, row.id, extra);
      await recordChange(tx, { kind: 'person', key: row.id, personHubId: row.hub_id, sites: [home.id, ...extra] });
      await recordAudit(tx, {
        actor,
        action: 'person.create',
        targetType: 'person',
        targetId: employeeNumber,
        details: { site: home.code },
      });
      return row;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new HadirError('CONFLICT', `employee number ${employeeNumber} is already in use`);
    throw e;
  }
}

async function lockedPerson(tx: Sql, employeeNumber: string): Promise<people.PersonRow> {
  const p = await people.personByEmployeeNumber(tx, employeeNumber, true);
  if (!p) throw new HadirError('NOT_FOUND', `no person with employee number ${employeeNumber}`);
  return p;
}

export interface UpdatePersonInput {
  fullName?: string;
  unit?: string | null;
  homeSite?: string;
  /** Replaces the extra sites. */
  alsoSites?: readonly string[];
  active?: boolean;
}

/**
 * Edit someone. The change row names the sites before and after: a kiosk of a site the person left
 * receives a delete, one of a site they joined the whole person.
 */
export async function updatePerson(
  pool: pg.Pool,
  employeeNumber: string,
  input: UpdatePersonInput,
  actor: Actor,
): Promise<void> {
  await inTransaction(pool, async (tx) => {
    const p = await lockedPerson(tx, employeeNumber);
    const before = [p.home_site_id, ...(await people.extraSitesOf(tx, p.id))];
    const homeSiteId = input.homeSite !== undefined ? (await requireSite(tx, input.homeSite)).id : p.home_site_id;
    await people.updatePerson(tx, p.id, {
      fullName: input.fullName?.trim() || p.full_name,
      unit: input.unit !== undefined ? input.unit?.trim() || null : p.unit,
      homeSiteId,
      active: input.active ?? p.active,
    });
    if (input.alsoSites !== undefined) {
      const extra = (await siteIdsOf(tx, input.alsoSites)).filter((id) => id !== homeSiteId);
      await people.setExtraSites(tx, p.id, extra);
    }
    const after = [homeSiteId, ...(await people.extraSitesOf(tx, p.id))];
    await recordChange(tx, { kind: 'person', key: p.id, personHubId: p.hub_id, sites: [...before, ...after] });
    await recordAudit(tx, {
      actor,
      action: 'person.update',
      targetType: 'person',
      targetId: employeeNumber,
      details: { ...input },
    });
  });
}

/**
 * Delete someone with their templates, consents and leave (attendance stays, without the link). Every
 * kiosk that could see them is told to delete them too.
 */
export async function deletePerson(pool: pg.Pool, employeeNumber: string, actor: Actor): Promise<void> {
  await inTransaction(pool, async (tx) => {
    const p = await lockedPerson(tx, employeeNumber);
    const sites = [p.home_site_id, ...(await people.extraSitesOf(tx, p.id))];
    await people.deletePerson(tx, p.id);
    await recordChange(tx, { kind: 'person', key: p.id, personHubId: p.hub_id, sites });
    await recordAudit(tx, { actor, action: 'person.delete', targetType: 'person', targetId: employeeNumber });
  });
}

export interface AddTemplateInput {
  packId: string;
  embedding: Float32Array;
  quality?: unknown;
  source: string;
}

export async function addTemplates(
  pool: pg.Pool,
  employeeNumber: string,
  templates: readonly AddTemplateInput[],
  actor: Actor,
): Promise<void> {
  for (const t of templates) {
    if (t.embedding.length === 0 || t.embedding.some((x) => !Number.isFinite(x))) {
      throw new HadirError('BAD_REQUEST', 'an embedding must be a non-empty vector of finite numbers');
    }
  }
  await inTransaction(pool, async (tx) => {
    const p = await lockedPerson(tx, employeeNumber);
    for (const t of templates) {
      await people.insertTemplate(tx, {
        personId: p.id,
        packId: t.packId,
        embedding: t.embedding,
        quality: t.quality ?? null,
        source: t.source,
      });
    }
    const sites = [p.home_site_id, ...(await people.extraSitesOf(tx, p.id))];
    await recordChange(tx, { kind: 'person', key: p.id, personHubId: p.hub_id, sites });
    await recordAudit(tx, {
      actor,
      action: 'person.templates',
      targetType: 'person',
      targetId: employeeNumber,
      details: { added: templates.length },
    });
  });
}

export async function addLeave(
  pool: pg.Pool,
  employeeNumber: string,
  leave: { fromDate: string; toDate: string; kind: string; note?: string | null },
  actor: Actor,
): Promise<void> {
  await inTransaction(pool, async (tx) => {
    const p = await lockedPerson(tx, employeeNumber);
    await people.insertLeave(tx, { personId: p.id, ...leave, note: leave.note ?? null });
    const sites = [p.home_site_id, ...(await people.extraSitesOf(tx, p.id))];
    await recordChange(tx, { kind: 'person', key: p.id, personHubId: p.hub_id, sites });
    await recordAudit(tx, {
      actor,
      action: 'person.leave',
      targetType: 'person',
      targetId: employeeNumber,
      details: leave,
    });
  });
}

export async function listPeople(pool: pg.Pool, siteCode?: string): Promise<people.PersonListRow[]> {
  const siteId = siteCode ? (await requireSite(pool, siteCode)).id : null;
  return people.listPeople(pool, siteId);
}
