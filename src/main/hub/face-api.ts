import type pg from 'pg';
import type { ApiPrincipal, ApiScope, KeyVerifier } from '../api/auth';
import type { RouteDef, ServerDeps } from '../api/context';
import { Metrics } from '../api/metrics';
import { buildOpenApi } from '../api/openapi';
import { docsRoutes } from '../api/routes/docs';
import { faceRoutes } from '../api/server';
import type { ModelPack } from '../engine/manifest';
import {
  DEFAULT_MARGIN,
  MARGIN_KEY,
  manualThresholdKey,
  TARGET_FPIR_KEY,
  type SettingsSource,
} from '../services/thresholds';
import { claimedCheckinRoutes } from './claimed-checkin';
import type { HubGallery } from './gallery';
import { sha256Hex } from './pairing';
import { useApiKey } from './store/access';
import { anyActiveApiKey, kioskFigures } from './store/face';

/**
 * The hub's face API: the kiosk's own route objects (src/main/api: health, detect, recognition,
 * compare, liveness, identify, the old services' routes by the same setting, /metrics) over the hub's
 * engine and its organisation's gallery, plus the phone check-in routes, built by the same
 * `createServer` so schemas, error codes, fail-closed answers and the OpenAPI document are one
 * implementation.
 */

/** The hub's identification settings: no SQLite settings table, so a few values from its environment. */
export function hubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, packId?: string): SettingsSource {
  const values = new Map<string, unknown>();
  const num = (name: string) => {
    const v = env[name];
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${name} must be a number (got "${v}")`);
    return n;
  };
  const margin = num('HADIR_HUB_IDENTIFY_MARGIN');
  values.set(MARGIN_KEY, margin ?? DEFAULT_MARGIN);
  const fpir = num('HADIR_HUB_TARGET_FPIR');
  if (fpir !== undefined) values.set(TARGET_FPIR_KEY, fpir);
  const manual = num('HADIR_HUB_MATCH_THRESHOLD');
  if (manual !== undefined && packId) values.set(manualThresholdKey(packId), manual);
  return staticSettings(Object.fromEntries(values));
}

/** A fixed settings source (tests, and the environment's values). */
export function staticSettings(values: Record<string, unknown>): SettingsSource {
  const map = new Map(Object.entries(values));
  return {
    get: <T>(key: string, fallback?: T) => (map.has(key) ? (map.get(key) as T) : fallback),
  } as SettingsSource;
}

/** The organisation's API keys (`hadir hub keys create`) as the face API checks them. */
export function hubKeyVerifier(pool: pg.Pool): KeyVerifier {
  return {
    verify: async (key): Promise<ApiPrincipal | null> => {
      const found = await useApiKey(pool, sha256Hex(key));
      return found ? { id: found.id, name: found.name, scopes: found.scopes as ApiScope[] } : null;
    },
    hasKeys: () => anyActiveApiKey(pool),
  };
}

/** The hub's route table: the face routes, the phone routes, and the document of exactly those. */
export function hubFaceRouteTable(pool: pg.Pool, pack: ModelPack, now?: () => Date): RouteDef[] {
  const own = [...faceRoutes, ...claimedCheckinRoutes({ pool, pack, now })];
  let doc: ReturnType<typeof buildOpenApi> | null = null;
  return [...own, ...docsRoutes(() => (doc ??= buildOpenApi(own)))];
}

/** Gallery size and load time, and the kiosks as the hub sees them, at each scrape. */
export function hubMetrics(metrics: Metrics, pool: pg.Pool, gallery: HubGallery): void {
  const templates = metrics.gauge('hadir_gallery_templates', 'Templates in the in-memory gallery.');
  const people = metrics.gauge('hadir_gallery_people', 'People with templates in the in-memory gallery.');
  const ready = metrics.gauge('hadir_gallery_ready', '1 once the gallery is loaded, 0 while it warms up.');
  const loadSeconds = metrics.gauge('hadir_gallery_load_seconds', 'How long the start-up load took.');
  const cursor = metrics.gauge('hadir_gallery_change_cursor', 'The change-log position the gallery has applied.');
  const outbox = metrics.gauge('hadir_hub_kiosk_outbox_depth', 'Events waiting in a kiosk’s outbox, as it last said.', [
    'device',
    'site',
  ]);
  const lag = metrics.gauge(
    'hadir_hub_kiosk_push_lag_seconds',
    'Between a kiosk’s newest received event happening and reaching the hub.',
    ['device', 'site'],
  );
  const silent = metrics.gauge('hadir_hub_kiosk_last_seen_seconds', 'Since a kiosk was last heard from.', [
    'device',
    'site',
  ]);
  metrics.collect('hub-gallery', () => {
    const s = gallery.stats();
    templates.set({}, s.templates);
    people.set({}, s.people);
    ready.set({}, s.state === 'ready' ? 1 : 0);
    if (s.loadMs !== null) loadSeconds.set({}, s.loadMs / 1000);
    cursor.set({}, s.cursor);
  });
  metrics.collect('hub-kiosks', async () => {
    const rows = await kioskFigures(pool);
    outbox.reset();
    lag.reset();
    silent.reset();
    for (const r of rows) {
      const l = { device: r.device_id, site: r.site };
      if (r.outbox_depth !== null) outbox.set(l, r.outbox_depth);
      if (r.push_lag_s !== null) lag.set(l, r.push_lag_s);
      if (r.last_seen_s !== null) silent.set(l, r.last_seen_s);
    }
  });
}

export type HubFaceDeps = Pick<ServerDeps, 'engine' | 'pack' | 'keys' | 'identity' | 'routes' | 'metrics'>;
