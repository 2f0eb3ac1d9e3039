import { performance } from 'node:perf_hooks';
import type { PersonFilter, PersonMatch } from '../engine/search';
import type { Db } from './db';
import { TemplateMatrix } from './template-matrix';
import type { TemplatesRepo } from './templates-repo';

export interface GalleryStats {
  packId: string;
  dim: number;
  templates: number;
  people: number;
  capacity: number;
  /** Whether searches run on the WebAssembly SIMD kernel. */
  accelerated: boolean;
  /** Milliseconds the last full load took. */
  loadMs: number;
  /** Full loads and incremental syncs since the gallery was opened. */
  reloads: number;
  syncs: number;
}

/**
 * The enrolled faces of one model pack, in memory: every usable template of an active person as one
 * row of a {@link TemplateMatrix} (the search kernel's contiguous matrix).
 *
 * It follows the database through the `template_changes` log, which triggers fill on every write to
 * a template or to a person's active flag, from any connection or process:
 * - {@link refresh} (before each search) notices writes cheaply: `PRAGMA data_version` moves when
 *   another connection committed, `total_changes()` when this one wrote. Only then does it read the
 *   log and re-read the few templates named there (add, replace or drop their rows).
 * - A reader that fell behind a pruned log reloads in full.
 */
export class Gallery {
  private readonly rows: TemplateMatrix;
  private lastSeq = 0;
  private dataVersion = -1;
  private totalChanges = -1;
  private loadMs = 0;
  private reloads = 0;
  private syncs = 0;
  private readonly dataVersionStmt;
  private readonly totalChangesStmt;

  private constructor(
    private readonly db: Db,
    private readonly templates: TemplatesRepo,
    readonly packId: string,
    readonly dim: number,
  ) {
    this.rows = new TemplateMatrix(dim);
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
    this.totalChangesStmt = db.prepare('SELECT total_changes()').pluck();
  }

  /** Load every usable template of `packId` (embeddings of `dim` floats). */
  static load(db: Db, templates: TemplatesRepo, packId: string, dim: number): Gallery {
    const g = new Gallery(db, templates, packId, dim);
    g.reload();
    return g;
  }

  /** Throw everything away and read it all again, in one read transaction (a consistent snapshot). */
  reload(): void {
    const t0 = performance.now();
    this.db.transaction(() => {
      this.lastSeq = this.templates.lastChange();
      this.rows.clear(this.templates.countUsable(this.packId));
      for (const row of this.templates.iterateGallery(this.packId)) this.rows.add(row);
    })();
    this.markSeen();
    this.loadMs = performance.now() - t0;
    this.reloads++;
  }

  /**
   * Bring the gallery up to date if anything was written since it last looked. Cheap when nothing
   * was: two one-row queries. Returns whether it changed anything.
   */
  refresh(): boolean {
    const dv = this.dataVersionStmt.get() as number;
    const tc = this.totalChangesStmt.get() as number;
    if (dv === this.dataVersion && tc === this.totalChanges) return false;
    return this.sync();
  }

  /** Apply the change log since the last sync (or reload when the log no longer reaches back). */
  sync(): boolean {
    let changed = false;
    this.db.transaction(() => {
      const first = this.templates.firstChange();
      if (first !== null && first > this.lastSeq + 1 && this.lastSeq < this.templates.lastChange()) {
        this.reloadInsideTransaction();
        changed = true;
        return;
      }
      const { templateIds, last } = this.templates.changesSince(this.lastSeq);
      if (templateIds.length === 0) return;
      for (const id of templateIds) changed = this.rows.removeTemplate(id) || changed;
      for (const row of this.templates.galleryRows(this.packId, templateIds)) {
        this.rows.add(row);
        changed = true;
      }
      this.lastSeq = last;
    })();
    this.markSeen();
    if (changed) this.syncs++;
    return changed;
  }

  private reloadInsideTransaction(): void {
    this.rows.clear();
    this.lastSeq = this.templates.lastChange();
    for (const row of this.templates.iterateGallery(this.packId)) this.rows.add(row);
    this.reloads++;
  }

  private markSeen(): void {
    this.dataVersion = this.dataVersionStmt.get() as number;
    this.totalChanges = this.totalChangesStmt.get() as number;
  }

  /** The `k` best people for a probe (L2-normalised, `dim` floats), each by their best template. */
  topPeople(probe: Float32Array, k: number, allowed?: PersonFilter): PersonMatch[] {
    return this.rows.topPeople(probe, k, `${this.packId} gallery`, allowed);
  }

  /** The template id behind a row a search returned. */
  templateAt(row: number): number {
    return this.rows.templateAt(row);
  }

  /** The embedding of one row (a view: valid until the gallery next changes). */
  rowEmbedding(row: number): Float32Array {
    return this.rows.rowEmbedding(row);
  }

  /**
   * Scores between templates of the gallery, for calibration without labelled data: `impostor` gets
   * every pair of different people's templates, `genuine` every pair of one person's (taken in one
   * enrollment session, so optimistic). All pairs when the gallery has at most `maxProbes` rows; else
   * `maxProbes` rows drawn at random, each scored against every other row.
   */
  pairScores(
    maxProbes: number,
    visit: { impostor: (score: number) => void; genuine?: (score: number) => void },
    random: () => number = Math.random,
  ): { probes: number; impostorPairs: number; genuinePairs: number } {
    const n = this.rows.size;
    const all = n <= maxProbes;
    const rows: number[] = [];
    if (all) for (let r = 0; r < n; r++) rows.push(r);
    else {
      const chosen = new Set<number>();
      while (chosen.size < maxProbes) chosen.add(Math.floor(random() * n));
      rows.push(...chosen);
    }
    const scores = new Float32Array(n);
    const probe = new Float32Array(this.dim);
    let impostorPairs = 0;
    let genuinePairs = 0;
    for (const r of rows) {
      probe.set(this.rowEmbedding(r));
      this.rows.scoreAll(probe, scores);
      const person = this.rows.personAt(r);
      for (let j = all ? r + 1 : 0; j < n; j++) {
        if (j === r) continue;
        if (this.rows.personAt(j) !== person) {
          visit.impostor(scores[j]);
          impostorPairs++;
        } else if (visit.genuine) {
          visit.genuine(scores[j]);
          genuinePairs++;
        }
      }
    }
    return { probes: rows.length, impostorPairs, genuinePairs };
  }

  hasTemplate(templateId: number): boolean {
    return this.rows.hasTemplate(templateId);
  }

  hasPerson(personId: number): boolean {
    return this.rows.hasPerson(personId);
  }

  get size(): number {
    return this.rows.size;
  }

  get peopleCount(): number {
    return this.rows.peopleCount;
  }

  stats(): GalleryStats {
    return {
      packId: this.packId,
      dim: this.dim,
      templates: this.rows.size,
      people: this.rows.peopleCount,
      capacity: this.rows.allocated,
      accelerated: this.rows.accelerated,
      loadMs: this.loadMs,
      reloads: this.reloads,
      syncs: this.syncs,
    };
  }
}
