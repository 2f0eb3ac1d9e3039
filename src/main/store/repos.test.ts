import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../testing/temp-db';
import { AuditRepo } from './audit-repo';
import { ConsentRepo } from './consent-repo';
import { ImportRepo } from './import-repo';
import { PeopleRepo } from './people-repo';
import { SettingsRepo } from './settings-repo';
import { TemplatesRepo } from './templates-repo';

let t: ReturnType<typeof tempDb>;
let clock = new Date('2026-01-05T01:00:00.000Z');
const now = () => clock;
beforeEach(() => {
  t = tempDb('hadir-repos-');
  clock = new Date('2026-01-05T01:00:00.000Z');
});
afterEach(() => t.cleanup());

describe('PeopleRepo', () => {
  it('searches number and name literally (LIKE wildcards escaped), filters and pages', () => {
    const people = new PeopleRepo(t.db, now);
    people.create({ employeeNumber: '100', fullName: 'Ani 100% Hadir', unit: 'A' });
    people.create({ employeeNumber: '1_1', fullName: 'budi', unit: 'B' });
    const c = people.create({ employeeNumber: '200', fullName: 'Citra', unit: 'A', active: false });
    expect(people.list({ search: '100%' }).map((p) => p.employee_number)).toEqual(['100']);
    expect(people.list({ search: '_' }).map((p) => p.employee_number)).toEqual(['1_1']);
    expect(people.list({ search: 'BUDI' }).map((p) => p.employee_number)).toEqual(['1_1']);
    expect(people.list({ unit: 'A', active: true }).map((p) => p.employee_number)).toEqual(['100']);
    expect(people.list({ limit: 1, offset: 1 }).map((p) => p.full_name)).toEqual(['budi']);
    expect(people.count({ unit: 'A' })).toBe(2);
    expect(c).toMatchObject({ active: false, created_at: clock.toISOString() });
    clock = new Date('2026-01-06T00:00:00.000Z');
    expect(people.update(c.id, { unit: null })).toMatchObject({
      unit: null,
      updated_at: clock.toISOString(),
      created_at: '2026-01-05T01:00:00.000Z',
    });
    expect(people.update(999, { unit: null })).toBeNull();
    expect(people.withoutTemplates('p').map((p) => p.employee_number)).toEqual(['100', '1_1']);
  });
});

describe('SettingsRepo', () => {
  it('stores JSON values per key, with defaults and prefixes', () => {
    const s = new SettingsRepo(t.db, now);
    expect(s.get('keepThumbnails')).toBeUndefined();
    expect(s.get('keepThumbnails', false)).toBe(false);
    s.set('keepThumbnails', true);
    s.set('thresholds.a', { match: 0.3 });
    s.set('thresholds.b', { match: 0.4 });
    s.set('thresholds.b', { match: 0.5 });
    expect(s.get('keepThumbnails')).toBe(true);
    expect(s.all('thresholds.')).toEqual({ 'thresholds.a': { match: 0.3 }, 'thresholds.b': { match: 0.5 } });
    expect(s.delete('thresholds.a')).toBe(true);
    expect(s.delete('thresholds.a')).toBe(false);
    expect(() => s.set('x', undefined)).toThrow();
  });
});

describe('AuditRepo', () => {
  it('records who did what, lists newest first with filters, and purges by age', () => {
    const audit = new AuditRepo(t.db, now);
    audit.record({
      actor: { type: 'operator', id: 'siti' },
      action: 'person.create',
      targetType: 'person',
      targetId: 1,
      details: { a: 1 },
    });
    clock = new Date('2026-02-01T00:00:00.000Z');
    audit.record({
      actor: { type: 'api_key', id: 'hr-sync' },
      action: 'person.update',
      targetType: 'person',
      targetId: 1,
    });
    audit.record({ actor: { type: 'system', id: null }, action: 'retention.purge' });
    expect(audit.list().map((e) => e.action)).toEqual(['retention.purge', 'person.update', 'person.create']);
    expect(audit.list({ targetType: 'person', targetId: 1, actorType: 'operator' })).toEqual([
      {
        id: 1,
        at: '2026-01-05T01:00:00.000Z',
        actor_type: 'operator',
        actor_id: 'siti',
        action: 'person.create',
        target_type: 'person',
        target_id: '1',
        details: { a: 1 },
      },
    ]);
    expect(audit.list({ from: '2026-01-10T00:00:00.000Z' })).toHaveLength(2);
    expect(audit.purgeBefore('2026-01-10T00:00:00.000Z')).toBe(1);
    expect(audit.list()).toHaveLength(2);
  });
});

describe('ConsentRepo, ImportRepo, TemplatesRepo housekeeping', () => {
  it('keeps consents per person, import progress per source, and clears old thumbnails', () => {
    const p = new PeopleRepo(t.db, now).create({ employeeNumber: '1', fullName: 'A' });
    const consents = new ConsentRepo(t.db);
    consents.record({
      personId: p.id,
      givenAt: '2026-01-05T01:00:00.000Z',
      recordedBy: 'operator:siti',
      method: 'signed form',
      note: 'form #12',
    });
    expect(consents.forPerson(p.id)).toEqual([
      {
        id: 1,
        person_id: p.id,
        given_at: '2026-01-05T01:00:00.000Z',
        recorded_by: 'operator:siti',
        method: 'signed form',
        note: 'form #12',
      },
    ]);
    const imports = new ImportRepo(t.db, now);
    imports.record({ source: '/x/1', runId: 'r1', status: 'rejected', reason: 'no_face' });
    imports.record({ source: '/x/1', runId: 'r2', status: 'enrolled', personId: p.id });
    expect(imports.get('/x/1')).toMatchObject({ run_id: 'r2', status: 'enrolled', person_id: p.id, reason: null });
    expect(imports.list('r2')).toHaveLength(1);
    const templates = new TemplatesRepo(t.db, now);
    const id = templates.insert({
      personId: p.id,
      packId: 'p',
      embedding: new Float32Array(4).fill(0.5),
      source: 'camera',
      thumbnail: new Uint8Array([1, 2]),
    });
    expect(templates.clearThumbnailsBefore('2026-01-01T00:00:00.000Z')).toBe(0);
    expect(templates.clearThumbnailsBefore('2026-02-01T00:00:00.000Z')).toBe(1);
    expect(templates.get(id)!.has_thumbnail).toBe(false);
    expect(templates.peopleByPack()).toEqual({ p: 1 });
  });
});
