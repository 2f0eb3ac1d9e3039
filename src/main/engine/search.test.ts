import { describe, expect, it } from 'vitest';
import {
  allocateTemplateMatrix,
  isAccelerated,
  scoreAll,
  topKPeople,
  topKTemplates,
  type PersonIds,
  type PersonMatch,
  type TemplateMatch,
} from './search';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function fillNormalisedRow(target: Float32Array, offset: number, d: number, random: () => number): void {
  let norm = 0;
  for (let j = 0; j < d; j++) {
    const v = gaussian(random);
    target[offset + j] = v;
    norm += v * v;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let j = 0; j < d; j++) target[offset + j] *= inv;
}

function randomProbe(d: number, random: () => number): Float32Array {
  const probe = new Float32Array(d);
  fillNormalisedRow(probe, 0, d, random);
  return probe;
}

type Layout = 'accelerated' | 'plain';
const LAYOUTS: Layout[] = ['accelerated', 'plain'];

function makeMatrix(layout: Layout, n: number, d: number): Float32Array {
  return layout === 'accelerated' ? allocateTemplateMatrix(n, d) : new Float32Array(n * d);
}

function randomMatrix(layout: Layout, n: number, d: number, random: () => number): Float32Array {
  const matrix = makeMatrix(layout, n, d);
  for (let i = 0; i < n; i++) fillNormalisedRow(matrix, i * d, d, random);
  return matrix;
}

function copyRow(matrix: Float32Array, d: number, from: number, to: number): void {
  matrix.copyWithin(to * d, from * d, from * d + d);
}

// ---------------------------------------------------------------------------------------------
// Naive reference: float64 dot products and a full sort
// ---------------------------------------------------------------------------------------------

function naiveScores(matrix: Float32Array, n: number, d: number, probe: Float32Array): number[] {
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += matrix[i * d + j] * probe[j];
    scores.push(s);
  }
  return scores;
}

function naiveTopTemplates(scores: number[], k: number): TemplateMatch[] {
  return scores
    .map((score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k);
}

function naiveTopPeople(scores: number[], personOf: PersonIds, k: number): PersonMatch[] {
  const best = new Map<number, PersonMatch>();
  scores.forEach((score, templateIndex) => {
    const personId = personOf[templateIndex];
    const held = best.get(personId);
    if (!held || score > held.score) best.set(personId, { personId, score, templateIndex });
  });
  return [...best.values()].sort((a, b) => b.score - a.score || a.personId - b.personId).slice(0, k);
}

/** Float32 scores differ from float64 ones by ~1e-7; far below the gaps between distinct scores. */
const SCORE_TOLERANCE = 1e-5;

/**
 * Same answer as the reference: same length, same scores position by position, and the same
 * row at every position except where the reference itself has a near-tie there (where float32
 * rounding may order two rows either way). Returns how many positions needed that allowance.
 */
function expectSameTemplates(actual: TemplateMatch[], expected: TemplateMatch[], exact: number[]): number {
  expect(actual.length).toBe(expected.length);
  let nearTies = 0;
  actual.forEach((match, position) => {
    expect(match.score).toBeCloseTo(expected[position].score, 5);
    expect(Math.abs(exact[match.index] - match.score)).toBeLessThan(SCORE_TOLERANCE);
    if (match.index !== expected[position].index) {
      nearTies++;
      expect(Math.abs(exact[match.index] - exact[expected[position].index])).toBeLessThan(SCORE_TOLERANCE);
    }
  });
  expect(new Set(actual.map((m) => m.index)).size).toBe(actual.length);
  return nearTies;
}

function expectSamePeople(
  actual: PersonMatch[],
  expected: PersonMatch[],
  exact: number[],
  personOf: PersonIds,
): number {
  expect(actual.length).toBe(expected.length);
  let nearTies = 0;
  actual.forEach((match, position) => {
    expect(match.score).toBeCloseTo(expected[position].score, 5);
    expect(personOf[match.templateIndex]).toBe(match.personId);
    expect(Math.abs(exact[match.templateIndex] - match.score)).toBeLessThan(SCORE_TOLERANCE);
    if (match.personId !== expected[position].personId || match.templateIndex !== expected[position].templateIndex) {
      nearTies++;
      expect(Math.abs(exact[match.templateIndex] - exact[expected[position].templateIndex])).toBeLessThan(
        SCORE_TOLERANCE,
      );
    }
  });
  expect(new Set(actual.map((m) => m.personId)).size).toBe(actual.length);
  return nearTies;
}

/**
 * The kernel's exact float32 arithmetic, step by step: 16 lane accumulators (4 vectors × 4
 * lanes) over whole 16-float blocks, vectors folded as (a0 + a1) + (a2 + a3), then 4-float
 * blocks into a0, lanes folded as (l0 + l1) + (l2 + l3), then the last d % 4 floats.
 */
function kernelReferenceScore(row: Float32Array, probe: Float32Array, d: number): number {
  const f = Math.fround;
  const lanes = new Array<number>(16).fill(0);
  const end16 = d - (d % 16);
  const end4 = d - (d % 4);
  let j = 0;
  for (; j < end16; j++) lanes[j % 16] = f(lanes[j % 16] + f(row[j] * probe[j]));
  const folded = [0, 1, 2, 3].map((l) => f(f(lanes[l] + lanes[4 + l]) + f(lanes[8 + l] + lanes[12 + l])));
  for (; j < end4; j++) folded[j % 4] = f(folded[j % 4] + f(row[j] * probe[j]));
  let sum = f(f(folded[0] + folded[1]) + f(folded[2] + folded[3]));
  for (; j < d; j++) sum = f(sum + f(row[j] * probe[j]));
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('allocateTemplateMatrix', () => {
  it('places matrices on the WebAssembly SIMD kernel, and leaves plain arrays on the JavaScript path', () => {
    const matrix = allocateTemplateMatrix(100, 128);
    expect(matrix.length).toBe(100 * 128);
    expect(matrix.every((v) => v === 0)).toBe(true);
    expect(isAccelerated(matrix)).toBe(true);
    expect(isAccelerated(matrix.subarray(128 * 10))).toBe(true);
    expect(isAccelerated(new Float32Array(100 * 128))).toBe(false);
  });

  it('gives each matrix its own memory', () => {
    const a = allocateTemplateMatrix(4, 8);
    const b = allocateTemplateMatrix(4, 8);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it('rejects shapes that are not whole numbers', () => {
    expect(() => allocateTemplateMatrix(-1, 128)).toThrow(RangeError);
    expect(() => allocateTemplateMatrix(10, 0)).toThrow(RangeError);
    expect(() => allocateTemplateMatrix(1.5, 128)).toThrow(RangeError);
  });
});

describe('scoreAll', () => {
  it.each([1, 3, 4, 7, 15, 16, 17, 21, 37, 100, 128, 131, 512])(
    'the SIMD kernel computes exactly the float32 arithmetic it documents (d = %i)',
    (d) => {
      const random = seededRandom(1000 + d);
      const n = 57;
      const matrix = randomMatrix('accelerated', n, d, random);
      const probe = randomProbe(d, random);
      const scores = scoreAll(matrix, n, d, probe);
      for (let i = 0; i < n; i++) {
        expect(scores[i]).toBe(kernelReferenceScore(matrix.subarray(i * d, i * d + d), probe, d));
      }
    },
  );

  for (const layout of LAYOUTS) {
    it.each([128, 512])(`${layout}: agrees with float64 dot products (d = %i)`, (d) => {
      const random = seededRandom(d);
      const n = 300;
      const matrix = randomMatrix(layout, n, d, random);
      const probe = randomProbe(d, random);
      const exact = naiveScores(matrix, n, d, probe);
      const scores = scoreAll(matrix, n, d, probe);
      expect(scores.length).toBe(n);
      for (let i = 0; i < n; i++) expect(Math.abs(scores[i] - exact[i])).toBeLessThan(1e-6);
    });
  }

  it('writes into the given array, and scores only the first n rows', () => {
    const d = 128;
    const random = seededRandom(7);
    const matrix = randomMatrix('accelerated', 50, d, random);
    const probe = randomProbe(d, random);
    const out = new Float32Array(60).fill(-7);
    expect(scoreAll(matrix, 40, d, probe, out)).toBe(out);
    const exact = naiveScores(matrix, 40, d, probe);
    for (let i = 0; i < 40; i++) expect(Math.abs(out[i] - exact[i])).toBeLessThan(1e-6);
    expect(out[40]).toBe(-7);
    expect(() => scoreAll(matrix, 50, d, probe, new Float32Array(49))).toThrow(RangeError);
  });

  it('scores a view that starts part-way into an accelerated matrix', () => {
    const d = 512;
    const random = seededRandom(8);
    const matrix = randomMatrix('accelerated', 30, d, random);
    const probe = randomProbe(d, random);
    const tail = matrix.subarray(10 * d);
    const scores = scoreAll(tail, 20, d, probe);
    const exact = naiveScores(tail, 20, d, probe);
    for (let i = 0; i < 20; i++) expect(Math.abs(scores[i] - exact[i])).toBeLessThan(1e-6);
  });

  it('gives identical rows identical scores on both paths', () => {
    const d = 512;
    const random = seededRandom(9);
    for (const layout of LAYOUTS) {
      const matrix = randomMatrix(layout, 10, d, random);
      copyRow(matrix, d, 2, 7);
      const scores = scoreAll(matrix, 10, d, randomProbe(d, random));
      expect(scores[7]).toBe(scores[2]);
    }
  });

  it('returns nothing for N = 0', () => {
    expect(scoreAll(new Float32Array(0), 0, 128, new Float32Array(128)).length).toBe(0);
    expect(scoreAll(allocateTemplateMatrix(0, 128), 0, 128, new Float32Array(128)).length).toBe(0);
  });

  it('rejects a matrix or probe too small for the stated shape', () => {
    expect(() => scoreAll(new Float32Array(127), 1, 128, new Float32Array(128))).toThrow(RangeError);
    expect(() => scoreAll(new Float32Array(128), 1, 128, new Float32Array(127))).toThrow(RangeError);
    expect(() => scoreAll(new Float32Array(128), -1, 128, new Float32Array(128))).toThrow(RangeError);
    expect(() => scoreAll(new Float32Array(128), 1, 0, new Float32Array(128))).toThrow(RangeError);
  });
});

describe.each(LAYOUTS)('topKTemplates (%s)', (layout) => {
  it.each([
    [128, 1000, 1],
    [128, 1000, 5],
    [128, 5000, 50],
    [512, 1000, 5],
    [512, 3000, 100],
  ])('agrees with a full sort of float64 scores (d = %i, N = %i, k = %i)', (d, n, k) => {
    const random = seededRandom(d * 7 + n + k);
    const matrix = randomMatrix(layout, n, d, random);
    let nearTies = 0;
    for (let trial = 0; trial < 5; trial++) {
      // Probes near an enrolled row, as in real use, and unrelated ones.
      const probe = randomProbe(d, random);
      if (trial % 2 === 0) {
        const target = Math.floor(random() * n);
        for (let j = 0; j < d; j++) probe[j] = 0.6 * matrix[target * d + j] + 0.4 * probe[j];
      }
      const exact = naiveScores(matrix, n, d, probe);
      nearTies += expectSameTemplates(topKTemplates(matrix, n, d, probe, k), naiveTopTemplates(exact, k), exact);
    }
    expect(nearTies).toBe(0);
  });

  it('breaks exact ties (duplicate rows) by the lower row', () => {
    const d = 128;
    const random = seededRandom(21);
    const n = 200;
    const matrix = randomMatrix(layout, n, d, random);
    const probe = matrix.slice(120 * d, 121 * d);
    // The best row, duplicated before and after itself; the heap fills with other rows first.
    for (const row of [150, 40, 199]) copyRow(matrix, d, 120, row);
    expect(topKTemplates(matrix, n, d, probe, 1).map((m) => m.index)).toEqual([40]);
    expect(topKTemplates(matrix, n, d, probe, 3).map((m) => m.index)).toEqual([40, 120, 150]);
    const top5 = topKTemplates(matrix, n, d, probe, 5);
    expect(top5.slice(0, 4).map((m) => m.index)).toEqual([40, 120, 150, 199]);
    expect(new Set(top5.slice(0, 4).map((m) => m.score)).size).toBe(1);
  });

  it('breaks ties among equal low scores by the lower row', () => {
    const d = 16;
    const matrix = makeMatrix(layout, 10, d);
    // Rows 0..9: scores 0.5, 0.1, 0.1, 0.9, 0.1, 0.5, 0.1, 0.1, 0.9, 0.1 against e0.
    [0.5, 0.1, 0.1, 0.9, 0.1, 0.5, 0.1, 0.1, 0.9, 0.1].forEach((v, i) => (matrix[i * d] = v));
    const probe = new Float32Array(d);
    probe[0] = 1;
    expect(topKTemplates(matrix, 10, d, probe, 6).map((m) => m.index)).toEqual([3, 8, 0, 5, 1, 2]);
  });

  it('returns all N rows, sorted, when k > N; nothing when k = 0 or N = 0', () => {
    const d = 512;
    const random = seededRandom(22);
    const matrix = randomMatrix(layout, 37, d, random);
    const probe = randomProbe(d, random);
    const exact = naiveScores(matrix, 37, d, probe);
    expectSameTemplates(topKTemplates(matrix, 37, d, probe, 1000), naiveTopTemplates(exact, 37), exact);
    expect(topKTemplates(matrix, 37, d, probe, Infinity)).toHaveLength(37);
    expect(topKTemplates(matrix, 37, d, probe, 0)).toEqual([]);
    expect(topKTemplates(matrix, 0, d, probe, 5)).toEqual([]);
    expect(topKTemplates(makeMatrix(layout, 0, d), 0, d, probe, 5)).toEqual([]);
  });

  it('never returns a row whose score is NaN', () => {
    const d = 128;
    const random = seededRandom(23);
    const matrix = randomMatrix(layout, 20, d, random);
    matrix[3 * d + 5] = NaN;
    const result = topKTemplates(matrix, 20, d, randomProbe(d, random), 100);
    expect(result).toHaveLength(19);
    expect(result.some((m) => m.index === 3)).toBe(false);
  });

  it('rejects a k that is negative, fractional or NaN', () => {
    const matrix = makeMatrix(layout, 2, 4);
    const probe = new Float32Array(4);
    for (const k of [-1, 1.5, NaN]) expect(() => topKTemplates(matrix, 2, 4, probe, k)).toThrow(RangeError);
  });
});

describe.each(LAYOUTS)('topKPeople (%s)', (layout) => {
  /** ~3 templates per person, ids spread out and not in row order. */
  function randomPeople(n: number, random: () => number): Int32Array {
    const people = Math.max(1, Math.floor(n / 3));
    const ids = Array.from({ length: people }, (_, p) => 1_000_003 * p + 17);
    const personOf = new Int32Array(n);
    for (let i = 0; i < n; i++) personOf[i] = ids[Math.floor(random() * people)] % 2_000_000_011;
    return personOf;
  }

  it.each([
    [128, 1000, 1],
    [128, 1000, 5],
    [128, 6000, 40],
    [512, 1000, 5],
    [512, 3000, 100],
  ])('agrees with a per-person max and full sort (d = %i, N = %i, k = %i)', (d, n, k) => {
    const random = seededRandom(d * 13 + n + k);
    const matrix = randomMatrix(layout, n, d, random);
    const personOf = randomPeople(n, random);
    let nearTies = 0;
    for (let trial = 0; trial < 5; trial++) {
      const probe = randomProbe(d, random);
      if (trial % 2 === 0) {
        const target = Math.floor(random() * n);
        for (let j = 0; j < d; j++) probe[j] = 0.6 * matrix[target * d + j] + 0.4 * probe[j];
      }
      const exact = naiveScores(matrix, n, d, probe);
      const actual = topKPeople(matrix, n, d, personOf, probe, k);
      nearTies += expectSamePeople(actual, naiveTopPeople(exact, personOf, k), exact, personOf);
    }
    expect(nearTies).toBe(0);
  });

  it.each([128, 512])('holds one person with 50 templates among 1000 once (d = %i)', (d) => {
    const random = seededRandom(31 + d);
    const n = 1000;
    const matrix = randomMatrix(layout, n, d, random);
    const personOf = new Uint32Array(n);
    // Everyone else: ids above 2^31 (Uint32Array), one template each, in no particular order.
    for (let i = 0; i < n; i++) personOf[i] = 3_000_000_000 + ((i * 7919) % 1_000_003);
    const manyRows: number[] = [];
    for (let t = 0; t < 50; t++) manyRows.push(Math.floor((t * n) / 50) + (t % 7));
    const anchor = manyRows[10];
    for (const row of manyRows) {
      personOf[row] = 42;
      // The person's templates cluster around one face, so they crowd the top of the row ranking.
      for (let j = 0; j < d; j++) matrix[row * d + j] = 0.9 * matrix[anchor * d + j] + 0.1 * gaussian(random) * 0.1;
      let norm = 0;
      for (let j = 0; j < d; j++) norm += matrix[row * d + j] ** 2;
      for (let j = 0; j < d; j++) matrix[row * d + j] /= Math.sqrt(norm);
    }
    const probe = matrix.slice(anchor * d, anchor * d + d);
    for (let j = 0; j < d; j++) probe[j] += 0.01 * gaussian(random);
    const exact = naiveScores(matrix, n, d, probe);
    const topRows = naiveTopTemplates(exact, 50).map((m) => m.index);
    expect(topRows.every((row) => personOf[row] === 42)).toBe(true);

    for (const k of [1, 5, 20, Infinity]) {
      const actual = topKPeople(matrix, n, d, personOf, probe, k);
      const expected = naiveTopPeople(exact, personOf, k);
      expect(expectSamePeople(actual, expected, exact, personOf)).toBe(0);
      expect(actual[0].personId).toBe(42);
      expect(actual.filter((m) => m.personId === 42)).toHaveLength(1);
    }
    expect(topKPeople(matrix, n, d, personOf, probe, Infinity)).toHaveLength(new Set(personOf).size);
  });

  it('breaks exact ties (duplicate rows) by the lower person id, and a person’s own by the lower row', () => {
    const d = 512;
    const random = seededRandom(41);
    const n = 300;
    const matrix = randomMatrix(layout, n, d, random);
    const personOf = new Int32Array(n);
    for (let i = 0; i < n; i++) personOf[i] = 10_000 + i;
    const probe = matrix.slice(200 * d, 201 * d);
    // Row 200 is the best; copies go to person 99 (row 20), person 17 (row 250) and
    // person 5 twice (rows 210 and 280), so the lower id arrives last and must displace the root.
    personOf[200] = 64;
    for (const [row, person] of [
      [20, 99],
      [250, 17],
      [210, 5],
      [280, 5],
    ]) {
      copyRow(matrix, d, 200, row);
      personOf[row] = person;
    }
    const pick = (k: number) =>
      topKPeople(matrix, n, d, personOf, probe, k).map((m) => [m.personId, m.templateIndex] as const);
    expect(pick(1)).toEqual([[5, 210]]);
    expect(pick(2)).toEqual([
      [5, 210],
      [17, 250],
    ]);
    expect(pick(4)).toEqual([
      [5, 210],
      [17, 250],
      [64, 200],
      [99, 20],
    ]);
    const top = topKPeople(matrix, n, d, personOf, probe, 4);
    expect(new Set(top.map((m) => m.score)).size).toBe(1);
  });

  it('returns every person when k exceeds their number; nothing when k = 0 or N = 0', () => {
    const d = 128;
    const random = seededRandom(42);
    const n = 90;
    const matrix = randomMatrix(layout, n, d, random);
    const personOf = new Int32Array(n).map((_, i) => -5 + 3 * (i % 13)); // 13 people, some ids negative
    const probe = randomProbe(d, random);
    const exact = naiveScores(matrix, n, d, probe);
    const all = topKPeople(matrix, n, d, personOf, probe, 50);
    expect(all).toHaveLength(13);
    expectSamePeople(all, naiveTopPeople(exact, personOf, 13), exact, personOf);
    expect(topKPeople(matrix, n, d, personOf, probe, 1_000_000)).toEqual(all);
    expect(topKPeople(matrix, n, d, personOf, probe, 0)).toEqual([]);
    expect(topKPeople(matrix, 0, d, personOf, probe, 5)).toEqual([]);
    expect(topKPeople(makeMatrix(layout, 0, d), 0, d, new Int32Array(0), probe, 5)).toEqual([]);
  });

  it('rejects a personOf shorter than N', () => {
    const matrix = makeMatrix(layout, 4, 8);
    expect(() => topKPeople(matrix, 4, 8, new Int32Array(3), new Float32Array(8), 1)).toThrow(RangeError);
  });
});
