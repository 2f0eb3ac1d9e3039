import type { Actor } from '../../shared/people';
import type { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import type { PeopleRepo } from '../store/people-repo';
import type { SettingsRepo } from '../store/settings-repo';
import type { TemplatesRepo } from '../store/templates-repo';

export const ACTIVE_PACK_KEY = 'activePack';

/** The pack whose templates the kiosk searches: the site's setting, else the manifest's default. */
export function activePackId(settings: SettingsRepo, manifestDefault: string): string {
  return settings.get<string>(ACTIVE_PACK_KEY) ?? manifestDefault;
}

/** A new embedding of a kept thumbnail, from the new pack; null when no face is found in it. */
export type Reembedder = (
  thumbnailJpeg: Uint8Array,
) => Promise<{ embedding: Float32Array; quality?: Record<string, unknown> } | null>;

export interface SwitchPackResult {
  packId: string;
  previous: string;
  /** Templates of other packs set aside, and of this pack brought back. */
  disabledTemplates: number;
  enabledTemplates: number;
  /** Re-embedded from kept thumbnails: people covered and templates made; thumbnails without a face. */
  reembedded: { people: number; templates: number; failed: number };
  /** Active people who still have no template of the new pack: they must be enrolled again. */
  needReenrollment: number;
  needReenrollmentIds: number[];
}

export interface SwitchPackDeps {
  db: Db;
  people: PeopleRepo;
  templates: TemplatesRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
}

/**
 * Make `packId` the active pack. Embeddings of different packs cannot be compared, so every other
 * pack's templates become unusable (kept, not deleted: switching back restores them). People who have
 * no template of the new pack need enrolling again, unless the site kept thumbnails: those are
 * re-embedded with the new pack first (the slow part, before any write), then everything is written
 * in one transaction.
 */
export async function switchPack(
  deps: SwitchPackDeps,
  packId: string,
  opts: { actor: Actor; manifestDefault: string; reembed?: Reembedder },
): Promise<SwitchPackResult> {
  const previous = activePackId(deps.settings, opts.manifestDefault);
  const fresh: {
    personId: number;
    source: 'camera' | 'upload' | 'import';
    embedding: Float32Array;
    quality: Record<string, unknown>;
    thumbnail: Uint8Array;
  }[] = [];
  let failed = 0;
  if (opts.reembed) {
    for (const t of deps.templates.thumbnailsToReembed(packId)) {
      const thumbnail = deps.templates.thumbnail(t.id);
      if (!thumbnail) continue;
      const r = await opts.reembed(thumbnail);
      if (!r) {
        failed++;
        continue;
      }
      fresh.push({
        personId: t.personId,
        source: t.source,
        embedding: r.embedding,
        quality: { ...r.quality, reembedded_from: t.id },
        thumbnail,
      });
    }
  }
  let disabled = 0;
  let enabled = 0;
  let need: number[] = [];
  deps.db.transaction(() => {
    for (const f of fresh) {
      // The person may have been deleted while the thumbnails were being processed.
      if (!deps.people.get(f.personId)) continue;
      deps.templates.insert({ ...f, packId });
    }
    ({ enabled, disabled } = deps.templates.activatePack(packId));
    deps.settings.set(ACTIVE_PACK_KEY, packId);
    need = deps.people.withoutTemplates(packId).map((p) => p.id);
    deps.audit.record({
      actor: opts.actor,
      action: 'pack.switch',
      targetType: 'pack',
      targetId: packId,
      details: { previous, disabled, enabled, reembedded: fresh.length, failed, need_reenrollment: need.length },
    });
  })();
  return {
    packId,
    previous,
    disabledTemplates: disabled,
    enabledTemplates: enabled,
    reembedded: { people: new Set(fresh.map((f) => f.personId)).size, templates: fresh.length, failed },
    needReenrollment: need.length,
    needReenrollmentIds: need,
  };
}
