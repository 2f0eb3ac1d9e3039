import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import { getPack } from '../engine/manifest';
import { syntheticFace, syntheticSample } from '../testing/synthetic-enrollment';
import { nearby, normalise, randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import type { FaceAnalyzer } from './analyzer';
import { FaceService } from './face-service';

/**
 * Enrollment's duplicate check is identification's decision (issue 15, item 7): the threshold for the
 * searched gallery's size G at the site's target FPIR, and the margin over the runner-up — never the
 * pack's 1:1 threshold, which calls look-alikes the same person and, at thousands of people, would
 * refuse many genuine newcomers. Through the real FaceService, the default pack's real score
 * distributions and a real SQLite file; only the embeddings are synthetic (seeded, so deterministic).
 */

const pack = getPack('mbf-y1');
const D = pack.recognizer.embeddingSize;
const ONE_TO_ONE = pack.thresholds!.match!;
const noModels: FaceAnalyzer = { pack, analyzeImage: () => Promise.reject(new Error('no models here')) };
const actor: Actor = { type: 'operator', id: 'siti' };
const consent = { method: 'on-screen' };

/** Person X, and a newcomer who resembles X (a sibling, say) without being X. */
const [x, ...randomOthers] = randomUnitVectors(50, D, 1507);
const lookAlike = nearby(x, 0.36, 4242);
/**
 * 49 other people who resemble neither (their components along X and the look-alike taken out), so
 * the look-alike's runner-up is far below it and the margin rule cannot be what lets them in.
 */
const others = randomOthers.map((o) => {
  const basis = [x, nearby(x, 0, 4242)]; // x and the look-alike's direction away from x: an orthonormal pair
  const out = Float32Array.from(o);
  for (const b of basis) {
    let dot = 0;
    for (let j = 0; j < D; j++) dot += out[j] * b[j];
    for (let j = 0; j < D; j++) out[j] -= dot * b[j];
  }
  return normalise(out);
});
/** Three photos of one face: close copies of it, as a good camera enrollment gives. */
const photosOf = (face: Float32Array, seed: number) =>
  [1, 2, 3].map((i) => syntheticSample(syntheticFace(nearby(face, 0.97, seed + i))));

describe('the duplicate check at enrollment follows the gallery size', () => {
  let t: ReturnType<typeof tempDb>;
  let service: FaceService;
  beforeEach(() => {
    t = tempDb('hadir-dup-threshold-');
    service = FaceService.open({ db: t.db, analyzer: noModels });
  });
  afterEach(() => t.cleanup());

  const enroll = (face: Float32Array, employeeNumber: string, seed: number) =>
    service.enroll({
      person: { employeeNumber, fullName: `Pegawai ${employeeNumber}` },
      samples: photosOf(face, seed),
      consent,
      actor,
    });
  const enrollOk = (face: Float32Array, employeeNumber: string, seed: number) => {
    const r = enroll(face, employeeNumber, seed);
    if (!r.ok) throw new Error(`${employeeNumber}: ${r.refusal.message}`);
    return r.person;
  };

  /** How the look-alike's photos score against the gallery as it is now (the best of the three). */
  const lookAlikeScores = () => {
    const ids = photosOf(lookAlike, 700).map((s) => service.identify(s.faces[0].embedding!));
    return ids.reduce((a, b) => (b.score > a.score ? b : a));
  };

  it('in a gallery of 50, lets in a look-alike the 1:1 threshold would refuse, and still refuses the same person', () => {
    const xPerson = enrollOk(x, 'X-1', 0);
    others.forEach((face, i) => enrollOk(face, `O-${i}`, 100 + 10 * i));
    const policy = service.policy();
    expect(policy.thresholdSource).toBe('gallery');
    expect(policy.gallery?.gallerySize).toBe(50);
    // The premise: at G = 50 the threshold is well above the pack's 1:1 threshold, and the look-alike
    // scores between the two, clear of everyone else by more than the margin. A check at the 1:1
    // threshold would therefore call the newcomer a duplicate of X.
    expect(policy.threshold).toBeGreaterThan(ONE_TO_ONE + 0.05);
    const best = lookAlikeScores();
    expect(best.score).toBeGreaterThan(ONE_TO_ONE);
    expect(best.score).toBeLessThan(policy.threshold);
    expect(best.score - best.second_score).toBeGreaterThanOrEqual(policy.margin);
    expect(best.decision).toBe('unknown');

    const newcomer = service.enroll({
      person: { employeeNumber: 'N-1', fullName: 'Adik X' },
      samples: photosOf(lookAlike, 700),
      consent,
      actor,
    });
    expect(newcomer).toMatchObject({ ok: true, person: { employee_number: 'N-1' } });

    // X again, under another number: a duplicate, naming X with the similarity.
    const again = enroll(x, 'X-2', 900);
    expect(again).toMatchObject({
      ok: false,
      refusal: { code: 'duplicate', duplicate: { person_id: xPerson.id, employee_number: 'X-1', name: 'Pegawai X-1' } },
    });
    if (!again.ok) expect(again.refusal.duplicate!.score).toBeGreaterThanOrEqual(service.policy().threshold);
  });

  it('in a gallery of one, the same look-alike is over the (lower) threshold and refused as a duplicate', () => {
    const xPerson = enrollOk(x, 'X-1', 0);
    const policy = service.policy();
    expect(policy.gallery?.gallerySize).toBe(1);
    const best = lookAlikeScores();
    expect(best.score).toBeGreaterThanOrEqual(policy.threshold);
    const r = service.enroll({
      person: { employeeNumber: 'N-1', fullName: 'Adik X' },
      samples: photosOf(lookAlike, 700),
      consent,
      actor,
    });
    expect(r).toMatchObject({ ok: false, refusal: { code: 'duplicate', duplicate: { person_id: xPerson.id } } });
  });

  it('applies the margin: a face close to two enrolled people is ambiguous, not a duplicate of either', () => {
    // Two enrolled people who look alike each other, and a newcomer between them: above the threshold
    // for both, by less than the margin over the runner-up. Identification would name neither.
    const a = nearby(x, 0.6, 31);
    enrollOk(x, 'X-1', 0);
    // A and X are alike enough to be a duplicate: the operator confirmed they are two people.
    expect(
      service.enroll({
        person: { employeeNumber: 'A-1', fullName: 'Kembaran X' },
        samples: photosOf(a, 50),
        consent,
        actor,
        confirmDuplicate: true,
      }).ok,
    ).toBe(true);
    const between = normalise(x.map((v, j) => v + a[j]));
    const policy = service.policy();
    const id = service.identify(between);
    expect(id.score).toBeGreaterThanOrEqual(policy.threshold);
    expect(id.decision).toBe('ambiguous');
    const r = enroll(between, 'N-2', 300);
    expect(r.ok).toBe(true);
  });
});
