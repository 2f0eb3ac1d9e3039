import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mainFaceIndex } from '../../shared/face';
import { getPack } from '../engine/manifest';
import { openPipeline } from '../engine/open-pipeline';
import {
  calibrate,
  calibrateDistributions,
  Distribution,
  ScoreHistogram,
  seededRandom,
  type Calibration,
  type LabelledEmbedding,
} from '../services/calibrate';
import { FaceService } from '../services/face-service';
import { matchPolicy, thresholdsKey, type MatchPolicy, type StoredThresholds } from '../services/thresholds';
import { AuditRepo } from '../store/audit-repo';
import { defaultDbFile, openDb } from '../store/db';
import { Gallery } from '../store/gallery';
import { SettingsRepo } from '../store/settings-repo';
import { TemplatesRepo } from '../store/templates-repo';
import { decodeImage } from '../vision/decode';
import type { Command } from './index';
import { IMAGE_EXTENSIONS } from '../services/bulk-import';
import { UsageError, parse, progress } from './args';
import { cliActor } from './store';

const HELP = `usage: hadir calibrate <labels.json | labelled folder> [options]
       hadir calibrate --gallery [options]
       hadir calibrate --show [--json]

--show prints the threshold in force now: its value, where it comes from (by default it follows the
number of people searched, G, at the site's target false-positive identification rate, from the pack's
impostor-score tail), G, the target FPIR, how many impostor pairs support it, and the expected false
non-identification rate there.

Computes genuine and impostor similarity distributions and prints, for each false-accept rate (FAR) the
data supports (at least 10 impostor pairs at or above the threshold), the threshold and the true-accept
rate (TAR). Labelled input: a labels.json ({"identities": {"name": ["file", …]}}, files beside it or in
its faces/ folder, or --images DIR), or a folder with one sub-folder of photos per person.
--gallery instead takes the impostor scores from the enrolled gallery (different people's templates),
for a site without labelled photos.

  --gallery-size G          people enrolled (default with --gallery: the gallery's own): also report the
                            false-identification rate FIR(G) ≈ 1 − (1 − FAR)^(G·k), measured where the
                            data has more than G identities, and the threshold for --target-fir
  --templates-per-person k  templates per person (default 3)
  --target-fir F            false-identification rate to choose a threshold for (default 0.01)
  --far F                   FAR of the stored threshold without --gallery-size (default 0.001)
  --store                   store the threshold in the pack's settings: identify uses it from then on
                            (with --gallery-size: the stricter of the FAR and the target-FIR thresholds)
  --pack ID                 model pack (default: the active pack)
  --json                    print the calibration as one JSON object
Exit code: 0 done, 1 not enough data, 2 bad usage.`;

export const calibrateCommand: Command = async (argv) => {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, {
      gallery: { type: 'boolean' },
      show: { type: 'boolean' },
      'gallery-size': { type: 'string' },
      'templates-per-person': { type: 'string' },
      'target-fir': { type: 'string' },
      far: { type: 'string' },
      images: { type: 'string' },
      store: { type: 'boolean' },
      pack: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    if (values.show) {
      if (positionals.length !== 0) throw new UsageError('--show takes no labelled input');
      return showPolicy(values.pack, values.json === true);
    }
    if (values.gallery ? positionals.length !== 0 : positionals.length !== 1) {
      throw new UsageError(
        values.gallery ? '--gallery takes no labelled input' : 'give one labels.json or labelled folder',
      );
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir calibrate: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    throw e;
  }
  const num = (name: string, v: string | undefined, ok: (n: number) => boolean) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!ok(n)) {
      process.stderr.write(`hadir calibrate: bad ${name} "${v}"\n`);
      throw new UsageExit();
    }
    return n;
  };
  let gallerySize: number | undefined;
  let templatesPerPerson: number | undefined;
  let targetFir: number | undefined;
  let far: number;
  try {
    gallerySize = num('--gallery-size', values['gallery-size'], (n) => Number.isInteger(n) && n > 0);
    templatesPerPerson = num(
      '--templates-per-person',
      values['templates-per-person'],
      (n) => Number.isInteger(n) && n > 0,
    );
    targetFir = num('--target-fir', values['target-fir'], (n) => n > 0 && n < 1);
    far = num('--far', values.far, (n) => n > 0 && n < 1) ?? 0.001;
  } catch (e) {
    if (e instanceof UsageExit) return 2;
    throw e;
  }

  const db = openDb({ file: defaultDbFile() });
  try {
    const packId = values.pack ?? FaceService.activePack(db);
    const pack = getPack(packId);
    let cal: Calibration;
    let source: string;
    if (values.gallery) {
      const templates = new TemplatesRepo(db);
      const gallery = Gallery.load(db, templates, pack.id, pack.recognizer.embeddingSize);
      if (gallery.peopleCount < 2) {
        process.stderr.write(
          `hadir calibrate: the ${pack.id} gallery has ${gallery.peopleCount} people; at least 2 are needed\n`,
        );
        return 1;
      }
      const impostor = new ScoreHistogram();
      const genuine = new ScoreHistogram();
      const pairs = gallery.pairScores(
        2000,
        { impostor: (s) => impostor.add(s), genuine: (s) => genuine.add(s) },
        seededRandom(1),
      );
      cal = calibrateDistributions(
        Distribution.fromHistogram(impostor),
        genuine.count ? Distribution.fromHistogram(genuine) : null,
        {
          gallerySize: gallerySize ?? gallery.peopleCount,
          templatesPerPerson: templatesPerPerson ?? Math.max(1, Math.round(gallery.size / gallery.peopleCount)),
          targetFir,
        },
      );
      cal.identities = gallery.peopleCount;
      cal.samples = gallery.size;
      source = `enrolled gallery (${gallery.peopleCount} people, ${pairs.impostorPairs} impostor pairs)`;
    } else {
      const samples = await embedLabelled(positionals[0], values.images, pack.id);
      cal = calibrate(samples, { gallerySize, templatesPerPerson, targetFir });
      source = `${path.resolve(positionals[0])} (${cal.identities} identities, ${cal.samples} photos)`;
    }
    if (cal.operatingPoints.length === 0) {
      process.stderr.write(`hadir calibrate: too few impostor pairs (${cal.impostor.count}) to support any FAR\n`);
      return 1;
    }

    let stored: StoredThresholds | null = null;
    if (values.store) {
      const atFar = cal.operatingPoints.find((p) => p.targetFar <= far) ?? null;
      if (!atFar) {
        process.stderr.write(`hadir calibrate: the data does not support a FAR of ${far}; nothing stored\n`);
        return 1;
      }
      const match = cal.fir ? Math.max(atFar.threshold, cal.fir.threshold) : atFar.threshold;
      stored = {
        match: Math.round(match * 1e4) / 1e4,
        far: atFar.far,
        ...(cal.fir ? { gallerySize: cal.fir.gallerySize, targetFir: cal.fir.targetFir } : {}),
        source,
        calibratedAt: new Date().toISOString(),
      };
      const settings = new SettingsRepo(db);
      const audit = new AuditRepo(db);
      db.transaction(() => {
        settings.set(thresholdsKey(pack.id), stored);
        audit.record({
          actor: cliActor(),
          action: 'settings.thresholds',
          targetType: 'pack',
          targetId: pack.id,
          details: stored,
        });
      })();
    }

    if (values.json) process.stdout.write(JSON.stringify({ pack: pack.id, source, ...cal, stored }) + '\n');
    else process.stdout.write(report(pack.id, source, cal, stored) + '\n');
    return 0;
  } finally {
    db.close();
  }
};

class UsageExit extends Error {}

const f3 = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(3));
const f4 = (v: number) => v.toFixed(4);
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const sci = (v: number) => (v >= 0.01 ? v.toFixed(3) : v.toExponential(1));

export function report(packId: string, source: string, cal: Calibration, stored: StoredThresholds | null): string {
  const out: string[] = [`pack ${packId}: ${source}`];
  const g = cal.genuine;
  const i = cal.impostor;
  if (g)
    out.push(
      `genuine  pairs ${g.count}: mean ${f3(g.mean)} sd ${f3(g.sd)}  1% ${f3(g.p1)}  5% ${f3(g.p5)}  min ${f3(g.min)}`,
    );
  out.push(`impostor pairs ${i.count}: mean ${f3(i.mean)} sd ${f3(i.sd)}  99% ${f3(i.p99)}  max ${f3(i.max)}`);
  out.push('', 'FAR        threshold  TAR      impostors ≥ t');
  for (const p of cal.operatingPoints) {
    out.push(`${sci(p.far).padEnd(10)} ${f4(p.threshold).padEnd(10)} ${pct(p.tar).padEnd(8)} ${p.impostorsAbove}`);
  }
  if (cal.fir) {
    const f = cal.fir;
    out.push(
      '',
      `gallery of ${f.gallerySize} people × ${f.templatesPerPerson} templates = ${f.comparisons} comparisons per stranger`,
      'threshold  FIR(G) = 1 − (1 − FAR)^comparisons',
    );
    for (const p of f.firAtOperatingPoints) out.push(`${f4(p.threshold).padEnd(10)} ${pct(p.fir)}`);
    out.push(
      `target FIR ${pct(f.targetFir)} needs FAR ${sci(f.neededFar)}: threshold ${f4(f.threshold)} (${f.basis}` +
        `${f.basis === 'normal-tail' ? `, tail correction +${f4(f.tailCorrection)}` : ''}), TAR there ${pct(f.tar)}`,
    );
  }
  for (const e of cal.empiricalFir) {
    out.push(
      `measured FIR at ${f4(e.threshold)}: ${e.named} of ${e.strangerProbes} stranger probes named (${pct(e.rate)}) over ${e.trials} random galleries of ${e.gallerySize}`,
    );
  }
  if (stored) out.push('', `stored for ${packId}: match threshold ${f4(stored.match)} (identify uses it from now on)`);
  return out.join('\n');
}

/** One embedding per photo (its main face) of a labels.json or a folder of per-person folders. */
async function embedLabelled(
  input: string,
  imagesDir: string | undefined,
  packId: string,
): Promise<LabelledEmbedding[]> {
  const entries: { label: string; file: string }[] = [];
  if (statSync(input).isDirectory()) {
    for (const person of readdirSync(input)
      .filter((n) => !n.startsWith('.'))
      .sort()) {
      const dir = path.join(input, person);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir).sort()) {
        if (IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()))
          entries.push({ label: person, file: path.join(dir, f) });
      }
    }
  } else {
    const labels = JSON.parse(readFileSync(input, 'utf8')) as { identities?: Record<string, string[]> };
    if (!labels.identities) throw new UsageError(`${input} has no "identities" map`);
    const base =
      imagesDir ??
      (existsSync(path.join(path.dirname(input), 'faces'))
        ? path.join(path.dirname(input), 'faces')
        : path.dirname(input));
    for (const [label, files] of Object.entries(labels.identities))
      for (const f of files) entries.push({ label, file: path.join(base, f) });
  }
  const pipeline = await openPipeline(packId);
  const out: LabelledEmbedding[] = [];
  const bar = progress(entries.length, 'embed');
  try {
    for (const e of entries) {
      bar.tick();
      try {
        const a = await pipeline.analyzeImage(await decodeImage(await readFile(e.file)));
        const i = mainFaceIndex(a.faces);
        const emb = i >= 0 ? a.faces[i].embedding : undefined;
        if (emb) out.push({ label: e.label, embedding: emb });
        else process.stderr.write(`hadir calibrate: no face in ${e.file}\n`);
      } catch (err) {
        process.stderr.write(`hadir calibrate: skipped ${e.file}: ${(err as Error).message}\n`);
      }
    }
  } finally {
    bar.done();
    await pipeline.dispose();
  }
  return out;
}

/** `hadir calibrate --show`: the policy identification applies now, over the enrolled gallery. */
function showPolicy(packOption: string | undefined, json: boolean): number {
  const db = openDb({ file: defaultDbFile() });
  try {
    const pack = getPack(packOption ?? FaceService.activePack(db));
    const gallery = Gallery.load(db, new TemplatesRepo(db), pack.id, pack.recognizer.embeddingSize);
    const policy = matchPolicy(new SettingsRepo(db), pack, gallery.peopleCount);
    const g = policy.gallery;
    if (json) {
      process.stdout.write(
        JSON.stringify({
          pack: pack.id,
          threshold: policy.threshold,
          source: policy.thresholdSource,
          margin: policy.margin,
          gallery_people: gallery.peopleCount,
          target_fpir: g?.targetFpir ?? null,
          basis: g?.basis ?? null,
          impostor_pairs: g?.pairs ?? null,
          tail_pairs: g?.tailPairs ?? null,
          expected_fnir: g?.expectedFnir ?? null,
        }) + '\n',
      );
      return 0;
    }
    const lines = [
      `pack            ${pack.id}`,
      `threshold       ${policy.threshold.toFixed(4)} (${SOURCE_TEXT[policy.thresholdSource]})`,
      `margin          ${policy.margin}`,
      `people searched ${gallery.peopleCount}`,
    ];
    if (g) {
      lines.push(
        `target FPIR     ${(g.targetFpir * 100).toPrecision(2)} % of strangers' attempts (setting identify.targetFpir)`,
        `estimate        ${g.basis === 'measured' ? 'measured on' : 'tail fitted to the top'} ${g.tailPairs} of ${g.pairs} impostor pairs (needed FAR ${g.neededFar.toExponential(2)} per comparison)`,
        `expected FNIR   ${g.expectedFnir === null ? 'unknown' : `${(g.expectedFnir * 100).toFixed(1)} % of single genuine comparisons below it`}`,
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    db.close();
  }
}

const SOURCE_TEXT: Record<MatchPolicy['thresholdSource'], string> = {
  manual: 'set by an administrator',
  settings: 'calibrated on this site with hadir calibrate --store',
  gallery: 'follows the gallery size',
  pack: "the pack's 1:1 threshold",
};
