/**
 * Which execution providers `auto` tries, and in what order: a pure decision over what the machine
 * offers, kept apart from session.ts so it can be tested for every platform on any one of them.
 */

import type { ActiveProvider, GpuProvider } from '../../shared/execution-providers';
import { PROVIDER_NAMES } from '../../shared/execution-providers';

export type { ActiveProvider, GpuProvider };
export { PROVIDER_NAMES };

export type ProviderSetting = 'auto' | GpuProvider | 'cpu';

/** Every value the provider setting takes, in the order help texts list them. */
export const PROVIDER_SETTINGS: readonly ProviderSetting[] = ['auto', 'cuda', 'webgpu', 'dml', 'cpu'];

/** `value` as a provider setting, or null when it is none. */
export function parseProviderSetting(value: string): ProviderSetting | null {
  const v = value.trim().toLowerCase();
  return (PROVIDER_SETTINGS as readonly string[]).includes(v) ? (v as ProviderSetting) : null;
}

/** "auto, cuda, webgpu, dml or cpu". */
export function providerChoices(): string {
  return `${PROVIDER_SETTINGS.slice(0, -1).join(', ')} or ${PROVIDER_SETTINGS[PROVIDER_SETTINGS.length - 1]}`;
}

/** What the machine offers, as far as can be told without creating a session. */
export interface ProviderEnvironment {
  platform: NodeJS.Platform;
  /** Why the CUDA provider library is not installed, or null when it is. */
  cudaMissing: string | null;
  /** The backends onnxruntime-node lists (`listSupportedBackends()` names), or null where it could not say. */
  backends: readonly string[] | null;
  /** Whether a GPU device is plausibly present (on Linux a /dev/dri/renderD* or /dev/nvidia0 node). */
  gpuDevice: boolean;
}

export interface AutoOrder {
  /** GPU providers to try, best first; the CPU comes after them all. */
  tryOrder: GpuProvider[];
  /** Why each GPU provider left out was left out, in auto's order ("no GPU device (/dev/dri)" for WebGPU). */
  skipped: { provider: GpuProvider; reason: string }[];
}

/** auto's order of the GPU providers, where each is offered at all. */
export const GPU_ORDER: readonly GpuProvider[] = ['cuda', 'dml', 'webgpu'];

/**
 * `auto`'s order: CUDA where its provider library is installed, then DirectML on Windows, then WebGPU
 * where onnxruntime carries it and a GPU is plausibly there, then the CPU. WebGPU is not even tried
 * without a device: Dawn prints warnings of its own to stderr on a machine without a GPU driver.
 */
export function autoProviderOrder(env: ProviderEnvironment): AutoOrder {
  const tryOrder: GpuProvider[] = [];
  const skipped: AutoOrder['skipped'] = [];
  const listed = (name: string) => env.backends === null || env.backends.includes(name);
  if (env.cudaMissing === null) tryOrder.push('cuda');
  else skipped.push({ provider: 'cuda', reason: env.cudaMissing });
  if (env.platform === 'win32') {
    if (listed('dml')) tryOrder.push('dml');
    else skipped.push({ provider: 'dml', reason: 'not in this build of onnxruntime-node' });
  }
  if (!listed('webgpu')) skipped.push({ provider: 'webgpu', reason: 'not in this build of onnxruntime-node' });
  else if (!env.gpuDevice) {
    skipped.push({ provider: 'webgpu', reason: `no GPU device${env.platform === 'linux' ? ' (/dev/dri)' : ''}` });
  } else tryOrder.push('webgpu');
  return { tryOrder, skipped };
}

/**
 * Why `auto` is not on a GPU provider ahead of `upTo` (all of them when null, that is on the CPU): each
 * skipped or failed one, in auto's order, "CUDA: …; WebGPU: no GPU device (/dev/dri)". Null when none was.
 */
export function fallbackReason(
  order: AutoOrder,
  failures: ReadonlyMap<GpuProvider, string>,
  upTo: GpuProvider | null,
): string | null {
  const reasons: string[] = [];
  for (const p of GPU_ORDER) {
    if (p === upTo) break;
    const reason = order.skipped.find((s) => s.provider === p)?.reason ?? failures.get(p);
    if (reason !== undefined) reasons.push(`${PROVIDER_NAMES[p]}: ${reason}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : null;
}

/**
 * Whether a GPU device is plausibly present. On Linux a GPU shows as a DRM render node (Vulkan drivers
 * open those) or as NVIDIA's device node; elsewhere no cheap test exists and a GPU is assumed, an
 * attempt that fails costing one quiet session creation.
 */
export function gpuDevicePresent(platform: NodeJS.Platform, devNames: (dir: string) => string[]): boolean {
  if (platform !== 'linux') return true;
  return devNames('/dev/dri').some((n) => n.startsWith('renderD')) || devNames('/dev').includes('nvidia0');
}

/** Whether an active provider runs on a GPU. */
export function isGpuProvider(active: string | null | undefined): active is GpuProvider {
  return active === 'cuda' || active === 'dml' || active === 'webgpu';
}

/**
 * The engine's device as health reports it: "CUDA GPU 0", "DirectML GPU 0" (both use the first
 * adapter), "WebGPU GPU" (Dawn picks the adapter), "CPU (8 cores)".
 */
export function deviceLabel(active: ActiveProvider, cores: number): string {
  if (active === 'cuda') return 'CUDA GPU 0';
  if (active === 'dml') return 'DirectML GPU 0';
  if (active === 'webgpu') return 'WebGPU GPU';
  return `CPU (${cores} cores)`;
}
