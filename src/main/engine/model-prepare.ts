import { readFile } from 'node:fs/promises';
import { withDynamicBatch } from './onnx-batch';
import { withBlockedPRelu } from './onnx-prelu';

export interface PrepareOptions {
  /**
   * Give a model fixed at a batch of 1 a symbolic batch axis where no node fixes it (onnx-batch.ts), so
   * that several inputs go through one run.
   */
  dynamicBatch?: boolean;
  /** No rewrite at all: the file as it is (the fallback should a rewritten graph be refused). */
  asShipped?: boolean;
}

/**
 * A model as onnxruntime should load it on a given provider: its bytes after the graph rewrites that
 * give the same numbers faster there (onnx-prelu.ts, for the CPU provider's blocked layout) or that the
 * caller asked for (a batch axis), or its path when none applies. Each form is prepared once, when first
 * asked for. A file that cannot be read or parsed is passed on by path, for onnxruntime to report.
 */
export class ModelSource {
  private readonly forms = new Map<'cpu' | 'gpu', Promise<string | Uint8Array>>();

  constructor(
    readonly path: string,
    private readonly opts: PrepareOptions = {},
  ) {}

  for(provider: 'cpu' | 'gpu'): Promise<string | Uint8Array> {
    let form = this.forms.get(provider);
    if (!form) {
      form = this.opts.asShipped ? Promise.resolve(this.path) : preparedModel(this.path, this.opts, provider === 'cpu');
      this.forms.set(provider, form);
    }
    return form;
  }
}

/** The model's bytes after the rewrites that apply, or its path when none does. */
export async function preparedModel(
  modelPath: string,
  opts: PrepareOptions = {},
  blockedPRelu = true,
): Promise<string | Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch {
    return modelPath;
  }
  let model = bytes;
  try {
    if (blockedPRelu) model = withBlockedPRelu(model) ?? model;
    if (opts.dynamicBatch) model = withDynamicBatch(model) ?? model;
  } catch {
    return modelPath; // not protobuf as expected: let onnxruntime read (and report) the file itself
  }
  return model === bytes ? modelPath : model;
}
