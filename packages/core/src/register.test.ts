import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  type GradConfig,
  getGradient,
  getKernel,
  type KernelConfig,
  registerGradient,
  registerKernel,
  unregisterGradient,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { recomputingGradConfigs } from './gradients/recomputing-grads.js';
import { tfjsGradConfigs } from './gradients/tfjs/gradients.js';
import { labGradients, labKernels, registerLab } from './register.js';

// Registration against tfjs's global registry (this file runs in its own module graph): what the
// first call adds, that later calls add nothing, and whom it yields to.

const foreignKernel = (kernelName: string, backendName: string): KernelConfig => ({
  kernelName,
  backendName,
  kernelFunc: () => {
    throw new Error('foreign');
  },
});
const foreignGradient = (kernelName: string): GradConfig => ({ kernelName, gradFunc: () => ({}) });

describe('registerLab', () => {
  it('lists each gradient once, with the output-reading ones replaced by the recomputing ones', () => {
    const names = labGradients.map((g) => g.kernelName);
    expect(new Set(names).size).toBe(names.length);
    const tanh = labGradients.find((g) => g.kernelName === 'Tanh')!;
    expect(tanh.gradFunc).toBe(recomputingGradConfigs.find((g) => g.kernelName === 'Tanh')!.gradFunc);
    for (const g of tfjsGradConfigs) expect(names).toContain(g.kernelName);
  });

  it('first call: every kernel and gradient; later calls: nothing, and no kernel wrapped twice', () => {
    const first = registerLab();
    for (const k of labKernels) expect(first.kernels).toContain(k.kernelName);
    for (const w of ['BatchMatMul', 'Conv2D', 'GatherV2', 'Transpose', 'Unpack'])
      expect(first.kernels).toContain(w);
    expect(first.gradients).toBe(labGradients.length);
    const transpose = getKernel('Transpose', 'wasm');
    expect(registerLab()).toEqual({ kernels: [], gradients: 0 });
    expect(getKernel('Transpose', 'wasm')).toBe(transpose);
    expect(getGradient('Tanh')!.gradFunc).toBe(labGradients.find((g) => g.kernelName === 'Tanh')!.gradFunc);
  });

  it('yields to kernels and gradients registered elsewhere, except the ones it replaces', () => {
    registerLab();
    // a kernel @lab only adds: the foreign one stays
    unregisterKernel('UnsortedSegmentSum', 'wasm');
    const segment = foreignKernel('UnsortedSegmentSum', 'wasm');
    registerKernel(segment);
    // a stock kernel @lab replaces (Identity): ours wins
    unregisterKernel('Identity', 'wasm');
    const identity = foreignKernel('Identity', 'wasm');
    registerKernel(identity);
    // a plain tfjs gradient stays; an output-reading one (Sigmoid) is replaced
    unregisterGradient('Abs');
    unregisterGradient('Sigmoid');
    const abs = foreignGradient('Abs');
    const sigmoid = foreignGradient('Sigmoid');
    registerGradient(abs);
    registerGradient(sigmoid);

    const report = registerLab();
    expect(report).toEqual({ kernels: ['Identity'], gradients: 1 });
    expect(getKernel('UnsortedSegmentSum', 'wasm')!.kernelFunc).toBe(segment.kernelFunc);
    expect(getKernel('Identity', 'wasm')!.kernelFunc).not.toBe(identity.kernelFunc);
    expect(getGradient('Abs')!.gradFunc).toBe(abs.gradFunc);
    expect(getGradient('Sigmoid')!.gradFunc).toBe(
      recomputingGradConfigs.find((g) => g.kernelName === 'Sigmoid')!.gradFunc,
    );
  });
});
