import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HadirError } from '../../shared/errors';
import { getPack } from '../engine/manifest';
import { Gallery } from '../store/gallery';
import { PeopleRepo } from '../store/people-repo';
import { SettingsRepo } from '../store/settings-repo';
import { TemplatesRepo } from '../store/templates-repo';
import { nearby, randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import { decide, Identifier } from './identify';
import { DEFAULT_MARGIN, MARGIN_KEY, matchPolicy, thresholdsKey, type MatchPolicy } from './thresholds';

const D = 64;
const policy: MatchPolicy = { threshold: 0.3, margin: 0.1, thresholdSource: 'pack' };
const pm = (personId: number, score: number) => ({ personId, score, templateIndex: 0 });

describe('decide', () => {
  it('matches above the threshold with the margin, is ambiguous without it, unknown below', () => {
    expect(decide(pm(1, 0.5), pm(2, 0.2), policy).decision).toBe('match');
    expect(decide(pm(1, 0.3), pm(2, 0.125), policy).decision).toBe('match'); // the threshold is inclusive
    expect(decide(pm(1, 0.5), pm(2, 0.45), policy).decision).toBe('ambiguous');
    expect(decide(pm(1, 0.29), pm(2, 0), policy).decision).toBe('unknown');
    expect(decide(pm(1, 0.5), undefined, policy)).toEqual({ decision: 'match', score: 0.5, secondScore: 0 });
    expect(decide(undefined, undefined, policy)).toEqual({ decision: 'unknown', score: 0, secondScore: 0 });
    expect(decide(pm(1, NaN), undefined, policy).decision).toBe('unknown');
  });
});

describe('Identifier', () => {
  let t: ReturnType<typeof tempDb>;
  let people: PeopleRepo;
  let templates: TemplatesRepo;
  let gallery: Gallery;
  let identifier: Identifier;
  const base = randomUnitVectors(4, D, 3);
  const ids: number[] = [];

  beforeEach(() => {
    t = tempDb('hadir-identify-');
    people = new PeopleRepo(t.db);
    templates = new TemplatesRepo(t.db);
    ids.length = 0;
    base.forEach((b, i) => {
      const p = people.create({ employeeNumber: `N${i}`, fullName: `Person ${i}` });
      ids.push(p.id);
      // Two templates each: the person scores by the better one.
      templates.insert({ personId: p.id, packId: 'p', embedding: b, source: 'upload' });
      templates.insert({ personId: p.id, packId: 'p', embedding: nearby(b, 0.7, 100 + i), source: 'upload' });
    });
    gallery = Gallery.load(t.db, templates, 'p', D);
    identifier = new Identifier(gallery, people, () => policy);
  });
  afterEach(() => t.cleanup());

  it('names a person by their best template, the runner-up being another person', () => {
    const id = identifier.identify(nearby(base[1], 0.8, 7));
    expect(id).toMatchObject({ person_id: ids[1], employee_number: 'N1', name: 'Person 1', decision: 'match' });
    expect(id.score).toBeCloseTo(0.8, 5);
    expect(id.second_score).toBeLessThan(0.5);
  });

  it('says unknown for a stranger and ambiguous between two close people, naming nobody', () => {
    const stranger = identifier.identify(randomUnitVectors(1, D, 55)[0]);
    expect(stranger).toMatchObject({ decision: 'unknown', person_id: null, employee_number: null, name: null });
    // A probe halfway between persons 0 and 2 scores them alike.
    const mid = new Float32Array(D);
    for (let j = 0; j < D; j++) mid[j] = base[0][j] + base[2][j];
    const id = identifier.identify(mid.map((v) => v / Math.hypot(...mid)));
    expect(id.decision).toBe('ambiguous');
    expect(id.person_id).toBeNull();
    expect(id.score).toBeGreaterThan(policy.threshold);
  });

  it('gives one person to at most one face of a frame: the better face keeps them, the other falls back', () => {
    // Face A: clearly person 0 (0.9). Face B: person 0 too (0.6), else person 3 (0.5 via its own probe mix).
    const a = nearby(base[0], 0.9, 11);
    const b = new Float32Array(D);
    for (let j = 0; j < D; j++) b[j] = 0.75 * base[0][j] + 0.62 * base[3][j];
    const bn = b.map((v) => v / Math.hypot(...b));
    const alone = identifier.identify(bn);
    expect(alone.person_id).toBe(ids[0]);
    const [ia, ib] = identifier.identifyFaces([bn, a]);
    expect(ib).toMatchObject({ person_id: ids[0], decision: 'match' });
    // B falls to person 3, judged against the people still free.
    expect(ia.person_id).toBe(ids[3]);
    expect(ia.decision).toBe('match');
    expect(ia.score).toBeLessThan(alone.score);
    // Two faces of one person in one frame (a photo held beside a face): only one is named.
    const twins = identifier.identifyFaces([nearby(base[2], 0.8, 1), nearby(base[2], 0.85, 2)]);
    expect(twins.filter((i) => i.person_id === ids[2])).toHaveLength(1);
    expect(twins[1].person_id).toBe(ids[2]);
    expect(twins[0].decision).not.toBe('match');
    // Faces without an embedding are unknown; an empty frame is empty.
    expect(identifier.identifyFaces([null, a])[0].decision).toBe('unknown');
    expect(identifier.identifyFaces([])).toEqual([]);
  });

  it('can leave people out (enrollment asking "who else is this?")', () => {
    const id = identifier.identifyFaces([nearby(base[1], 0.8, 7)], { exclude: [ids[1]] })[0];
    expect(id.person_id).not.toBe(ids[1]);
  });

  it('answers unknown for everyone on an empty gallery', () => {
    for (const id of ids) people.delete(id);
    expect(identifier.identify(base[0])).toMatchObject({ decision: 'unknown', score: 0, second_score: 0 });
  });
});

describe('matchPolicy', () => {
  it('follows the gallery by default, falls back to the pack threshold, and a stored calibration wins', () => {
    const t = tempDb('hadir-policy-');
    try {
      const settings = new SettingsRepo(t.db);
      const pack = getPack('mbf-y1');
      expect(matchPolicy(settings, pack, 20)).toMatchObject({ margin: DEFAULT_MARGIN, thresholdSource: 'gallery' });
      const { impostorTail: _t, genuineQuantiles: _g, ...plain } = pack.thresholds!;
      expect(matchPolicy(settings, { ...pack, thresholds: plain })).toEqual({
        threshold: pack.thresholds!.match,
        margin: DEFAULT_MARGIN,
        thresholdSource: 'pack',
      });
      settings.set(thresholdsKey('mbf-y1'), { match: 0.35, far: 1e-4, source: 'test', calibratedAt: 'now' });
      settings.set(MARGIN_KEY, 0.05);
      expect(matchPolicy(settings, pack)).toEqual({ threshold: 0.35, margin: 0.05, thresholdSource: 'settings' });
      // A pack without a threshold refuses to identify rather than guess.
      expect(() => matchPolicy(settings, { ...pack, id: 'x', thresholds: null })).toThrow(HadirError);
      settings.set(MARGIN_KEY, -1);
      expect(() => matchPolicy(settings, pack)).toThrow(/margin/);
    } finally {
      t.cleanup();
    }
  });
});
