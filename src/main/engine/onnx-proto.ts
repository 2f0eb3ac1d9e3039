/**
 * The minimal protobuf walk our ONNX graph rewrites need (onnx-batch.ts, onnx-prelu.ts): a message is read
 * as a flat list of fields whose bodies are sub-slices of the original bytes, so that a rewrite copies
 * only what it changes and passes every other field (the weights above all) through byte for byte.
 */

export interface Field {
  no: number;
  wireType: number;
  start: number;
  end: number;
  /** Varint value (wire type 0). */
  value?: number;
  /** Length-delimited payload (wire type 2). */
  body?: Uint8Array;
}

export function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  while (i < buf.length) {
    const start = i;
    let key: number;
    [key, i] = readVarint(buf, i);
    const f: Field = { no: key >>> 3, wireType: key & 7, start, end: 0 };
    if (f.wireType === 0) [f.value, i] = readVarint(buf, i);
    else if (f.wireType === 1) i += 8;
    else if (f.wireType === 5) i += 4;
    else if (f.wireType === 2) {
      let len: number;
      [len, i] = readVarint(buf, i);
      f.body = buf.subarray(i, i + len);
      i += len;
    } else throw new Error(`unsupported protobuf wire type ${f.wireType}`);
    if (i > buf.length) throw new Error('truncated protobuf');
    f.end = i;
    out.push(f);
  }
  return out;
}

/**
 * A varint and the offset after it. As a plain number: exact up to 2^53, which every size, count and
 * enum of a model is; a negative int64 (ten bytes) comes out as a large inexact number, which no
 * comparison here mistakes for a small one.
 */
function readVarint(buf: Uint8Array, at: number): [number, number] {
  let r = 0;
  let scale = 1;
  for (let i = at; ;) {
    if (i >= buf.length) throw new Error('truncated protobuf');
    const b = buf[i++];
    r += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [r, i];
    scale *= 128;
  }
}

/** The varints of a packed repeated field's payload (TensorProto.dims, for one). */
export function readPackedVarints(body: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length;) {
    let v: number;
    [v, i] = readVarint(body, i);
    out.push(v);
  }
  return out;
}

export function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function lengthDelimited(no: number, body: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([...varintBytes((no << 3) | 2), ...varintBytes(body.length)]), body]);
}

/** A varint field (non-negative values only: what graph rewrites write). */
export function varintField(no: number, value: number): Uint8Array {
  return Uint8Array.from([...varintBytes(no << 3), ...varintBytes(value)]);
}

export function stringField(no: number, value: string): Uint8Array {
  return lengthDelimited(no, new TextEncoder().encode(value));
}

/**
 * The message with some fields replaced (the whole encoded field, or its parts) or dropped (null), as a
 * list of parts: unchanged fields are views of `buf`, so nothing is copied until `concatBytes`.
 */
export function rewriteParts(
  buf: Uint8Array,
  fields: Field[],
  replace: (f: Field) => Uint8Array | readonly Uint8Array[] | null | undefined,
): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    const r = replace(f);
    if (r === undefined) parts.push(buf.subarray(f.start, f.end));
    else if (r instanceof Uint8Array) parts.push(r);
    else if (r !== null) parts.push(...r);
  }
  return parts;
}

/** `rewriteParts` joined into one message. */
export function rewrite(
  buf: Uint8Array,
  fields: Field[],
  replace: (f: Field) => Uint8Array | readonly Uint8Array[] | null | undefined,
): Uint8Array {
  return concatBytes(rewriteParts(buf, fields, replace));
}

/** A length-delimited field around a body given as parts, still as parts. */
export function lengthDelimitedParts(no: number, body: readonly Uint8Array[]): Uint8Array[] {
  const length = body.reduce((n, p) => n + p.length, 0);
  return [Uint8Array.from([...varintBytes((no << 3) | 2), ...varintBytes(length)]), ...body];
}

const decoder = new TextDecoder();
export const text = (b: Uint8Array | undefined): string => (b ? decoder.decode(b) : '');
