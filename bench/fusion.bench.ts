/**
 * Identification on the CHECKING half of the labelled identities (src/main/testing/identity-split.ts;
 * nothing here was fitted on it): each identity with at least 3 photos is enrolled from its first 2,
 * the rest are probes; identities with fewer photos, and every enrolled identity against a gallery
 * without it, are strangers. The threshold is the one in force for this gallery (the pack's tail at
 * the default target FPIR, 0.1 %), with the default margin. Fusion: k different photos of one person
 * are averaged as if they were k kiosk frames (liveness off), as the kiosk does (frame-fusion.ts).
 *
 *   npm run bench:fusion   (JSON on stdout after the table; --json for JSON only)
 */
import './setup-env';
import { getPack } from '../src/main/engine/manifest';
import { fuseEmbeddings } from '../src/main/services/frame-fusion';
import { galleryThreshold } from '../src/main/services/gallery-threshold';
import { DEFAULT_MARGIN, DEFAULT_TARGET_FPIR } from '../src/main/services/thresholds';
import { isFittingIdentity } from '../src/main/testing/identity-split';
import { embedLabelledPhotos } from '../src/main/testing/labelled-embeddings';
import { ENROLL, enrollmentSplit, namedAs, rankPeople } from './identification';

const jsonOnly = process.argv.includes('--json');

const pack = getPack(undefined);
const samples = (await embedLabelledPhotos()).filter((s) => !isFittingIdentity(s.label));
const { byLabel, enrolled, gallery } = enrollmentSplit(samples.map((s) => ({ label: s.label, vector: s.embedding })));
const policy = galleryThreshold({
  tail: pack.thresholds!.impostorTail!,
  genuine: pack.thresholds!.genuineQuantiles,
  gallerySize: gallery.size,
  targetFpir: DEFAULT_TARGET_FPIR,
  floor: pack.thresholds!.match,
});

/** Who a probe is named as (threshold and margin over the best other person), or null. */
const decide = (probe: Float32Array, without?: string) =>
  namedAs(rankPeople(gallery, probe, without), policy.threshold, DEFAULT_MARGIN);

/** Every run of k consecutive photos from a list, fused. */
const windows = (v: Float32Array[], k: number) =>
  Array.from({ length: Math.max(0, v.length - k + 1) }, (_, i) => fuseEmbeddings(v.slice(i, i + k)));

const rows = [1, 3, 5].map((k) => {
  let genuine = 0;
  let correct = 0;
  let wrong = 0;
  for (const [label, photos] of enrolled) {
    for (const probe of windows(photos.slice(ENROLL), k)) {
      genuine++;
      const named = decide(probe);
      if (named === label) correct++;
      else if (named !== null) wrong++;
    }
  }
  let strangers = 0;
  let named = 0;
  for (const [label, photos] of byLabel) {
    const isEnrolled = gallery.has(label);
    for (const probe of windows(isEnrolled ? photos.slice(ENROLL) : photos, k)) {
      strangers++;
      if (decide(probe, isEnrolled ? label : undefined) !== null) named++;
    }
  }
  return {
    frames: k,
    genuine_probes: genuine,
    identified: correct,
    tpir: genuine ? correct / genuine : null,
    fnir: genuine ? 1 - correct / genuine : null,
    wrong_person: wrong,
    stranger_probes: strangers,
    strangers_named: named,
  };
});

const result = {
  bench: 'fusion',
  split: 'checking half of labels.json identities',
  gallery_people: gallery.size,
  templates_per_person: ENROLL,
  threshold: Number(policy.threshold.toFixed(4)),
  target_fpir: DEFAULT_TARGET_FPIR,
  margin: DEFAULT_MARGIN,
  rows,
};
if (!jsonOnly) {
  console.log(
    `checking half: ${gallery.size} people enrolled from ${ENROLL} photos; threshold ${result.threshold} (G=${gallery.size}, FPIR ${DEFAULT_TARGET_FPIR}), margin ${DEFAULT_MARGIN}`,
  );
  console.log('frames  identified          wrong person  strangers named');
  for (const r of rows) {
    console.log(
      `${String(r.frames).padEnd(8)}${`${r.identified}/${r.genuine_probes} (${((r.tpir ?? 0) * 100).toFixed(1)} %)`.padEnd(20)}${String(r.wrong_person).padEnd(14)}${r.strangers_named}/${r.stranger_probes}`,
    );
  }
}
console.log(JSON.stringify(result));
