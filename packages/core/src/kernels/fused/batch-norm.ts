// Batch norm in training mode as two kernels, forward and backward (kernels/heap.c's bn_*), on the
// wasm backend. tfjs's composition, moments() then sub, rsqrt, mul, mul, add, with a gradient through
// both means, makes 25-30 full-size passes over each activation (W1's generator: three layers of
// 0.4-0.8M floats, about 10% of its main thread). The forward has the composition's bits: the same
// double column sums as the Mean kernel (Reduce.ts) and the same float32 operations in the same order,
// with rsqrt(var + eps) by the stock Add and Rsqrt kernels. The backward is the closed form,
//   dbeta = sum dy, dgamma = sum dy xhat, dx = gamma rs (dy - dbeta / M - xhat dgamma / M),
// with the sums in double. Its kernel has no gradient, so a second derivative through it fails loudly
// (tfjs: "gradient function not found"); batchNormTrain leaves nested gradients (a gradient penalty
// through the layer) to the composition.
import {
  engine,
  type GradConfig,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import type { HeapKernels } from '../heap/heap-kernels.js';
import { type KernelArgs, residentKey, Scratch, type WasmHeapBackend } from '../wasm/kernel-utils.js';

export const BATCH_NORM_TRAIN = 'LabBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'LabBatchNormTrainGrad';

interface Geometry {
  M: number;
  C: number;
}

function geometry(x: TensorInfo, perChannel: TensorInfo[], name: string): Geometry {
  const C = x.shape[x.shape.length - 1] ?? 0;
  if (x.shape.length < 2 || C === 0)
    throw new RangeError(`${name}: x must be [..., C] with C > 0, got [${x.shape}]`);
  for (const t of [x, ...perChannel]) {
    if (t.dtype !== 'float32') throw new TypeError(`${name}: float32 tensors only, got ${t.dtype}`);
  }
  for (const t of perChannel)
    if (t.shape.length !== 1 || t.shape[0] !== C)
      throw new RangeError(`${name}: per-channel tensors must be [${C}], got [${t.shape}]`);
  return { M: x.shape.reduce((a, d) => a * d, 1) / C, C };
}

function heapKernels(backend: object, name: string): HeapKernels {
  const simd = labRuntime(backend).heapKernels();
  if (!simd) throw new Error(`${name}: the SIMD heap kernels are not available`);
  return simd;
}

const at = (b: WasmHeapBackend, t: TensorInfo) => b.typedArrayFromHeap(t).byteOffset;

/** rsqrt(variance + eps) by the stock kernels (the composition's bits), kept in `scratch`. */
function reciprocalStd(b: WasmHeapBackend, scratch: Scratch, variance: TensorInfo, eps: number): TensorInfo {
  const e = scratch.keep(b.makeOutput([], 'float32'));
  (b.typedArrayFromHeap(e) as Float32Array)[0] = eps;
  return scratch.run('Rsqrt', { x: scratch.run('Add', { a: variance, b: e }) });
}

type ForwardArgs = KernelArgs<'x' | 'gamma' | 'beta'>;

function forward({ inputs, attrs, backend }: ForwardArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const { M, C } = geometry(x, [gamma, beta], BATCH_NORM_TRAIN);
  const simd = heapKernels(backend, BATCH_NORM_TRAIN); // before allocating: binding allocates its stack
  const b = backend as WasmHeapBackend;
  const y = b.makeOutput(x.shape, 'float32');
  const mean = b.makeOutput([C], 'float32');
  const variance = b.makeOutput([C], 'float32');
  if (M === 0) return [y, mean, variance];
  // a tensor still in the kernel threads' memory (a threaded convolution's output) is summed there,
  // split by columns: the same bits
  const key = residentKey(backend, x.dataId);
  const threads = key ? labRuntime(backend).convThreads() : null;
  const [mv, vv] = [mean, variance].map((t) => b.typedArrayFromHeap(t) as Float32Array) as [
    Float32Array,
    Float32Array,
  ];
  if (!threads?.bnStats(key!, mv, vv, M, C, 1 / M))
    simd.bn_stats(at(b, x), at(b, mean), at(b, variance), M, C, 1 / M, 0, C);
  const scratch = new Scratch(backend);
  try {
    const rs = reciprocalStd(b, scratch, variance, (attrs as { eps: number }).eps);
    simd.bn_apply(at(b, x), at(b, mean), at(b, rs), at(b, gamma), at(b, beta), at(b, y), C, 0, M);
  } finally {
    scratch.dispose();
  }
  return [y, mean, variance];
}

type GradArgs = KernelArgs<'dy' | 'x' | 'gamma' | 'mean' | 'variance'>;

function backward({ inputs, attrs, backend }: GradArgs): TensorInfo[] {
  const { dy, x, gamma, mean, variance } = inputs;
  const { M, C } = geometry(x, [gamma, mean, variance], BATCH_NORM_TRAIN_GRAD);
  if (dy.shape.join(',') !== x.shape.join(','))
    throw new RangeError(`${BATCH_NORM_TRAIN_GRAD}: dy [${dy.shape}] is not shaped like x [${x.shape}]`);
  const simd = heapKernels(backend, BATCH_NORM_TRAIN_GRAD);
  const b = backend as WasmHeapBackend;
  const dx = b.makeOutput(x.shape, 'float32');
  const dgamma = b.makeOutput([C], 'float32');
  const dbeta = b.makeOutput([C], 'float32');
  if (M === 0) {
    (b.typedArrayFromHeap(dgamma) as Float32Array).fill(0);
    (b.typedArrayFromHeap(dbeta) as Float32Array).fill(0);
    return [dx, dgamma, dbeta];
  }
  const scratch = new Scratch(backend);
  try {
    const rs = reciprocalStd(b, scratch, variance, (attrs as { eps: number }).eps);
    simd.bn_grad_sums(at(b, dy), at(b, x), at(b, mean), at(b, rs), at(b, dbeta), at(b, dgamma), M, C, 0, C);
    const k = scratch.keep(b.makeOutput([3, C], 'float32'));
    // per-channel coefficients in double: k1 = gamma rs, k2 = k1 sum(dy) / M, k3 = k1 sum(dy xhat) / M
    const kv = b.typedArrayFromHeap(k) as Float32Array;
    const g = b.typedArrayFromHeap(gamma);
    const r = b.typedArrayFromHeap(rs);
    const sdy = b.typedArrayFromHeap(dbeta);
    const sdyx = b.typedArrayFromHeap(dgamma);
    for (let c = 0; c < C; c++) {
      const k1 = g[c]! * r[c]!;
      kv[c] = k1;
      kv[C + c] = (k1 * sdy[c]!) / M;
      kv[2 * C + c] = (k1 * sdyx[c]!) / M;
    }
    const k0 = kv.byteOffset;
    simd.bn_grad_dx(
      at(b, dy),
      at(b, x),
      at(b, mean),
      at(b, rs),
      k0,
      k0 + 4 * C,
      k0 + 8 * C,
      at(b, dx),
      C,
      0,
      M,
    );
  } finally {
    scratch.dispose();
  }
  return [dx, dgamma, dbeta];
}

export const batchNormTrainConfigs: readonly KernelConfig[] = [
  { kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: forward as unknown as KernelFunc },
  { kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'wasm', kernelFunc: backward as unknown as KernelFunc },
];

export const batchNormTrainGradConfig: GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  // gradients flow from y only: the mean and variance outputs feed the running statistics
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0]! : dys;
    const [x, gamma, mean, variance] = saved as Tensor[];
    const [dx, dgamma, dbeta] = engine().runKernel(
      BATCH_NORM_TRAIN_GRAD,
      { dy, x: x!, gamma: gamma!, mean: mean!, variance: variance! },
      attrs,
    ) as Tensor[];
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
};

export interface BatchNormTrainResult {
  y: Tensor;
  /** The batch's mean and (biased) variance per channel. */
  mean: Tensor;
  variance: Tensor;
}

/**
 * Batch norm of x [..., C] over every axis but the last, in training mode: the fused kernels where
 * the active backend has them bound, outside nested gradients; null otherwise (use the composition).
 */
export function batchNormTrain(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  eps: number,
): BatchNormTrainResult | null {
  const e = engine();
  if (!getKernel(BATCH_NORM_TRAIN, e.backendName) || e.state.gradientDepth > 1) return null;
  if (x.dtype !== 'float32' || x.rank < 2 || !labRuntime().heapKernels()) return null;
  const [y, mean, variance] = e.runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, {
    eps,
  } as unknown as NamedAttrMap) as Tensor[];
  return { y: y!, mean: mean!, variance: variance! };
}
