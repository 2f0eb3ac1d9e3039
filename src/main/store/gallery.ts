import { performance } from 'node:perf_hooks';
import { allocateTemplateMatrix, isAccelerated, scoreAll, topKPeople, type PersonMatch } from '../engine/search';
import type { Db } from './db';
import type { GalleryRow, TemplatesRepo } from './templates-repo';

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

const MIN_CAPACITY = 256;

/**
 * The enrolled faces of one model pack, in memory: every usable template of an active person as one
 * row of a contiguous `capacity × dim` matrix (allocated where the search kernel reads it), with the
 * person and template id of each row.
 *
 * It follows the database through the `template_changes` log, which triggers fill on every write to
 * a template or to a person's active flag, from any connection or process:
 * - {@link refresh} (before each search) notices writes cheaply: `PRAGMA data_version` moves when
 *   another connection committed, `total_changes()` when this one wrote. Only then does it read the
 *   log and re-read the few templates named there (add, replace or drop their rows).
 * - A reader that fell behind a pruned log reloads in full.
 * Rows are removed by moving the last row into the hole, so the matrix stays dense.
 */
export class Gallery {
  private matrix: Float32Array;
  private personOf: Int32Array;
  private templateOf: Float64Array;
  private capacity: number;
  private n = 0;
  private readonly rowOfTemplate = new Map<number, number>();
  private readonly templatesOfPerson = new Map<number, number>();
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
    this.capacity = MIN_CAPACITY;
    this.matrix = allocateTemplateMatrix(this.capacity, dim);
    this.personOf = new Int32Array(this.capacity);
    this.templateOf = new Float64Array(this.capacity);
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
      this.n = 0;
      this.rowOfTemplate.clear();
      this.templatesOfPerson.clear();
      this.lastSeq = this.templates.lastChange();
      const expected = this.templates.countUsable(this.packId);
      this.ensureCapacity(Math.max(MIN_CAPACITY, Math.ceil(expected * 1.25)), false);
      for (const row of this.templates.iterateGallery(this.packId)) this.addRow(row);
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
      for (const id of templateIds) changed = this.removeTemplate(id) || changed;
      for (const row of this.templates.galleryRows(this.packId, templateIds)) {
        this.addRow(row);
        changed = true;
      }
      this.lastSeq = last;
    })();
    this.markSeen();
    if (changed) this.syncs++;
    return changed;
  }

  private reloadInsideTransaction(): void {
    this.n = 0;
    this.rowOfTemplate.clear();
    this.templatesOfPerson.clear();
    this.lastSeq = this.templates.lastChange();
    for (const row of this.templates.iterateGallery(this.packId)) this.addRow(row);
    this.reloads++;
  }

  private markSeen(): void {
    this.dataVersion = this.dataVersionStmt.get() as number;
    this.totalChanges = this.totalChangesStmt.get() as number;
  }

  /** The `k` best people for a probe (L2-normalised, `dim` floats), each by their best template. */
  topPeople(probe: Float32Array, k: number): PersonMatch[] {
    if (probe.length !== this.dim) {
      throw new RangeError(`probe has ${probe.length} dimensions, the ${this.packId} gallery ${this.dim}`);
    }
    return topKPeople(this.matrix, this.n, this.dim, this.personOf, probe, k);
  }

  /** The template id behind a row a search returned. */
  templateAt(row: number): number {
    return this.templateOf[row];
  }

  /** The embedding of one row (a view: valid until the gallery next changes). */
  rowEmbedding(row: number): Float32Array {
    return this.matrix.subarray(row * this.dim, (row + 1) * this.dim);
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
    const n = this.n;
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
      scoreAll(this.matrix, n, this.dim, probe, scores);
      const person = this.personOf[r];
      for (let j = all ? r + 1 : 0; j < n; j++) {
        if (j === r) continue;
        if (this.personOf[j] !== person) {
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
    return this.rowOfTemplate.has(templateId);
  }

  hasPerson(personId: number): boolean {
    return this.templatesOfPerson.has(personId);
  }

  get size(): number {
    return this.n;
  }

  get peopleCount(): number {
    return this.templatesOfPerson.size;
  }

  stats(): GalleryStats {
    return {
      packId: this.packId,
      dim: this.dim,
      templates: this.n,
      people: this.templatesOfPerson.size,
      capacity: this.capacity,
      accelerated: isAccelerated(this.matrix),
      loadMs: this.loadMs,
      reloads: this.reloads,
      syncs: this.syncs,
    };
  }

  // -------------------------------------------------------------------------------------------

  private addRow(row: GalleryRow): void {
    if (row.embedding.length !== this.dim) return; // another model's template mislabelled: never comparable
    if (this.rowOfTemplate.has(row.id)) this.removeTemplate(row.id);
    if (this.n === this.capacity) this.ensureCapacity(this.capacity * 2, true);
    const r = this.n++;
    this.matrix.set(row.embedding, r * this.dim);
    this.personOf[r] = row.personId;
    this.templateOf[r] = row.id;
    this.rowOfTemplate.set(row.id, r);
    this.templatesOfPerson.set(row.personId, (this.templatesOfPerson.get(row.personId) ?? 0) + 1);
  }

  private removeTemplate(templateId: number): boolean {
    const r = this.rowOfTemplate.get(templateId);
    if (r === undefined) return false;
    const person = this.personOf[r];
    const last = this.n - 1;
    if (r !== last) {
      this.matrix.copyWithin(r * this.dim, last * this.dim, (last + 1) * this.dim);
      this.personOf[r] = this.personOf[last];
      this.templateOf[r] = this.templateOf[last];
      this.rowOfTemplate.set(this.templateOf[r], r);
    }
    this.n = last;
    this.rowOfTemplate.delete(templateId);
    const left = (this.templatesOfPerson.get(person) ?? 1) - 1;
    if (left > 0) this.templatesOfPerson.set(person, left);
    else this.templatesOfPerson.delete(person);
    return true;
  }

  /** Grow to `capacity` rows (a new matrix: the kernel's memory never grows in place). */
  private ensureCapacity(capacity: number, keep: boolean): void {
    if (capacity <= this.capacity && (keep || capacity >= this.capacity / 4)) return;
    const matrix = allocateTemplateMatrix(capacity, this.dim);
    const personOf = new Int32Array(capacity);
    const templateOf = new Float64Array(capacity);
    if (keep) {
      matrix.set(this.matrix.subarray(0, this.n * this.dim));
      personOf.set(this.personOf.subarray(0, this.n));
      templateOf.set(this.templateOf.subarray(0, this.n));
    }
    this.matrix = matrix;
    this.personOf = personOf;
    this.templateOf = templateOf;
    this.capacity = capacity;
  }
}
