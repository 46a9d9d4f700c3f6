// A dense layer y = act(x W + b) as one kernel, with a gradient of at most three kernels: on a small
// network (LeNet-300-100, batch 128) the engine's bookkeeping per kernel (dispatch, tape, the clones
// of saved tensors) cost more than the arithmetic, and the composed layer ran eight kernels forward
// (MatMul, Add, Relu, and a clone of each saved operand) and seven backward (Step, Cast, Multiply,
// Sum, two Reshapes, two products). Forward, the wasm kernel is heap/gemm.ts with the bias and ReLU
// in its epilogue; where that product does not apply (no FMA kernels, a product for the kernel
// threads, a short K) it runs the backend's own kernels in sequence without the engine. Backward,
// LabReluBiasGrad makes the masked gradient and the bias gradient in one pass, and the two products
// are matMuls (lazily: a first layer's input gradient is never computed). The results are the bits
// of the composition (matMul, add, relu and their tfjs gradients) on the same backend, up to the sign
// of zero; a NaN pre-activation gives a zero gradient here (the mask reads y = relu(z), not z).
import {
  add,
  cast,
  engine,
  type GradConfig,
  getKernel,
  greater,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  matMul,
  mul,
  type NamedAttrMap,
  relu,
  sum,
  type Tensor,
  type TensorInfo,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { MIN_THREADED_MACS } from '../heap/conv-threads.js';
import { heapGemm } from '../heap/gemm.js';
import type { HeapKernels } from '../heap/heap-kernels.js';
import { MIN_INPUT_CHANNELS } from '../wasm/Conv2D.js';
import type { KernelArgs, WasmHeapBackend } from '../wasm/kernel-utils.js';

export const DENSE = 'LabDense';
export const DENSE_RELU = 'LabDenseRelu';
export const RELU_BIAS_GRAD = 'LabReluBiasGrad';

export type DenseActivation = 'linear' | 'relu';

/** The W3 kernels of kernels/heap.c (its `--- W3 (dense path) ---` section). */
export interface DenseHeapKernels {
  /** dz = dy * (y > 0), db = column sums of dz in double (byte offsets; dy, y, dz [M, N]). */
  relu_bias_grad(dy: number, y: number, dz: number, db: number, M: number, N: number): void;
}

/** The operands checked: float32, x [M, K], w [K, N], b [N] or none; the sizes. */
function denseSizes(name: string, x: TensorInfo, w: TensorInfo, b: TensorInfo | undefined) {
  for (const [what, t] of [
    ['x', x],
    ['w', w],
    ['b', b],
  ] as const)
    if (t && t.dtype !== 'float32')
      throw new TypeError(`${name}: float32 tensors only, got ${what} ${t.dtype}`);
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0])
    throw new RangeError(`${name}: x [M, K] and w [K, N] expected, got [${x.shape}] and [${w.shape}]`);
  const [M, K] = x.shape as [number, number];
  const N = w.shape[1]!;
  if (b && (b.shape.length !== 1 || b.shape[0] !== N))
    throw new RangeError(`${name}: b [${N}] expected, got [${b.shape}]`);
  return { M, K, N };
}

/** Runs one of the backend's registered kernels directly (no tape, no engine bookkeeping). */
function run(backend: KernelBackend, backendName: string, name: string, inputs: object, attrs = {}) {
  const kernel = getKernel(name, backendName);
  if (!kernel) throw new Error(`@lab/core: the ${backendName} backend has no '${name}' kernel to build on`);
  return kernel.kernelFunc({ inputs: inputs as never, attrs: attrs as NamedAttrMap, backend }) as TensorInfo;
}

/** act(x w + b) by the backend's MatMul, Add and Relu kernels, intermediates freed. */
function composed(
  backendName: string,
  backend: KernelBackend,
  { x, w, b }: { x: TensorInfo; w: TensorInfo; b?: TensorInfo },
  activation: DenseActivation,
): TensorInfo {
  let y = run(backend, backendName, 'BatchMatMul', { a: x, b: w }, { transposeA: false, transposeB: false });
  const then = (next: (t: TensorInfo) => TensorInfo) => {
    const prev = y;
    y = next(prev);
    backend.disposeData(prev.dataId);
  };
  if (b) then((t) => run(backend, backendName, 'Add', { a: t, b }));
  if (activation === 'relu') then((t) => run(backend, backendName, 'Relu', { x: t }));
  return y;
}

/** The product on heap/gemm.ts where BatchMatMul would take it (one thread, FMA, K long enough). */
function onHeapGemm(
  backend: WasmHeapBackend,
  x: TensorInfo,
  w: TensorInfo,
  b: TensorInfo | undefined,
  act: DenseActivation,
) {
  const { M, K, N } = denseSizes(act === 'relu' ? DENSE_RELU : DENSE, x, w, b);
  const runtime = labRuntime(backend);
  if (K < MIN_INPUT_CHANNELS || !runtime.heapKernelsFma()) return null;
  if (runtime.convThreads() && M * K * N >= MIN_THREADED_MACS) return null;
  return heapGemm(backend, x, w, { transposeA: false, transposeB: false, bias: b, activation: act }, [M, N]);
}

function denseKernel(backendName: 'wasm' | 'cpu', activation: DenseActivation): KernelFunc {
  const name = activation === 'relu' ? DENSE_RELU : DENSE;
  const kernelFunc = ({ inputs, backend }: KernelArgs<'x' | 'w' | 'b'>): TensorInfo => {
    const { x, w } = inputs;
    const b = inputs.b as TensorInfo | undefined;
    denseSizes(name, x, w, b);
    const fast = backendName === 'wasm' ? onHeapGemm(backend as WasmHeapBackend, x, w, b, activation) : null;
    return fast ?? composed(backendName, backend, { x, w, b }, activation);
  };
  return kernelFunc as unknown as KernelFunc;
}

function checkReluBiasGrad(dy: TensorInfo, y: TensorInfo): { M: number; N: number } {
  if (dy.dtype !== 'float32' || y.dtype !== 'float32')
    throw new TypeError(`${RELU_BIAS_GRAD}: float32 tensors only, got ${dy.dtype} and ${y.dtype}`);
  if (dy.shape.length !== 2 || dy.shape.join(',') !== y.shape.join(','))
    throw new RangeError(
      `${RELU_BIAS_GRAD}: dy and y of one shape [M, N] expected, got [${dy.shape}] / [${y.shape}]`,
    );
  return { M: dy.shape[0]!, N: dy.shape[1]! };
}

/** dz = dy * (y > 0 ? 1 : 0); db[j] = the sum of column j of dz, added in double. */
function reluBiasGradLoop(
  dy: Float32Array,
  y: Float32Array,
  M: number,
  N: number,
  dz: Float32Array,
  db: Float32Array,
) {
  for (let i = 0; i < dz.length; i++) dz[i] = dy[i]! * (y[i]! > 0 ? 1 : 0);
  for (let j = 0; j < N; j++) {
    let total = 0;
    for (let i = 0; i < M; i++) total += dz[i * N + j]!;
    db[j] = total;
  }
}

function wasmReluBiasGrad({ inputs, backend }: KernelArgs<'dy' | 'y'>): TensorInfo[] {
  const { dy, y } = inputs;
  const { M, N } = checkReluBiasGrad(dy, y);
  const b = backend as WasmHeapBackend;
  const simd = labRuntime(backend).heapKernels() as (HeapKernels & DenseHeapKernels) | null; // before allocating
  const dz = b.makeOutput([M, N], 'float32');
  const db = b.makeOutput([N], 'float32');
  // views after every allocation: an allocation can grow the heap
  const [g, v, z, s] = [dy, y, dz, db].map((t) => b.typedArrayFromHeap(t) as Float32Array) as Float32Array[];
  if (M * N === 0) {
    s!.fill(0);
    return [dz, db];
  }
  if (simd) simd.relu_bias_grad(g!.byteOffset, v!.byteOffset, z!.byteOffset, s!.byteOffset, M, N);
  else reluBiasGradLoop(g!, v!, M, N, z!, s!);
  return [dz, db];
}

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuReluBiasGrad({ inputs, backend }: KernelArgs<'dy' | 'y'>): TensorInfo[] {
  const { dy, y } = inputs;
  const { M, N } = checkReluBiasGrad(dy, y);
  const b = backend as unknown as CpuBackend;
  const dz = new Float32Array(M * N);
  const db = new Float32Array(N);
  reluBiasGradLoop(b.data.get(dy.dataId).values, b.data.get(y.dataId).values, M, N, dz, db);
  return [b.makeTensorInfo([M, N], 'float32', dz), b.makeTensorInfo([N], 'float32', db)];
}

export const denseConfigs: readonly KernelConfig[] = (['wasm', 'cpu'] as const).flatMap((backendName) => [
  { kernelName: DENSE, backendName, kernelFunc: denseKernel(backendName, 'linear') },
  { kernelName: DENSE_RELU, backendName, kernelFunc: denseKernel(backendName, 'relu') },
  {
    kernelName: RELU_BIAS_GRAD,
    backendName,
    kernelFunc: (backendName === 'wasm' ? wasmReluBiasGrad : cpuReluBiasGrad) as unknown as KernelFunc,
  },
]);

/** [dy * (y > 0), column sums of that]: the fused kernel where the backend has it, else composed. */
export function reluBiasGrad(dy: Tensor, y: Tensor): [Tensor, Tensor] {
  if (getKernel(RELU_BIAS_GRAD, engine().backendName))
    return engine().runKernel(RELU_BIAS_GRAD, { dy, y }) as unknown as [Tensor, Tensor];
  const dz = mul(dy, cast(greater(y, 0), 'float32'));
  return [dz, sum(dz, 0)];
}

/** The gradient of a dense kernel: dz (and db) first, the products when the tape asks for them. */
function denseGradient(activation: DenseActivation): GradConfig {
  return {
    kernelName: activation === 'relu' ? DENSE_RELU : DENSE,
    inputsToSave: ['x', 'w'],
    outputsToSave: activation === 'relu' ? [true] : [],
    gradFunc: (dy, saved) => {
      const [x, w, y] = saved as Tensor[];
      const [dz, db] = activation === 'relu' ? reluBiasGrad(dy as Tensor, y!) : [dy as Tensor, null];
      return {
        x: () => matMul(dz, w!, false, true),
        w: () => matMul(x!, dz, true, false),
        b: () => db ?? sum(dz, 0),
      };
    },
  };
}

export const denseGradConfigs: readonly GradConfig[] = [
  denseGradient('linear'),
  denseGradient('relu'),
  {
    // dz and db are linear in dy through the mask, which is flat in y almost everywhere
    kernelName: RELU_BIAS_GRAD,
    inputsToSave: ['y'],
    gradFunc: (dys, [y]) => {
      const [ddz, ddb] = dys as Tensor[];
      return {
        dy: () => mul(add(ddz!, ddb!), cast(greater(y!, 0), 'float32')),
        y: () => zerosLike(y!),
      };
    },
  },
];

/**
 * act(x w + b) for x [M, K], w [K, N], b [N] (or none) by the fused kernel, or null when the active
 * backend has none or an operand is not a float32 matrix (callers then compose tfjs ops).
 */
export function fusedDense(
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  activation: DenseActivation,
): Tensor | null {
  const name = activation === 'relu' ? DENSE_RELU : DENSE;
  if (!getKernel(name, engine().backendName)) return null;
  if ([x, w, b].some((t) => t && t.dtype !== 'float32')) return null;
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0]) return null;
  if (b && (b.rank !== 1 || b.shape[0] !== w.shape[1])) return null;
  return engine().runKernel(name, b ? { x, w, b } : { x, w }) as Tensor;
}

/** act(x w + b) composed of tfjs ops (the reference, and the path without the fused kernel). */
export function composedDense(
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  activation: DenseActivation,
): Tensor {
  let y = matMul(x, w);
  if (b) y = add(y, b);
  return activation === 'relu' ? relu(y) : y;
}
