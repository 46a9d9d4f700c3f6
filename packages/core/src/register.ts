// The only place @lab/core registers anything with tfjs. Registration is explicit (nothing runs on
// import), idempotent, and yields to whatever is already registered, so a second copy of @lab/core,
// the tfjs umbrella package or a future native tfjs kernel all win over ours without warnings.
import {
  type GradConfig,
  getGradient,
  getKernel,
  type KernelConfig,
  registerGradient,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterGradConfig } from './gradients/Conv2DBackpropFilter_grad.js';
import { tfjsGradConfigs } from './gradients/tfjs-gradients.js';
import { zeroGradConfigs } from './gradients/zero-gradients.js';
import { conv2DBackpropFilterConfig } from './kernels/wasm/Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './kernels/wasm/Conv2DBackpropInput.js';
import { unsortedSegmentSumConfig } from './kernels/wasm/UnsortedSegmentSum.js';

/** WASM kernels that @lab adds. The stock Conv2DBackpropInput is replaced (it is a slow direct loop). */
export const labKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  unsortedSegmentSumConfig,
];
/** Brand on kernels registered by any copy of @lab/core. */
const LAB = Symbol.for('@lab/core.kernel');
/** Kernels whose stock wasm version @lab replaces because it is too slow for training. */
const REPLACED = new Set(['Conv2DBackpropInput']);

export const labGradients: readonly GradConfig[] = [...tfjsGradConfigs, ...zeroGradConfigs, conv2DBackpropFilterGradConfig];

export interface RegistrationReport {
  kernels: string[];
  gradients: number;
}

/** Registers @lab's kernels and every gradient. Safe to call any number of times. */
export function registerLab(): RegistrationReport {
  const kernels: string[] = [];
  for (const k of labKernels) {
    const existing = getKernel(k.kernelName, k.backendName) as (KernelConfig & { [LAB]?: true }) | undefined;
    if (existing) {
      if (existing[LAB] || !REPLACED.has(k.kernelName)) continue;
      unregisterKernel(k.kernelName, k.backendName); // so tfjs does not warn about a duplicate
    }
    registerKernel({ ...k, [LAB]: true } as KernelConfig);
    kernels.push(k.kernelName);
  }
  let gradients = 0;
  for (const g of labGradients) {
    if (getGradient(g.kernelName)) continue;
    registerGradient(g);
    gradients++;
  }
  return { kernels, gradients };
}
