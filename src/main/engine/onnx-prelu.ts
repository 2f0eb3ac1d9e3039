/**
 * Per-channel PRelu written as operations onnxruntime's CPU provider runs in its blocked (NCHWc)
 * layout. onnxruntime has no blocked PRelu: every one leaves the layout (a reorder out, a broadcasting
 * element-wise kernel, a reorder back) and in the pack's recognizer (MobileFaceNet, 33 PRelus) that was
 * 7 of 11 ms a face, against 3 ms for all the convolutions. The rewrite gives the same numbers bit for
 * bit — for every x, y = Relu(x) + (−s)·Relu(−x): one of the two terms is exactly zero, negation is
 * exact, and the other term is the one product PRelu itself computes (s·x for x < 0, x otherwise):
 *
 *   PRelu(x, s)  →  a  = Relu(x)
 *                   nx = Conv(x, −1, group = C)      (a 1×1 depthwise convolution: −x)
 *                   b  = Relu(nx)                    (fused into that convolution)
 *                   y  = Add(a, Conv(b, −s, group = C))
 *
 * Only a PRelu whose slope is a float initializer of shape [C, 1, 1] or [1, C, 1, 1] (one slope per
 * channel of an NCHW tensor) is rewritten; the rest is passed through byte for byte. Fields (onnx.proto3):
 * ModelProto.graph (7); GraphProto.node (1), initializer (5); NodeProto.input (1), output (2), name (3),
 * op_type (4), attribute (5), domain (7); AttributeProto.name (1), i (3), type (20); TensorProto.dims (1),
 * data_type (2), float_data (4), name (8), raw_data (9).
 */

import {
  concatBytes,
  type Field,
  lengthDelimited,
  readFields,
  lengthDelimitedParts,
  readPackedVarints,
  rewriteParts,
  stringField,
  text,
  varintField,
} from './onnx-proto';

const FLOAT = 1;
const ATTRIBUTE_INT = 2;
const PREFIX = 'hadir_prelu';

interface Slope {
  channels: number;
  values: Float32Array;
}

/** The float values and channel count of a per-channel slope initializer, else null. */
function perChannelSlope(tensor: Uint8Array): Slope | null {
  const tf = readFields(tensor);
  const dims: number[] = [];
  for (const f of tf.filter((x) => x.no === 1)) {
    if (f.wireType === 0) dims.push(f.value!);
    else if (f.body) dims.push(...readPackedVarints(f.body));
  }
  const type = tf.find((f) => f.no === 2)?.value;
  if (type !== FLOAT) return null;
  const shape = dims;
  const perChannel =
    (shape.length === 3 && shape[1] === 1 && shape[2] === 1) ||
    (shape.length === 4 && shape[0] === 1 && shape[2] === 1 && shape[3] === 1);
  const channels = shape.length === 3 ? shape[0] : shape[1];
  if (!perChannel || !(channels > 1)) return null;
  const raw = tf.find((f) => f.no === 9)?.body;
  let bytes: Uint8Array | null = raw ?? null;
  if (!bytes) {
    // float_data: packed (one length-delimited field) or, in old writers, one fixed32 field per value.
    const fd = tf.filter((f) => f.no === 4);
    bytes =
      fd.length === 1 && fd[0].body
        ? fd[0].body
        : fd.every((f) => f.wireType === 5)
          ? concatBytes(fd.map((f) => tensor.subarray(f.end - 4, f.end)))
          : null;
  }
  if (!bytes || bytes.length !== channels * 4) return null;
  // A copy: the slice may not be 4-byte aligned, and the values are little-endian on every platform.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(channels);
  for (let i = 0; i < channels; i++) values[i] = view.getFloat32(i * 4, true);
  return { channels, values };
}

function floatInitializer(name: string, dims: number[], values: Float32Array): Uint8Array {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return lengthDelimited(
    5,
    concatBytes([
      ...dims.map((d) => varintField(1, d)),
      varintField(2, FLOAT),
      stringField(8, name),
      lengthDelimited(9, raw),
    ]),
  );
}

function node(op: string, name: string, inputs: string[], outputs: string[], group?: number): Uint8Array {
  const attrs = group
    ? [
        lengthDelimited(
          5,
          concatBytes([stringField(1, 'group'), varintField(3, group), varintField(20, ATTRIBUTE_INT)]),
        ),
      ]
    : [];
  return lengthDelimited(
    1,
    concatBytes([
      ...inputs.map((i) => stringField(1, i)),
      ...outputs.map((o) => stringField(2, o)),
      stringField(3, name),
      stringField(4, op),
      ...attrs,
    ]),
  );
}

/** The model with every per-channel PRelu rewritten as above, or null when it has none to rewrite. */
export function withBlockedPRelu(model: Uint8Array): Uint8Array | null {
  const mf = readFields(model);
  const graph = mf.find((f) => f.no === 7);
  if (!graph?.body) return null;
  const gf = readFields(graph.body);
  const initializers = new Map<string, Uint8Array>();
  for (const f of gf.filter((x) => x.no === 5 && x.body)) {
    initializers.set(text(readFields(f.body!).find((x) => x.no === 8)?.body), f.body!);
  }
  const replaced = new Map<Field, Uint8Array[]>();
  const added: Uint8Array[] = [];
  for (const f of gf) {
    if (f.no !== 1 || !f.body) continue;
    const nf = readFields(f.body);
    if (text(nf.find((x) => x.no === 4)?.body) !== 'PRelu') continue;
    // Our names must not meet the model's own; a model that already uses the prefix is left alone.
    if (nf.some((x) => (x.no === 2 || x.no === 1) && text(x.body).startsWith(PREFIX))) return null;
    const domain = text(nf.find((x) => x.no === 7)?.body);
    if (domain !== '' && domain !== 'ai.onnx') continue;
    const inputs = nf.filter((x) => x.no === 1).map((x) => text(x.body));
    const outputs = nf.filter((x) => x.no === 2).map((x) => text(x.body));
    const slopeTensor = inputs.length === 2 ? initializers.get(inputs[1]) : undefined;
    const slope = slopeTensor ? perChannelSlope(slopeTensor) : null;
    if (!slope || outputs.length !== 1) continue;
    const [x] = inputs;
    const [y] = outputs;
    const p = `${PREFIX}_${replaced.size}_`;
    const c = slope.channels;
    added.push(floatInitializer(`${p}neg`, [c, 1, 1, 1], new Float32Array(c).fill(-1)));
    added.push(
      floatInitializer(
        `${p}slope`,
        [c, 1, 1, 1],
        slope.values.map((v) => -v),
      ),
    );
    replaced.set(f, [
      node('Relu', `${p}pos`, [x], [`${p}a`]),
      node('Conv', `${p}negate`, [x, `${p}neg`], [`${p}nx`], c),
      node('Relu', `${p}negpos`, [`${p}nx`], [`${p}b`]),
      node('Conv', `${p}scale`, [`${p}b`, `${p}slope`], [`${p}sb`], c),
      node('Add', `${p}sum`, [`${p}a`, `${p}sb`], [y]),
    ]);
  }
  if (replaced.size === 0) return null;
  // One copy of the model: the graph's parts go into the model's parts, and are joined once.
  const newGraph = lengthDelimitedParts(7, [...rewriteParts(graph.body, gf, (f) => replaced.get(f)), ...added]);
  return concatBytes(rewriteParts(model, mf, (f) => (f === graph ? newGraph : undefined)));
}
