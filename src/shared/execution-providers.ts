/** The execution providers the engine runs on, shared by the engine, the API and the screens. */

/** Execution providers that run on a GPU. */
export type GpuProvider = 'cuda' | 'dml' | 'webgpu';

export type ActiveProvider = 'cpu' | GpuProvider;

/** The providers' names as an operator reads them. */
export const PROVIDER_NAMES: Record<ActiveProvider, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  webgpu: 'WebGPU',
};

/**
 * How a screen names the provider in use ("DirectML (GPU)", "CPU"): the engine reports an identifier,
 * which a person should not have to decode. An unknown one is shown as it is.
 */
export function providerLabel(provider: string | null): string {
  if (provider === null) return '–';
  if (!Object.hasOwn(PROVIDER_NAMES, provider)) return provider;
  const name = PROVIDER_NAMES[provider as ActiveProvider];
  return provider === 'cpu' ? name : `${name} (GPU)`;
}
