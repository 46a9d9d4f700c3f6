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
  unregisterGradient,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterGradConfig } from './gradients/Conv2DBackpropFilter_grad.js';
import { recomputingGradConfigs } from './gradients/recomputing-grads.js';
import { reduceGradConfigs } from './gradients/reduce-grads.js';
import { tfjsGradConfigs } from './gradients/tfjs/gradients.js';
import { zeroGradConfigs } from './gradients/zero-gradients.js';
import { adamMomentsConfigs } from './kernels/fused/adam-moments.js';
import { batchNormTrainConfigs, batchNormTrainGradConfig } from './kernels/fused/batch-norm.js';
import { bernoulliMaskConfigs } from './kernels/fused/bernoulli-mask.js';
import { denseConfigs, denseGradConfigs } from './kernels/fused/dense.js';
import { fastLeakyRelu, leakyReluGradConfigs, leakyReluGradients } from './kernels/fused/leaky-relu.js';
import { linearListConfigs } from './kernels/fused/linear-list.js';
import { sgdMomentumConfigs } from './kernels/fused/sgd-momentum.js';
import { fastBatchMatMul } from './kernels/wasm/BatchMatMul.js';
import { fastCast } from './kernels/wasm/Cast.js';
import { fastConv2D } from './kernels/wasm/Conv2D.js';
import { conv2DBackpropFilterConfig } from './kernels/wasm/Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './kernels/wasm/Conv2DBackpropInput.js';
import { fastGatherV2 } from './kernels/wasm/GatherV2.js';
import { identityConfig } from './kernels/wasm/Identity.js';
import { fastMean, fastSum } from './kernels/wasm/Reduce.js';
import { fastSlice } from './kernels/wasm/Slice.js';
import { fastSplitV, fastUnpack } from './kernels/wasm/SplitV.js';
import { fastTranspose } from './kernels/wasm/Transpose.js';
import { unsortedSegmentSumConfig } from './kernels/wasm/UnsortedSegmentSum.js';

/**
 * Kernels that @lab adds (for wasm; the fused optimizer kernels for cpu too). The stock
 * Conv2DBackpropInput (a slow direct loop) and Identity (a copy where a shared reference does) are
 * replaced.
 */
export const labKernels: readonly KernelConfig[] = [
  ...adamMomentsConfigs,
  ...batchNormTrainConfigs,
  ...bernoulliMaskConfigs,
  ...denseConfigs,
  ...leakyReluGradConfigs,
  ...linearListConfigs,
  ...sgdMomentumConfigs,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  identityConfig,
  unsortedSegmentSumConfig,
];
/** Brand on kernels and gradients registered by any copy of @lab/core. */
const LAB = Symbol.for('@lab/core.kernel');
/** Kernels whose stock wasm version @lab replaces because it is too slow for training. */
const REPLACED = new Set(['Conv2DBackpropInput', 'Identity']);

/**
 * Gradients of tfjs that @lab replaces, even when registered elsewhere: the output-reading ones (they
 * lose second derivatives, see recomputing-grads.ts), leakyRelu's (one fused kernel) and Sum's and
 * Mean's (the same bits without a JavaScript-filled ones tensor, see reduce-grads.ts).
 */
const REPLACED_GRADIENTS = new Set(
  [...recomputingGradConfigs, ...leakyReluGradients, ...reduceGradConfigs].map((g) => g.kernelName),
);
/** Every gradient @lab registers: tfjs's own, with the ones above replaced. */
export const labGradients: readonly GradConfig[] = [
  ...recomputingGradConfigs,
  ...leakyReluGradients,
  ...reduceGradConfigs,
  ...tfjsGradConfigs.filter((g) => !REPLACED_GRADIENTS.has(g.kernelName)),
  ...zeroGradConfigs,
  ...denseGradConfigs,
  batchNormTrainGradConfig,
  conv2DBackpropFilterGradConfig,
];

/** Stock wasm kernels that @lab wraps (the stock kernel still does the arithmetic). */
const wrappers: readonly { kernelName: string; wrap: (stock: KernelConfig) => KernelConfig }[] = [
  { kernelName: 'BatchMatMul', wrap: fastBatchMatMul },
  { kernelName: 'Cast', wrap: fastCast },
  { kernelName: 'Conv2D', wrap: fastConv2D },
  { kernelName: 'GatherV2', wrap: fastGatherV2 },
  { kernelName: 'LeakyRelu', wrap: fastLeakyRelu },
  { kernelName: 'Mean', wrap: fastMean },
  { kernelName: 'Sum', wrap: fastSum },
  { kernelName: 'Slice', wrap: fastSlice },
  { kernelName: 'SplitV', wrap: fastSplitV },
  { kernelName: 'Transpose', wrap: fastTranspose },
  { kernelName: 'Unpack', wrap: fastUnpack },
];

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
  for (const { kernelName, wrap } of wrappers) {
    const stock = getKernel(kernelName, 'wasm') as (KernelConfig & { [LAB]?: true }) | undefined;
    if (!stock || stock[LAB]) continue;
    unregisterKernel(kernelName, 'wasm');
    registerKernel({ ...wrap(stock), [LAB]: true } as KernelConfig);
    kernels.push(kernelName);
  }
  let gradients = 0;
  for (const g of labGradients) {
    const existing = getGradient(g.kernelName) as (GradConfig & { [LAB]?: true }) | undefined;
    if (existing) {
      // A gradient registered elsewhere (the tfjs umbrella) is kept unless it is one we replace.
      if (existing[LAB] || !REPLACED_GRADIENTS.has(g.kernelName)) continue;
      unregisterGradient(g.kernelName);
    }
    registerGradient({ ...g, [LAB]: true } as GradConfig);
    gradients++;
  }
  return { kernels, gradients };
}
