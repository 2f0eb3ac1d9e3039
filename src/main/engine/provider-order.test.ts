import { describe, expect, it } from 'vitest';
import {
  autoProviderOrder,
  deviceLabel,
  fallbackReason,
  gpuDevicePresent,
  isGpuProvider,
  parseProviderSetting,
  providerChoices,
  type ProviderEnvironment,
} from './provider-order';

const CUDA_MISSING =
  'onnxruntime-node was installed without its CUDA provider (libonnxruntime_providers_cuda.so not found)';
// What onnxruntime-node 1.30 lists on Linux x64 and on Windows x64.
const LINUX_BACKENDS = ['cpu', 'webgpu', 'cuda', 'tensorrt'];
const WIN_BACKENDS = ['cpu', 'dml', 'webgpu', 'cuda', 'tensorrt'];

const env = (e: Partial<ProviderEnvironment>): ProviderEnvironment => ({
  platform: 'linux',
  cudaMissing: null,
  backends: LINUX_BACKENDS,
  gpuDevice: true,
  ...e,
});

describe('autoProviderOrder', () => {
  it('linux: CUDA where installed, then WebGPU where a GPU device is present, never DirectML', () => {
    expect(autoProviderOrder(env({}))).toEqual({ tryOrder: ['cuda', 'webgpu'], skipped: [] });
    expect(autoProviderOrder(env({ cudaMissing: CUDA_MISSING }))).toEqual({
      tryOrder: ['webgpu'],
      skipped: [{ provider: 'cuda', reason: CUDA_MISSING }],
    });
  });

  it('linux without a GPU device: WebGPU is not tried at all, and the reason says so', () => {
    const order = autoProviderOrder(env({ cudaMissing: CUDA_MISSING, gpuDevice: false }));
    expect(order.tryOrder).toEqual([]);
    expect(fallbackReason(order, new Map(), null)).toBe(`CUDA: ${CUDA_MISSING}; WebGPU: no GPU device (/dev/dri)`);
  });

  it('a build of onnxruntime-node without WebGPU: skipped, whatever the device', () => {
    const order = autoProviderOrder(env({ backends: ['cpu', 'cuda'] }));
    expect(order.tryOrder).toEqual(['cuda']);
    expect(order.skipped).toEqual([{ provider: 'webgpu', reason: 'not in this build of onnxruntime-node' }]);
  });

  it('win32: CUDA, then DirectML, then WebGPU', () => {
    expect(autoProviderOrder(env({ platform: 'win32', backends: WIN_BACKENDS })).tryOrder).toEqual([
      'cuda',
      'dml',
      'webgpu',
    ]);
    const noCuda = autoProviderOrder(env({ platform: 'win32', backends: WIN_BACKENDS, cudaMissing: 'not installed' }));
    expect(noCuda.tryOrder).toEqual(['dml', 'webgpu']);
    // A backend list onnxruntime could not give: DirectML and WebGPU are still tried, not assumed absent.
    expect(autoProviderOrder(env({ platform: 'win32', backends: null, cudaMissing: 'x' })).tryOrder).toEqual([
      'dml',
      'webgpu',
    ]);
  });

  it('darwin: no CUDA, no DirectML, WebGPU (Metal) first', () => {
    const order = autoProviderOrder(
      env({ platform: 'darwin', backends: ['cpu', 'webgpu', 'coreml'], cudaMissing: 'CUDA is not supported on macOS' }),
    );
    expect(order.tryOrder).toEqual(['webgpu']);
    expect(order.skipped).toEqual([{ provider: 'cuda', reason: 'CUDA is not supported on macOS' }]);
  });
});

describe('fallbackReason', () => {
  const order = autoProviderOrder(env({ platform: 'win32', backends: WIN_BACKENDS, cudaMissing: 'not installed' }));

  it('names each provider skipped or failed, in auto order', () => {
    const failures = new Map([
      ['webgpu', 'Failed to get a WebGPU adapter: No supported adapters'],
      ['dml', 'no adapter'],
    ] as const);
    expect(fallbackReason(order, failures, null)).toBe(
      'CUDA: not installed; DirectML: no adapter; WebGPU: Failed to get a WebGPU adapter: No supported adapters',
    );
  });

  it('stops at the active provider; nothing ahead of it: null', () => {
    expect(fallbackReason({ ...order, skipped: [] }, new Map([['dml', 'no adapter']]), 'webgpu')).toBe(
      'DirectML: no adapter',
    );
    expect(fallbackReason({ ...order, skipped: [] }, new Map(), 'dml')).toBeNull();
  });
});

describe('gpuDevicePresent', () => {
  const fsWith = (tree: Record<string, string[]>) => (dir: string) => tree[dir] ?? [];

  it('linux: a DRM render node or the NVIDIA device node', () => {
    expect(gpuDevicePresent('linux', fsWith({}))).toBe(false);
    expect(gpuDevicePresent('linux', fsWith({ '/dev/dri': ['card0'] }))).toBe(false);
    expect(gpuDevicePresent('linux', fsWith({ '/dev/dri': ['card0', 'renderD128'] }))).toBe(true);
    expect(gpuDevicePresent('linux', fsWith({ '/dev': ['null', 'nvidia0', 'nvidiactl'] }))).toBe(true);
  });

  it('windows and macOS: assumed present', () => {
    expect(gpuDevicePresent('win32', fsWith({}))).toBe(true);
    expect(gpuDevicePresent('darwin', fsWith({}))).toBe(true);
  });
});

describe('provider settings and labels', () => {
  it('parses the five settings, case and spaces aside, and nothing else', () => {
    for (const v of ['auto', 'cuda', 'webgpu', 'dml', 'cpu']) expect(parseProviderSetting(v)).toBe(v);
    expect(parseProviderSetting(' WebGPU ')).toBe('webgpu');
    for (const v of ['tpu', 'directml', 'gpu', '']) expect(parseProviderSetting(v)).toBeNull();
    expect(providerChoices()).toBe('auto, cuda, webgpu, dml or cpu');
  });

  it('labels the device for health, and knows which providers are GPUs', () => {
    expect(deviceLabel('cuda', 8)).toBe('CUDA GPU 0');
    expect(deviceLabel('dml', 8)).toBe('DirectML GPU 0');
    expect(deviceLabel('webgpu', 8)).toBe('WebGPU GPU');
    expect(deviceLabel('cpu', 8)).toBe('CPU (8 cores)');
    for (const p of ['cuda', 'dml', 'webgpu']) expect(isGpuProvider(p)).toBe(true);
    for (const p of ['cpu', null, undefined, 'tensorrt']) expect(isGpuProvider(p)).toBe(false);
  });
});
