/**
 * Score rules against the CHECKING half of the labelled identities (src/main/testing/identity-split.ts):
 * which rule separates genuine from impostor scores better, not only which threshold is stricter.
 * Each checking identity with at least 3 photos is enrolled from its first 2 and probed with every
 * other photo of it (bench/identification.ts). Strangers, all deterministic: the checking identities
 * with too few photos to enrol (never enrolled), and every enrolled identity in turn held out, all its
 * photos searched against the gallery of the others. Read twice: as just said (the figure quoted),
 * and over 5 enrolment rotations (identity enrolled from its photos r and r + 1, r = 0…4) for five
 * times the probes from the same photos.
 *
 * Rules (every parameter fitted on the FITTING half only):
 * - baseline: one embedding per face; the product's threshold for the searched gallery's size (the
 *   pack's impostor tail at the default FPIR, 0.1 %) and margin.
 * - flip: embedding = normalise(emb(aligned crop) + emb(the crop mirrored)), for templates and probes
 *   alike; the threshold from an impostor tail of flip-averaged vectors of the fitting half (what
 *   `npm run calibrate:pack` would store with flip-averaging on); also at the pack's threshold.
 * - cohort (on each kind of vector): the best person's score less the mean of the probe's next K
 *   people's scores (its impostor scores over the gallery); K and the threshold fitted on the fitting
 *   half over the 5 rotations (the lowest threshold naming none of its strangers); the raw margin kept.
 * - z-norm: (best − mean of the others) / their standard deviation, threshold fitted the same way.
 *
 * For information each rule is also read at the threshold that names no checking stranger, and the
 * checking half's 1:1 pairs are summarised per kind of vector (d′, genuine pairs below the top impostor).
 *
 *   node bin/run-ts.mjs bench/score-rules.bench.ts [--json out.json]   (table, then JSON on stdout)
 */
import './setup-env';
import { writeFileSync } from 'node:fs';
import { getPack } from '../src/main/engine/manifest';
import { l2normalize } from '../src/main/engine/recognizer';
import { pairScores } from '../src/main/services/calibrate';
import { galleryThreshold, summariseScores } from '../src/main/services/gallery-threshold';
import { DEFAULT_MARGIN, DEFAULT_TARGET_FPIR } from '../src/main/services/thresholds';
import { isFittingIdentity } from '../src/main/testing/identity-split';
import { embedLabelledPhotos, type LabelledPhotoEmbedding } from '../src/main/testing/labelled-embeddings';
import { ENROLL, enrollmentSplit, namedAs, rankPeople, type RankedPerson } from './identification';
import { argValue, table } from './stats';

type Vectors = 'plain' | 'flip';
const vectorOf: Record<Vectors, (s: LabelledPhotoEmbedding) => Float32Array> = {
  plain: (s) => s.embedding,
  flip: (s) => {
    const v = new Float32Array(s.embedding.length);
    for (let i = 0; i < v.length; i++) v[i] = s.embedding[i] + s.mirrored![i];
    return l2normalize(v);
  },
};

/** A rule's score for a ranked probe (higher: more likely the best-ranked person). */
type ScoreOf = (ranked: readonly RankedPerson[]) => number;
const raw: ScoreOf = (r) => r[0].score;
const cohort =
  (k: number): ScoreOf =>
  (r) => {
    const others = r.slice(1, 1 + k);
    return others.length ? r[0].score - others.reduce((a, o) => a + o.score, 0) / others.length : r[0].score;
  };
const znorm: ScoreOf = (r) => {
  const others = r.slice(1).map((o) => o.score);
  if (others.length < 2) return -Infinity;
  const mean = others.reduce((a, b) => a + b, 0) / others.length;
  const sd = Math.sqrt(others.reduce((a, b) => a + (b - mean) ** 2, 0) / (others.length - 1));
  return sd > 0 ? (r[0].score - mean) / sd : -Infinity;
};

interface Probe {
  ranked: RankedPerson[];
  /** Who it is, for a genuine probe; null for a stranger. */
  truth: string | null;
  /** People in the searched gallery (G for genuine probes and never-enrolled strangers, G − 1 held out). */
  searched: number;
}

/** Every genuine and stranger probe of a split in the given protocol runs, ranked against its gallery. */
function probesOf(samples: readonly LabelledPhotoEmbedding[], vectors: Vectors, rotations: readonly number[]) {
  const probes: Probe[] = [];
  let gallerySize = 0;
  for (const rotation of rotations) {
    const split = samples.map((s) => ({ label: s.label, vector: vectorOf[vectors](s) }));
    const { byLabel, enrolled, gallery } = enrollmentSplit(split, rotation);
    gallerySize = gallery.size;
    for (const [label, photos] of enrolled) {
      for (const p of photos.slice(ENROLL)) {
        probes.push({ ranked: rankPeople(gallery, p), truth: label, searched: gallery.size });
      }
    }
    for (const [label, photos] of byLabel) {
      const held = gallery.has(label);
      for (const p of photos) {
        const ranked = rankPeople(gallery, p, held ? label : undefined);
        probes.push({ ranked, truth: null, searched: gallery.size - (held ? 1 : 0) });
      }
    }
  }
  return { gallerySize, probes };
}

interface Outcome {
  genuine: number;
  identified: number;
  wrong: number;
  strangers: number;
  named: number;
}

function outcome(probes: readonly Probe[], score: ScoreOf, threshold: (searched: number) => number): Outcome {
  const o: Outcome = { genuine: 0, identified: 0, wrong: 0, strangers: 0, named: 0 };
  for (const p of probes) {
    const named = p.ranked.length ? namedAs(p.ranked, threshold(p.searched), DEFAULT_MARGIN, score(p.ranked)) : null;
    if (p.truth === null) {
      o.strangers++;
      if (named !== null) o.named++;
    } else {
      o.genuine++;
      if (named === p.truth) o.identified++;
      else if (named !== null) o.wrong++;
    }
  }
  return o;
}

/** The lowest threshold at which no stranger is named (just above the best stranger that keeps the margin). */
function zeroStrangerThreshold(probes: readonly Probe[], score: ScoreOf): number {
  let t = -Infinity;
  for (const p of probes) {
    if (p.truth !== null || !p.ranked.length) continue;
    if (namedAs(p.ranked, -Infinity, DEFAULT_MARGIN) !== null) t = Math.max(t, score(p.ranked));
  }
  return t + 1e-6;
}

const pack = getPack(undefined);
const samples = await embedLabelledPhotos({ mirrored: true });
const fitting = samples.filter((s) => isFittingIdentity(s.label));
const checking = samples.filter((s) => !isFittingIdentity(s.label));

/** The product's gallery threshold for G people from an impostor tail of the fitting half. */
const tailOf = (vectors: Vectors) => {
  const { impostor, genuine } = pairScores(fitting.map((s) => ({ label: s.label, embedding: vectorOf[vectors](s) })));
  return summariseScores(impostor, genuine);
};
const gallerySized = (tail: ReturnType<typeof tailOf>) => (G: number) =>
  galleryThreshold({
    tail: tail.impostorTail,
    genuine: tail.genuineQuantiles,
    gallerySize: G,
    targetFpir: DEFAULT_TARGET_FPIR,
    floor: pack.thresholds!.match,
  }).threshold;
const packThreshold = gallerySized({
  impostorTail: pack.thresholds!.impostorTail!,
  genuineQuantiles: pack.thresholds!.genuineQuantiles!,
});

interface Rule {
  name: string;
  vectors: Vectors;
  score: ScoreOf;
  threshold: (G: number) => number;
  fitted: string;
}
const rules: Rule[] = [];
const COHORT_K = [2, 3, 5, Infinity];
/** Protocol runs: the first two photos enrolled (the figure quoted), and 5 enrolment rotations (more probes). */
const FIRST = [0];
const ROTATIONS = [0, 1, 2, 3, 4];
for (const vectors of ['plain', 'flip'] as const) {
  const fit = probesOf(fitting, vectors, ROTATIONS).probes;
  if (vectors === 'plain') {
    rules.push({ name: 'baseline', vectors, score: raw, threshold: packThreshold, fitted: "pack's impostor tail" });
  } else {
    rules.push({
      name: 'flip',
      vectors,
      score: raw,
      threshold: gallerySized(tailOf('flip')),
      fitted: 'impostor tail of flip vectors, fitting half',
    });
    rules.push({
      name: 'flip @ pack threshold',
      vectors,
      score: raw,
      threshold: packThreshold,
      fitted: "pack's impostor tail",
    });
  }
  // Cohort: the K that identifies most of the fitting half at its own zero-stranger threshold.
  let best: { k: number; t: number; identified: number } | null = null;
  for (const k of COHORT_K) {
    const t = zeroStrangerThreshold(fit, cohort(k));
    const { identified } = outcome(fit, cohort(k), () => t);
    if (!best || identified > best.identified) best = { k, t, identified };
  }
  const { k, t } = best!;
  rules.push({
    name: `cohort K=${k === Infinity ? 'all' : k}${vectors === 'flip' ? ' + flip' : ''}`,
    vectors,
    score: cohort(k),
    threshold: () => t,
    fitted: 'K and threshold, fitting half',
  });
  const tz = zeroStrangerThreshold(fit, znorm);
  rules.push({
    name: `z-norm${vectors === 'flip' ? ' + flip' : ''}`,
    vectors,
    score: znorm,
    threshold: () => tz,
    fitted: 'threshold, fitting half',
  });
}

const round = (x: number) => Number(x.toFixed(4));
function readRules(rotations: readonly number[]) {
  const checkingProbes = { plain: probesOf(checking, 'plain', rotations), flip: probesOf(checking, 'flip', rotations) };
  const G = checkingProbes.plain.gallerySize;
  const rows = rules.map((r) => {
    const probes = checkingProbes[r.vectors].probes;
    const atProduct = outcome(probes, r.score, r.threshold);
    const t0 = zeroStrangerThreshold(probes, r.score);
    const atZero = outcome(probes, r.score, () => t0);
    return {
      rule: r.name,
      vectors: r.vectors,
      threshold: round(r.threshold(G)),
      threshold_fitted_on: r.fitted,
      genuine_probes: atProduct.genuine,
      identified: atProduct.identified,
      identified_rate: round(atProduct.identified / atProduct.genuine),
      wrong_person: atProduct.wrong,
      stranger_probes: atProduct.strangers,
      strangers_named: atProduct.named,
      at_zero_strangers: {
        threshold: round(t0),
        identified: atZero.identified,
        identified_rate: round(atZero.identified / atZero.genuine),
        wrong_person: atZero.wrong,
      },
    };
  });
  return { rotations, gallery_people: G, rows };
}

/** 1:1 separation of the checking half's pairs: d′ and the genuine pairs below the highest impostor. */
function pairFigures(vectors: Vectors) {
  const { genuine, impostor } = pairScores(checking.map((s) => ({ label: s.label, embedding: vectorOf[vectors](s) })));
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const variance = (a: number[]) => mean(a.map((x) => (x - mean(a)) ** 2));
  const maxImpostor = Math.max(...impostor);
  return {
    vectors,
    genuine_pairs: genuine.length,
    impostor_pairs: impostor.length,
    d_prime: round((mean(genuine) - mean(impostor)) / Math.sqrt((variance(genuine) + variance(impostor)) / 2)),
    max_impostor: round(maxImpostor),
    fnir_at_max_impostor: round(genuine.filter((g) => g <= maxImpostor).length / genuine.length),
  };
}

const readings = [readRules(FIRST), readRules(ROTATIONS)];
const pairs = [pairFigures('plain'), pairFigures('flip')];
const result = {
  bench: 'score-rules',
  split: 'checking half of labels.json identities (parameters fitted on the fitting half)',
  templates_per_person: ENROLL,
  target_fpir: DEFAULT_TARGET_FPIR,
  margin: DEFAULT_MARGIN,
  readings,
  pairs,
};
for (const r of readings) {
  console.log(
    `\nchecking half, enrolment rotation${r.rotations.length > 1 ? 's' : ''} ${r.rotations.join(', ')}: ${r.gallery_people} people ` +
      `enrolled from ${ENROLL} photos; margin ${DEFAULT_MARGIN}; gallery thresholds for G=${r.gallery_people} at FPIR ` +
      `${DEFAULT_TARGET_FPIR} (G−1 for held-out strangers)`,
  );
  console.log(
    table(
      ['rule', 'threshold', 'identified', 'wrong', 'strangers named', '0-stranger thr', 'identified', 'wrong'],
      r.rows.map((x) => [
        x.rule,
        x.threshold.toFixed(4),
        `${x.identified}/${x.genuine_probes} (${(x.identified_rate * 100).toFixed(1)} %)`,
        String(x.wrong_person),
        `${x.strangers_named}/${x.stranger_probes}`,
        x.at_zero_strangers.threshold.toFixed(4),
        `${x.at_zero_strangers.identified} (${(x.at_zero_strangers.identified_rate * 100).toFixed(1)} %)`,
        String(x.at_zero_strangers.wrong_person),
      ]),
    ),
  );
}
console.log('\nchecking half, 1:1 pairs');
console.log(
  table(
    ['vectors', 'genuine', 'impostor', "d'", 'max impostor', 'FNIR there'],
    pairs.map((p) => [
      p.vectors,
      String(p.genuine_pairs),
      String(p.impostor_pairs),
      p.d_prime.toFixed(3),
      p.max_impostor.toFixed(4),
      `${(p.fnir_at_max_impostor * 100).toFixed(1)} %`,
    ]),
  ),
);
console.log(JSON.stringify(result));
const out = argValue('--json');
if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
