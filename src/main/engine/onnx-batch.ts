/**
 * Giving a model exported with a fixed batch of 1 a symbolic batch axis, so that all faces of an image
 * go through one run. Only the declared shapes of the graph's inputs and outputs change (dim_value 1 →
 * dim_param "batch"), and only when no node could have the batch written into it: a graph with a
 * Reshape, Expand or Tile is left alone (MiniFASNet's flatten is a Reshape to [1, -1], for instance).
 * Intermediate shape hints (value_info) are dropped: onnxruntime infers them again.
 *
 * A minimal protobuf walk over the fields that matter (onnx.proto3): ModelProto.graph (7);
 * GraphProto.node (1), initializer (5), input (11), output (12), value_info (13); NodeProto.op_type (4);
 * TensorProto.name (8); ValueInfoProto.name (1), type (2); TypeProto.tensor_type (1);
 * TypeProto.Tensor.shape (2); TensorShapeProto.dim (1); Dimension.dim_value (1), dim_param (2).
 */

import { type Field, lengthDelimited, readFields, rewrite, text } from './onnx-proto';

const BATCH_PARAM = new TextEncoder().encode('batch');
/** Ops whose attributes or constant inputs can carry a fixed batch size. */
const BATCH_FIXING_OPS = new Set(['Reshape', 'Expand', 'Tile']);

/** A ValueInfoProto with the first dimension of its tensor shape made symbolic, or null if it is not 1. */
function symbolicFirstDim(valueInfo: Uint8Array): Uint8Array | null {
  const vf = readFields(valueInfo);
  const type = vf.find((f) => f.no === 2);
  const tf = type?.body ? readFields(type.body) : [];
  const tensor = tf.find((f) => f.no === 1);
  const tensorFields = tensor?.body ? readFields(tensor.body) : [];
  const shape = tensorFields.find((f) => f.no === 2);
  const dims = shape?.body ? readFields(shape.body) : [];
  const first = dims.find((f) => f.no === 1);
  if (!type?.body || !tensor?.body || !shape?.body || !first?.body) return null;
  const df = readFields(first.body);
  if (df.find((f) => f.no === 1)?.value !== 1) return null;
  const dim = rewrite(first.body, df, (f) => (f.no === 1 ? lengthDelimited(2, BATCH_PARAM) : undefined));
  const newShape = rewrite(shape.body, dims, (f) => (f === first ? lengthDelimited(1, dim) : undefined));
  const newTensor = rewrite(tensor.body, tensorFields, (f) => (f === shape ? lengthDelimited(2, newShape) : undefined));
  const newType = rewrite(type.body, tf, (f) => (f === tensor ? lengthDelimited(1, newTensor) : undefined));
  return rewrite(valueInfo, vf, (f) => (f === type ? lengthDelimited(2, newType) : undefined));
}

/**
 * The model with a symbolic batch axis on every graph input and output, or null when it cannot be
 * done safely (a node that may fix the batch, an input or output whose first dimension is not 1).
 */
export function withDynamicBatch(model: Uint8Array): Uint8Array | null {
  const mf = readFields(model);
  const graph = mf.find((f) => f.no === 7);
  if (!graph?.body) return null;
  const gf = readFields(graph.body);
  for (const n of gf.filter((f) => f.no === 1)) {
    const op = text(readFields(n.body!).find((f) => f.no === 4)?.body);
    if (BATCH_FIXING_OPS.has(op)) return null;
  }
  // Older exports list the weights among the inputs too: those keep their shapes.
  const weights = new Set(
    gf.filter((f) => f.no === 5).map((f) => text(readFields(f.body!).find((x) => x.no === 8)?.body)),
  );
  const replaced = new Map<Field, Uint8Array>();
  for (const f of gf) {
    if (f.no !== 11 && f.no !== 12) continue;
    if (f.no === 11 && weights.has(text(readFields(f.body!).find((x) => x.no === 1)?.body))) continue;
    const v = symbolicFirstDim(f.body!);
    if (!v) return null;
    replaced.set(f, lengthDelimited(f.no, v));
  }
  if (replaced.size === 0) return null;
  const newGraph = rewrite(graph.body, gf, (f) => (f.no === 13 ? null : replaced.get(f)));
  return rewrite(model, mf, (f) => (f === graph ? lengthDelimited(7, newGraph) : undefined));
}
