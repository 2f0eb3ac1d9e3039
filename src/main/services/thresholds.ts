import { HadirError } from '../../shared/errors';
import type { ModelPack } from '../engine/manifest';
import type { SettingsRepo } from '../store/settings-repo';
import { type GalleryThreshold, galleryThreshold } from './gallery-threshold';

/**
 * The margin a match must keep over the best *other* person (cosine similarity), unless the site sets
 * `identify.margin`. Measured on the shared test photos with the default pack (mbf-y1) by
 * identify.e2e.test.ts (which prints the sweep): 20 people enrolled through the enrollment service
 * from 2–3 photos each, 141 genuine probes, 35 stranger probes, threshold 0.2754:
 * - the three strangers who pass the threshold (0.290–0.311) beat their runner-up by only 0.051,
 *   0.073 and 0.080: the top of a gallery-wide impostor tail is crowded;
 * - a true match stands alone: no correctly named genuine probe is lost below a margin of 0.16.
 * 0.1 is the smallest margin (in steps of 0.02) that turns all three strangers away (as `ambiguous`),
 * with room on both sides. The margin does not replace a threshold fitted to the gallery's size:
 * `hadir calibrate --gallery-size G --store` raises the threshold for large galleries.
 */
export const DEFAULT_MARGIN = 0.1;

/** Settings key of a pack's calibrated thresholds (`hadir calibrate --store`). */
export const thresholdsKey = (packId: string) => `thresholds.${packId}`;
export const MARGIN_KEY = 'identify.margin';
/** Settings key of the target false-positive identification rate per stranger's attempt. */
export const TARGET_FPIR_KEY = 'identify.targetFpir';
/**
 * 0.1 %: one stranger's attempt in a thousand may name someone. A false name is a false record in
 * someone's payroll, so the default is strict; a site may loosen or tighten it.
 */
export const DEFAULT_TARGET_FPIR = 0.001;
/** Settings key of a threshold an admin set by hand for a pack (wins over the calibration until cleared). */
export const manualThresholdKey = (packId: string) => `thresholds.${packId}.manual`;

/**
 * Where the identification settings are read from: the kiosk's SQLite settings table, or the hub's
 * small settings source (hub/face-api.ts). Only reads.
 */
export type SettingsSource = Pick<SettingsRepo, 'get'>;

/** What `hadir calibrate --store` writes for a pack. */
export interface StoredThresholds {
  /** Cosine similarity a match must reach. */
  match: number;
  /** The per-comparison false-accept rate that threshold was chosen for. */
  far: number;
  /** When chosen for a gallery: its size (people) and the false-identification rate targeted. */
  gallerySize?: number;
  targetFir?: number;
  /** What the figures came from (a labels file, the enrolled gallery). */
  source: string;
  calibratedAt: string;
}

export interface MatchPolicy {
  threshold: number;
  margin: number;
  /**
   * Where the threshold came from: 'manual' (an admin's setting), 'settings' (calibrated on site),
   * 'gallery' (the pack's score distributions at the searched gallery's size and the target FPIR) or
   * 'pack' (the manifest's 1:1 threshold, for a pack without distributions).
   */
  thresholdSource: 'manual' | 'settings' | 'gallery' | 'pack';
  /** For 'gallery': G, the target FPIR, how the threshold was found and the expected FNIR there. */
  gallery?: GalleryThreshold;
}

/**
 * The threshold and margin in force for a pack, in this order: an admin's manual threshold; a site
 * calibration stored in the settings; the threshold for the searched gallery's size (`galleryPeople`,
 * G) from the pack's impostor tail at the site's target FPIR — the default, recomputed whenever G
 * changes; the pack's 1:1 threshold. A pack with none cannot identify anyone: refuse rather than guess.
 */
export function matchPolicy(settings: SettingsSource, pack: ModelPack, galleryPeople = 1): MatchPolicy {
  const stored = settings.get<StoredThresholds>(thresholdsKey(pack.id));
  const margin = settings.get<number>(MARGIN_KEY) ?? DEFAULT_MARGIN;
  if (!(margin >= 0 && margin < 1))
    throw new HadirError('BAD_REQUEST', `identify.margin must lie in [0, 1) (got ${margin})`);
  const manual = settings.get<number>(manualThresholdKey(pack.id));
  if (typeof manual === 'number' && Number.isFinite(manual))
    return { threshold: manual, margin, thresholdSource: 'manual' };
  if (stored && Number.isFinite(stored.match)) return { threshold: stored.match, margin, thresholdSource: 'settings' };
  const tail = pack.thresholds?.impostorTail;
  if (tail) {
    const targetFpir = settings.get<number>(TARGET_FPIR_KEY) ?? DEFAULT_TARGET_FPIR;
    if (!(targetFpir > 0 && targetFpir < 1))
      throw new HadirError('BAD_REQUEST', `identify.targetFpir must lie in (0, 1) (got ${targetFpir})`);
    const gallery = galleryThreshold({
      tail,
      genuine: pack.thresholds?.genuineQuantiles,
      gallerySize: galleryPeople,
      targetFpir,
      floor: pack.thresholds?.match,
    });
    return { threshold: gallery.threshold, margin, thresholdSource: 'gallery', gallery };
  }
  const match = pack.thresholds?.match;
  if (match === undefined || !Number.isFinite(match)) {
    throw new HadirError(
      'MODEL_INVALID',
      `model pack ${pack.id} has no calibrated match threshold; run "hadir calibrate <labels> --store" first`,
    );
  }
  return { threshold: match, margin, thresholdSource: 'pack' };
}
