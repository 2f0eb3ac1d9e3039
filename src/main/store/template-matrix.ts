import {
  allocateTemplateMatrix,
  isAccelerated,
  type PersonFilter,
  type PersonMatch,
  scoreAll,
  topKPeople,
} from '../engine/search';

/** One enrolled template: its id, its person and its embedding (L2-normalised). */
export interface TemplateRowInput {
  id: number;
  personId: number;
  embedding: Float32Array;
}

const MIN_CAPACITY = 256;

/**
 * Enrolled templates in memory, with no store behind them: one row per template of a contiguous
 * `capacity × dim` matrix (allocated where the search kernel reads it) and the person and template id
 * of each row. Rows are removed by moving the last row into the hole, so the matrix stays dense.
 *
 * Both stores keep their gallery in one: the kiosk's SQLite {@link Gallery} and the hub's PostgreSQL
 * gallery (hub/gallery.ts) differ only in how they learn of changes, never in how they search.
 */
export class TemplateMatrix {
  private matrix: Float32Array;
  private personOf: Int32Array;
  private templateOf: Float64Array;
  private capacity: number;
  private n = 0;
  private readonly rowOfTemplate = new Map<number, number>();
  private readonly templatesOfPerson = new Map<number, number>();

  constructor(
    readonly dim: number,
    capacity = MIN_CAPACITY,
  ) {
    this.capacity = Math.max(MIN_CAPACITY, capacity);
    this.matrix = allocateTemplateMatrix(this.capacity, dim);
    this.personOf = new Int32Array(this.capacity);
    this.templateOf = new Float64Array(this.capacity);
  }

  /** Forget every row; with `expected`, make room for that many (shrinking a much larger matrix). */
  clear(expected = 0): void {
    this.n = 0;
    this.rowOfTemplate.clear();
    this.templatesOfPerson.clear();
    this.ensureCapacity(Math.max(MIN_CAPACITY, Math.ceil(expected * 1.25)), false);
  }

  /** Add (or replace) a row; an embedding of another length is ignored (another model's template). */
  add(row: TemplateRowInput): boolean {
    if (row.embedding.length !== this.dim) return false;
    if (this.rowOfTemplate.has(row.id)) this.removeTemplate(row.id);
    if (this.n === this.capacity) this.ensureCapacity(this.capacity * 2, true);
    const r = this.n++;
    this.matrix.set(row.embedding, r * this.dim);
    this.personOf[r] = row.personId;
    this.templateOf[r] = row.id;
    this.rowOfTemplate.set(row.id, r);
    this.templatesOfPerson.set(row.personId, (this.templatesOfPerson.get(row.personId) ?? 0) + 1);
    return true;
  }

  removeTemplate(templateId: number): boolean {
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

  /** Remove every row of one person (a scan of the person column: changes are rare, searches many). */
  removePerson(personId: number): boolean {
    if (!this.templatesOfPerson.has(personId)) return false;
    for (let r = this.n - 1; r >= 0; r--) {
      if (this.personOf[r] === personId) this.removeTemplate(this.templateOf[r]);
    }
    return true;
  }

  /** The `k` best people for a probe (L2-normalised, `dim` floats), each by their best template. */
  topPeople(probe: Float32Array, k: number, label = 'gallery', allowed?: PersonFilter): PersonMatch[] {
    if (probe.length !== this.dim) {
      throw new RangeError(`probe has ${probe.length} dimensions, the ${label} ${this.dim}`);
    }
    return topKPeople(this.matrix, this.n, this.dim, this.personOf, probe, k, allowed);
  }

  /** All rows' scores against a probe, into `out` (calibration). */
  scoreAll(probe: Float32Array, out: Float32Array): Float32Array {
    return scoreAll(this.matrix, this.n, this.dim, probe, out);
  }

  templateAt(row: number): number {
    return this.templateOf[row];
  }

  personAt(row: number): number {
    return this.personOf[row];
  }

  /** The embedding of one row (a view: valid until the matrix next changes). */
  rowEmbedding(row: number): Float32Array {
    return this.matrix.subarray(row * this.dim, (row + 1) * this.dim);
  }

  hasTemplate(templateId: number): boolean {
    return this.rowOfTemplate.has(templateId);
  }

  hasPerson(personId: number): boolean {
    return this.templatesOfPerson.has(personId);
  }

  /** Templates (rows). */
  get size(): number {
    return this.n;
  }

  get peopleCount(): number {
    return this.templatesOfPerson.size;
  }

  get allocated(): number {
    return this.capacity;
  }

  get accelerated(): boolean {
    return isAccelerated(this.matrix);
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
