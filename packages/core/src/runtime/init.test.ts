import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from './init.js';

describe('initBackend', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("drops tfjs's install-tfjs-node banner for the cpu backend it chooses, and keeps tfjs's other warnings", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await initBackend({ backend: 'cpu' });
    tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync());
    expect(warn.mock.calls.flat().join(' ')).not.toMatch(/tfjs-node/);
    // a real tfjs warning still comes through (a kernel registered twice)
    const noop = {
      kernelName: 'LabTestNoop',
      backendName: 'cpu',
      kernelFunc: () => [],
    } as unknown as tf.KernelConfig;
    tf.registerKernel(noop);
    try {
      tf.registerKernel(noop);
      expect(warn.mock.calls.flat().join(' ')).toMatch(/LabTestNoop/);
    } finally {
      tf.unregisterKernel('LabTestNoop', 'cpu');
    }
  });

  it('refuses bad options with a typed error naming the option', async () => {
    await expect(initBackend({ backend: 'gpu' as 'cpu' })).rejects.toThrow(/initBackend: backend must be/);
    await expect(initBackend({ threads: 0 })).rejects.toThrow(/initBackend: threads must be/);
    await expect(initBackend({ relaxedSimd: 'no' as unknown as boolean })).rejects.toThrow(TypeError);
  });
});
