/**
 * Gallery search kernel: cosine scores of one probe against N enrolled templates held as one
 * contiguous row-major `Float32Array` (N × D, rows L2-normalised), and bounded top-k selection
 * over those scores, per template or per person (a person scores as their best template).
 *
 * Two scoring paths give the same ranking up to float32 rounding:
 * - A hand-assembled WebAssembly SIMD kernel (f32x4, four vector accumulators). It reads the
 *   matrix where it lies, so it is used only for matrices made by {@link allocateTemplateMatrix},
 *   which places them in a WebAssembly memory of their own. Measured on the 2-core dev machine:
 *   100k × 512 in 19–22 ms, ~10 GB/s, near its memory bandwidth (a load-only pass takes ~16 ms).
 * - Plain JavaScript (eight scalar accumulators) for any other `Float32Array`: about 3× slower
 *   (100k × 512 in ~62 ms), because V8 does not vectorise scalar loops.
 * An int8 copy with float32 re-ranking would read 4× fewer bytes, but float32 SIMD already meets
 * the targets (100k × 512 under 25 ms, 100k × 128 under 8 ms), so exact scores stay the only copy.
 * bench/search.bench.ts measures both paths.
 *
 * Everything here is synchronous and single-threaded, and allocates nothing per template.
 */

/** One template of a top-k answer. */
export interface TemplateMatch {
  /** Row of the matrix. */
  index: number;
  /** Dot product with the probe (cosine similarity when both are L2-normalised). */
  score: number;
}

/** One person of a top-k answer, scored by their best template. */
export interface PersonMatch {
  personId: number;
  score: number;
  /** Row of that best template; the lowest such row when several tie. */
  templateIndex: number;
}

export type PersonIds = Int32Array | Uint32Array;

// ---------------------------------------------------------------------------------------------
// WebAssembly kernel
// ---------------------------------------------------------------------------------------------

/*
 * The kernel, as WebAssembly text. Pointers are byte offsets into the imported memory.
 *
 * (func (export "scoreRows") (param $mat i32) (param $n i32) (param $d i32) (param $probe i32) (param $out i32)
 *   (local $outEnd i32) (local $j i32) (local $rowBytes i32) (local $end16 i32) (local $end4 i32)
 *   (local $sum f32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
 *   outEnd = out + n*4;  rowBytes = d*4;  end16 = (d & ~15)*4;  end4 = (d & ~3)*4
 *   (block (loop                                               ;; one row per turn
 *     (br_if 1 (i32.ge_u out outEnd))
 *     a0 = a1 = a2 = a3 = 0;  j = 0
 *     (block (loop (br_if 1 (i32.ge_u j end16))                ;; 16 floats per turn
 *       a0 += load(mat+j) * load(probe+j);      a1 += load(mat+j+16) * load(probe+j+16)
 *       a2 += load(mat+j+32) * load(probe+j+32); a3 += load(mat+j+48) * load(probe+j+48)
 *       j += 64  (br 0)))
 *     a0 = (a0 + a1) + (a2 + a3)
 *     (block (loop (br_if 1 (i32.ge_u j end4))                 ;; 4 floats per turn
 *       a0 += load(mat+j) * load(probe+j);  j += 16  (br 0)))
 *     sum = (a0[0] + a0[1]) + (a0[2] + a0[3])
 *     (block (loop (br_if 1 (i32.ge_u j rowBytes))             ;; the last d % 4 floats
 *       sum += f32.load(mat+j) * f32.load(probe+j);  j += 4  (br 0)))
 *     f32.store(out, sum);  mat += rowBytes;  out += 4
 *     (br 0))))
 *
 * `+` and `*` are f32x4.add and f32x4.mul (no fused multiply-add), so every score is exactly
 * reproducible in float32 arithmetic; search.test.ts checks the kernel bit for bit against that.
 */

const leb128Unsigned = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
};

const leb128Signed = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
};

const wasmName = (name: string): number[] => [
  ...leb128Unsigned(name.length),
  ...Array.from(name, (c) => c.charCodeAt(0)),
];
const wasmVector = (items: number[][]): number[] => [...leb128Unsigned(items.length), ...items.flat()];
const wasmSection = (id: number, body: number[]): number[] => [id, ...leb128Unsigned(body.length), ...body];

function assembleScoreKernel(): Uint8Array {
  const I32 = 0x7f;
  const F32 = 0x7d;
  const V128 = 0x7b;
  const get = (local: number) => [0x20, ...leb128Unsigned(local)];
  const set = (local: number) => [0x21, ...leb128Unsigned(local)];
  const i32Const = (value: number) => [0x41, ...leb128Signed(value)];
  const i32Add = [0x6a];
  const i32Mul = [0x6c];
  const i32And = [0x71];
  const i32GeU = [0x4f];
  const simd = (op: number) => [0xfd, ...leb128Unsigned(op)];
  const v128Load = (offset: number) => [...simd(0x00), 0x00, ...leb128Unsigned(offset)];
  const v128Zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
  const f32x4ExtractLane = (lane: number) => [...simd(0x1f), lane];
  const f32x4Add = simd(0xe4);
  const f32x4Mul = simd(0xe6);
  const f32Load = [0x2a, 0x02, 0x00];
  const f32Store = [0x38, 0x02, 0x00];
  const f32Add = [0x92];
  const f32Mul = [0x94];
  const block = [0x02, 0x40];
  const loop = [0x03, 0x40];
  const end = [0x0b];
  const br = (depth: number) => [0x0c, depth];
  const brIf = (depth: number) => [0x0d, depth];

  // Locals: the five parameters, then five i32, one f32 and four v128.
  const [mat, n, d, probe, out, outEnd, j, rowBytes, end16, end4, sum, a0, a1, a2, a3] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  ] as const;
  // prettier-ignore
  const accumulate = (acc: number, offset: number) => [
    ...get(acc),
    ...get(mat), ...get(j), ...i32Add, ...v128Load(offset),
    ...get(probe), ...get(j), ...i32Add, ...v128Load(offset),
    ...f32x4Mul, ...f32x4Add, ...set(acc),
  ];
  // prettier-ignore
  const whileJBelow = (limit: number, step: number, bodyCode: number[]) => [
    ...block, ...loop,
    ...get(j), ...get(limit), ...i32GeU, ...brIf(1),
    ...bodyCode,
    ...get(j), ...i32Const(step), ...i32Add, ...set(j), ...br(0),
    ...end, ...end,
  ];
  // prettier-ignore
  const code = [
    ...get(out), ...get(n), ...i32Const(4), ...i32Mul, ...i32Add, ...set(outEnd),
    ...get(d), ...i32Const(4), ...i32Mul, ...set(rowBytes),
    ...get(d), ...i32Const(-16), ...i32And, ...i32Const(4), ...i32Mul, ...set(end16),
    ...get(d), ...i32Const(-4), ...i32And, ...i32Const(4), ...i32Mul, ...set(end4),
    ...block, ...loop,
      ...get(out), ...get(outEnd), ...i32GeU, ...brIf(1),
      ...v128Zero, ...set(a0), ...v128Zero, ...set(a1), ...v128Zero, ...set(a2), ...v128Zero, ...set(a3),
      ...i32Const(0), ...set(j),
      ...whileJBelow(end16, 64, [...accumulate(a0, 0), ...accumulate(a1, 16), ...accumulate(a2, 32), ...accumulate(a3, 48)]),
      ...get(a0), ...get(a1), ...f32x4Add, ...get(a2), ...get(a3), ...f32x4Add, ...f32x4Add, ...set(a0),
      ...whileJBelow(end4, 16, accumulate(a0, 0)),
      ...get(a0), ...f32x4ExtractLane(0), ...get(a0), ...f32x4ExtractLane(1), ...f32Add,
      ...get(a0), ...f32x4ExtractLane(2), ...get(a0), ...f32x4ExtractLane(3), ...f32Add, ...f32Add, ...set(sum),
      ...whileJBelow(rowBytes, 4, [
        ...get(sum),
        ...get(mat), ...get(j), ...i32Add, ...f32Load,
        ...get(probe), ...get(j), ...i32Add, ...f32Load,
        ...f32Mul, ...f32Add, ...set(sum),
      ]),
      ...get(out), ...get(sum), ...f32Store,
      ...get(mat), ...get(rowBytes), ...i32Add, ...set(mat),
      ...get(out), ...i32Const(4), ...i32Add, ...set(out),
      ...br(0),
    ...end, ...end,
    ...end,
  ];
  const locals = wasmVector([
    [5, I32],
    [1, F32],
    [4, V128],
  ]);
  const functionBody = [...locals, ...code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...wasmSection(1, wasmVector([[0x60, ...wasmVector([[I32], [I32], [I32], [I32], [I32]]), 0x00]])),
    // import env.memory: memory type with min 1 page and no maximum (each matrix brings its own).
    ...wasmSection(2, wasmVector([[...wasmName('env'), ...wasmName('memory'), 0x02, 0x00, 0x01]])),
    ...wasmSection(3, wasmVector([[0x00]])),
    ...wasmSection(7, wasmVector([[...wasmName('scoreRows'), 0x00, 0x00]])),
    ...wasmSection(10, wasmVector([[...leb128Unsigned(functionBody.length), ...functionBody]])),
  ]);
}

/** The slice of the WebAssembly JS API used here (not in @types/node's globals). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}
type ScoreRows = (matPtr: number, n: number, d: number, probePtr: number, outPtr: number) => void;

const WASM_PAGE_BYTES = 65536;
/** wasm32 addresses at most 2^32 bytes; V8 allows memories up to that on 64-bit hosts. */
const WASM_MAX_PAGES = 65536;
const SCRATCH_ALIGN_BYTES = 64;

/** A matrix's own memory, with the probe and score scratch the kernel reads and writes. */
interface KernelBinding {
  scoreRows: ScoreRows;
  probe: Float32Array;
  scores: Float32Array;
  matrixByteOffset: number;
}

const bindings = new WeakMap<ArrayBufferLike, KernelBinding>();
let kernelModule: object | null | undefined;

function compiledKernel(): object | null {
  if (kernelModule === undefined) {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    try {
      kernelModule = wasm ? new wasm.Module(assembleScoreKernel()) : null;
    } catch {
      kernelModule = null; // no WebAssembly SIMD here: every matrix takes the JavaScript path
    }
  }
  return kernelModule;
}

const alignUp = (bytes: number, to: number) => Math.ceil(bytes / to) * to;

/**
 * A zeroed `capacity × d` template matrix for this module's fast path: it lives in a WebAssembly
 * memory of its own, beside the probe and score scratch the kernel needs. The memory never grows,
 * so views on it stay valid; to grow a gallery, allocate a larger matrix and copy the rows over.
 * Falls back to a plain `Float32Array` (same results, slower) where WebAssembly SIMD is missing
 * or the matrix would pass the 4 GiB wasm32 limit; {@link isAccelerated} tells which.
 */
export function allocateTemplateMatrix(capacity: number, d: number): Float32Array {
  checkCount('capacity', capacity);
  checkDimension(d);
  const module = compiledKernel();
  const probeBytes = alignUp(d * 4, SCRATCH_ALIGN_BYTES);
  const scoreBytes = alignUp(capacity * 4, SCRATCH_ALIGN_BYTES);
  const totalBytes = probeBytes + scoreBytes + capacity * d * 4;
  const pages = Math.max(1, Math.ceil(totalBytes / WASM_PAGE_BYTES));
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!module || !wasm || pages > WASM_MAX_PAGES) return new Float32Array(capacity * d);

  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  const instance = new wasm.Instance(module, { env: { memory } });
  const matrixByteOffset = probeBytes + scoreBytes;
  bindings.set(memory.buffer, {
    scoreRows: instance.exports.scoreRows as ScoreRows,
    probe: new Float32Array(memory.buffer, 0, d),
    scores: new Float32Array(memory.buffer, probeBytes, capacity),
    matrixByteOffset,
  });
  return new Float32Array(memory.buffer, matrixByteOffset, capacity * d);
}

/** Whether searches over `matrix` run on the WebAssembly SIMD kernel. */
export function isAccelerated(matrix: Float32Array): boolean {
  const binding = bindings.get(matrix.buffer);
  return binding !== undefined && matrix.byteOffset >= binding.matrixByteOffset;
}

// ---------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------

/** Reused by the JavaScript path so that a search allocates nothing proportional to N. */
let scratchScores = new Float32Array(0);

/**
 * The N scores, in a scratch buffer owned by this module (valid until the next search).
 * Uses the kernel when `matrix` is an accelerated matrix whose scratch fits this call's shape.
 */
function scoreIntoScratch(matrix: Float32Array, n: number, d: number, probe: Float32Array): Float32Array {
  const binding = bindings.get(matrix.buffer);
  if (
    binding !== undefined &&
    matrix.byteOffset >= binding.matrixByteOffset &&
    d <= binding.probe.length &&
    n <= binding.scores.length
  ) {
    binding.probe.set(probe.subarray(0, d));
    binding.scoreRows(matrix.byteOffset, n, d, binding.probe.byteOffset, binding.scores.byteOffset);
    return binding.scores;
  }
  if (scratchScores.length < n) scratchScores = new Float32Array(n);
  scoreRowsScalar(matrix, n, d, probe, scratchScores);
  return scratchScores;
}

/** The JavaScript path: eight independent accumulators so the adds do not wait on each other. */
function scoreRowsScalar(matrix: Float32Array, n: number, d: number, probe: Float32Array, out: Float32Array): void {
  const d8 = d - (d % 8);
  let row = 0;
  for (let i = 0; i < n; i++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    // Each loop keeps its own counter: a counter shared across two loops measured ~40% slower.
    for (let j = 0; j < d8; j += 8) {
      const r = row + j;
      s0 += matrix[r] * probe[j];
      s1 += matrix[r + 1] * probe[j + 1];
      s2 += matrix[r + 2] * probe[j + 2];
      s3 += matrix[r + 3] * probe[j + 3];
      s4 += matrix[r + 4] * probe[j + 4];
      s5 += matrix[r + 5] * probe[j + 5];
      s6 += matrix[r + 6] * probe[j + 6];
      s7 += matrix[r + 7] * probe[j + 7];
    }
    for (let j = d8; j < d; j++) s0 += matrix[row + j] * probe[j];
    out[i] = s0 + s1 + s2 + s3 + (s4 + s5 + s6 + s7);
    row += d;
  }
}

/**
 * Dot product of `probe` with each of the first `n` rows of the `n × d` row-major `matrix`;
 * cosine similarity when rows and probe are L2-normalised. Writes into `out` when given (its
 * length must be at least `n`) and returns it, else returns a new array.
 */
export function scoreAll(
  matrix: Float32Array,
  n: number,
  d: number,
  probe: Float32Array,
  out?: Float32Array,
): Float32Array {
  checkShape(matrix, n, d, probe);
  const target = out ?? new Float32Array(n);
  if (target.length < n) throw new RangeError(`out holds ${target.length} scores, need ${n}`);
  target.set(scoreIntoScratch(matrix, n, d, probe).subarray(0, n));
  return target;
}

// ---------------------------------------------------------------------------------------------
// Top-k
// ---------------------------------------------------------------------------------------------

/**
 * The `k` best rows, by descending score, ties to the lower row. Scans the scores once keeping
 * a k-entry min-heap, so the cost is O(N + k log k · log N) for scores in random order.
 * Rows whose score is NaN are never returned.
 */
export function topKTemplates(
  matrix: Float32Array,
  n: number,
  d: number,
  probe: Float32Array,
  k: number,
): TemplateMatch[] {
  checkShape(matrix, n, d, probe);
  checkK(k);
  const capacity = Math.min(k, n);
  if (capacity === 0) return [];
  const scores = scoreIntoScratch(matrix, n, d, probe);

  // Min-heap on (score, then higher row = worse): the root is the entry to beat.
  const heapScore = new Float64Array(capacity);
  const heapIndex = new Float64Array(capacity);
  let size = 0;
  const worse = (a: number, b: number) =>
    heapScore[a] < heapScore[b] || (heapScore[a] === heapScore[b] && heapIndex[a] > heapIndex[b]);
  const swap = (a: number, b: number) => {
    const s = heapScore[a];
    heapScore[a] = heapScore[b];
    heapScore[b] = s;
    const i = heapIndex[a];
    heapIndex[a] = heapIndex[b];
    heapIndex[b] = i;
  };

  for (let i = 0; i < n; i++) {
    const score = scores[i];
    if (size === capacity) {
      // Rows arrive in increasing order, so an equal score never displaces the root.
      if (!(score > heapScore[0])) continue;
      heapScore[0] = score;
      heapIndex[0] = i;
      siftDown(0, size, worse, swap);
    } else if (score === score) {
      heapScore[size] = score;
      heapIndex[size] = i;
      siftUp(size, worse, swap);
      size++;
    }
  }

  const matches: TemplateMatch[] = [];
  for (let slot = 0; slot < size; slot++) matches.push({ index: heapIndex[slot], score: heapScore[slot] });
  return matches.sort((a, b) => b.score - a.score || a.index - b.index);
}

/** The people a search may name (a kiosk limited to some units); others are never candidates. */
export interface PersonFilter {
  has(personId: number): boolean;
}

/**
 * The `k` best people, each scored by their best template (`personOf[row]` names the row's
 * person), by descending score, ties to the lower person id. One pass over the scores with a
 * k-entry min-heap that also tracks where each person sits, so a person is held at most once.
 * Rows whose score is NaN are never counted, nor rows of people outside `allowed` when it is given.
 */
export function topKPeople(
  matrix: Float32Array,
  n: number,
  d: number,
  personOf: PersonIds,
  probe: Float32Array,
  k: number,
  allowed?: PersonFilter,
): PersonMatch[] {
  checkShape(matrix, n, d, probe);
  checkK(k);
  if (personOf.length < n) throw new RangeError(`personOf has ${personOf.length} entries, need ${n}`);
  const capacity = Math.min(k, n);
  if (capacity === 0) return [];
  const scores = scoreIntoScratch(matrix, n, d, probe);

  // Min-heap on (score, then higher person id = worse). A person evicted from the heap can only
  // return with a strictly higher score: the root only improves, and it already beat them.
  const heapScore = new Float64Array(capacity);
  const heapPerson = new Float64Array(capacity);
  const heapTemplate = new Float64Array(capacity);
  const slotOf = new Map<number, number>();
  let size = 0;
  const worse = (a: number, b: number) =>
    heapScore[a] < heapScore[b] || (heapScore[a] === heapScore[b] && heapPerson[a] > heapPerson[b]);
  const swap = (a: number, b: number) => {
    const s = heapScore[a];
    heapScore[a] = heapScore[b];
    heapScore[b] = s;
    const p = heapPerson[a];
    heapPerson[a] = heapPerson[b];
    heapPerson[b] = p;
    const t = heapTemplate[a];
    heapTemplate[a] = heapTemplate[b];
    heapTemplate[b] = t;
    slotOf.set(heapPerson[a], a);
    slotOf.set(heapPerson[b], b);
  };

  for (let i = 0; i < n; i++) {
    const score = scores[i];
    // The cheap test that rejects almost every row once the heap is full.
    if (size === capacity && !(score >= heapScore[0])) continue;
    if (score !== score) continue;
    const person = personOf[i];
    if (allowed && !allowed.has(person)) continue;
    const slot = slotOf.get(person);
    if (slot !== undefined) {
      // Strictly better only: on a tie the earlier (lower) template row stays.
      if (!(score > heapScore[slot])) continue;
      heapScore[slot] = score;
      heapTemplate[slot] = i;
      siftDown(slot, size, worse, swap);
    } else if (size < capacity) {
      heapScore[size] = score;
      heapPerson[size] = person;
      heapTemplate[size] = i;
      slotOf.set(person, size);
      siftUp(size, worse, swap);
      size++;
    } else if (score > heapScore[0] || person < heapPerson[0]) {
      slotOf.delete(heapPerson[0]);
      heapScore[0] = score;
      heapPerson[0] = person;
      heapTemplate[0] = i;
      slotOf.set(person, 0);
      siftDown(0, size, worse, swap);
    }
  }

  const matches: PersonMatch[] = [];
  for (let slot = 0; slot < size; slot++) {
    matches.push({ personId: heapPerson[slot], score: heapScore[slot], templateIndex: heapTemplate[slot] });
  }
  return matches.sort((a, b) => b.score - a.score || a.personId - b.personId);
}

function siftUp(slot: number, worse: (a: number, b: number) => boolean, swap: (a: number, b: number) => void): void {
  while (slot > 0) {
    const parent = (slot - 1) >> 1;
    if (!worse(slot, parent)) return;
    swap(slot, parent);
    slot = parent;
  }
}

function siftDown(
  slot: number,
  size: number,
  worse: (a: number, b: number) => boolean,
  swap: (a: number, b: number) => void,
): void {
  for (;;) {
    const left = 2 * slot + 1;
    if (left >= size) return;
    const right = left + 1;
    const child = right < size && worse(right, left) ? right : left;
    if (!worse(child, slot)) return;
    swap(slot, child);
    slot = child;
  }
}

// ---------------------------------------------------------------------------------------------
// Argument checks: a wrong shape would otherwise read past the rows or score garbage.
// ---------------------------------------------------------------------------------------------

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
}

function checkDimension(d: number): void {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a whole number ≥ 1, got ${d}`);
}

function checkShape(matrix: Float32Array, n: number, d: number, probe: Float32Array): void {
  checkCount('n', n);
  checkDimension(d);
  if (matrix.length < n * d) throw new RangeError(`matrix holds ${matrix.length} floats, need ${n} × ${d}`);
  if (probe.length < d) throw new RangeError(`probe holds ${probe.length} floats, need ${d}`);
}

function checkK(k: number): void {
  if (!(k >= 0) || (!Number.isInteger(k) && k !== Infinity)) {
    throw new RangeError(`k must be a whole number ≥ 0 (or Infinity), got ${k}`);
  }
}
