import { describe, expect, it } from 'vitest';
import { providerLabel } from './execution-providers';

describe('providerLabel', () => {
  it('names each provider as a person reads it, GPU ones as such', () => {
    expect(providerLabel('cpu')).toBe('CPU');
    expect(providerLabel('cuda')).toBe('CUDA (GPU)');
    expect(providerLabel('webgpu')).toBe('WebGPU (GPU)');
    expect(providerLabel('dml')).toBe('DirectML (GPU)');
  });

  it('shows an engine that says nothing as a dash, and an identifier it does not know as it is', () => {
    expect(providerLabel(null)).toBe('–');
    expect(providerLabel('coreml')).toBe('coreml');
    expect(providerLabel('toString')).toBe('toString');
  });
});
