// Writes a pack's score distributions into models/manifest.json (thresholds.impostorTail and
// thresholds.genuineQuantiles): every pair of main-face embeddings of the FITTING half of the labelled
// identities (src/main/testing/identity-split.ts). The threshold for a gallery of G people is derived
// from these at run time (services/gallery-threshold.ts). Run: npm run calibrate:pack
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appModelsDir, type Manifest } from '../src/main/engine/manifest';
import { pairScores } from '../src/main/services/calibrate';
import { summariseScores } from '../src/main/services/gallery-threshold';
import { isFittingIdentity } from '../src/main/testing/identity-split';
import { embedLabelledPhotos } from '../src/main/testing/labelled-embeddings';

const file = path.join(appModelsDir(), 'manifest.json');
const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
const pack = manifest.packs.find((p) => p.id === manifest.defaultPack);
if (!pack?.thresholds) throw new Error('the default pack has no thresholds entry');
const samples = (await embedLabelledPhotos()).filter((s) => isFittingIdentity(s.label));
const { genuine, impostor } = pairScores(samples);
const summary = summariseScores(impostor, genuine);
const identities = new Set(samples.map((s) => s.label)).size;
Object.assign(pack.thresholds, summary, {
  distributionSource:
    `fitting half of shared/testdata's labelled identities (${identities} identities, ${samples.length} photos, ` +
    `${genuine.length} genuine / ${impostor.length} impostor pairs), main faces through this pipeline`,
});
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
console.log(
  `${pack.id}: ${identities} identities, ${impostor.length} impostor pairs (top ${summary.impostorTail.top[0]}), ` +
    `${genuine.length} genuine pairs (median ${summary.genuineQuantiles.q[50]})`,
);
