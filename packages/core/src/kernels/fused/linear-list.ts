// out_i = a x_i + b y_i for every tensor pair of a list, in one kernel call: the optimizer's
// elementwise steps (momentum trace, learning-rate scale, params + updates) over all parameters at
// once. Composed of tfjs ops, each is one or two kernels per parameter, and on a small network (W3's
// six tensors) the engine's per-kernel bookkeeping costs more than the arithmetic. Each element is
// computed as tfjs's add(mul(x, a), mul(y, b)) computes it (float32 products, then their sum), so
// the result is bit for bit that composition's.
import {
  engine,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import type { KernelArgs, WasmHeapBackend } from '../wasm/kernel-utils.js';

export const LINEAR_LIST = 'LabLinearList';

export interface LinearListAttrs {
  a: number;
  b: number;
  /** Pairs in the list: inputs x0..x{count-1}, and y0..y{count-1} unless `withY` is false. */
  count: number;
  withY: boolean;
}

/** The list's tensors, checked: float32, pairs of one shape, `count` of each. */
function pairs(inputs: Record<string, TensorInfo>, a: LinearListAttrs): [TensorInfo, TensorInfo | null][] {
  if (!Number.isInteger(a.count) || a.count < 0)
    throw new RangeError(`${LINEAR_LIST}: count must be a non-negative integer, got ${a.count}`);
  const out: [TensorInfo, TensorInfo | null][] = [];
  for (let i = 0; i < a.count; i++) {
    const x = inputs[`x${i}`];
    const y = a.withY ? (inputs[`y${i}`] ?? null) : null;
    if (!x || (a.withY && !y))
      throw new RangeError(`${LINEAR_LIST}: input x${i}${a.withY ? ` or y${i}` : ''} missing`);
    for (const t of y ? [x, y] : [x])
      if (t.dtype !== 'float32')
        throw new TypeError(`${LINEAR_LIST}: float32 tensors only, got ${t.dtype} (pair ${i})`);
    if (y && x.shape.join(',') !== y.shape.join(','))
      throw new RangeError(`${LINEAR_LIST}: pair ${i} shapes differ: [${x.shape}] / [${y.shape}]`);
    out.push([x, y]);
  }
  return out;
}

/** out = fround(fround(a x) + fround(b y)) elementwise (y null: fround(a x)). */
function loop(x: ArrayLike<number>, y: ArrayLike<number> | null, a: number, b: number, out: Float32Array) {
  const fa = Math.fround(a);
  const fb = Math.fround(b);
  for (let i = 0; i < out.length; i++)
    out[i] = y ? Math.fround(fa * x[i]!) + Math.fround(fb * y[i]!) : fa * x[i]!;
}

type Args = KernelArgs<string>;

function wasmKernel({ inputs, attrs, backend }: Args): TensorInfo[] {
  const a = attrs as unknown as LinearListAttrs;
  const list = pairs(inputs, a);
  const b = backend as WasmHeapBackend;
  const simd = labRuntime(backend).heapKernels(); // first: binding allocates its stack from the heap
  const outs = list.map(([x]) => b.makeOutput(x.shape, 'float32'));
  // views (offsets) after every allocation: an allocation can grow the heap
  for (const [i, [x, y]] of list.entries()) {
    const [xs, ys, os] = [x, y, outs[i]!].map((t) => (t ? (b.typedArrayFromHeap(t) as Float32Array) : null));
    if (os!.length === 0) continue;
    if (simd) simd.axpby(xs!.byteOffset, ys ? ys.byteOffset : 0, os!.byteOffset, os!.length, a.a, a.b);
    else loop(xs!, ys ?? null, a.a, a.b, os!);
  }
  return outs;
}

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuKernel({ inputs, attrs, backend }: Args): TensorInfo[] {
  const a = attrs as unknown as LinearListAttrs;
  const b = backend as unknown as CpuBackend;
  return pairs(inputs, a).map(([x, y]) => {
    const xs = b.data.get(x.dataId).values;
    const out = new Float32Array(xs.length);
    loop(xs, y ? b.data.get(y.dataId).values : null, a.a, a.b, out);
    return b.makeTensorInfo(x.shape, 'float32', out);
  });
}

export const linearListConfigs: readonly KernelConfig[] = [
  { kernelName: LINEAR_LIST, backendName: 'wasm', kernelFunc: wasmKernel as unknown as KernelFunc },
  { kernelName: LINEAR_LIST, backendName: 'cpu', kernelFunc: cpuKernel as unknown as KernelFunc },
];

/**
 * [a x_i + b y_i] (or [a x_i] without ys) by the fused kernel in one call, or null when the active
 * backend has none or a tensor is not float32 (callers then compose tfjs ops).
 */
export function linearList(
  xs: readonly Tensor[],
  ys: readonly Tensor[] | null,
  a: number,
  b = 0,
): Tensor[] | null {
  if (ys && ys.length !== xs.length)
    throw new RangeError(`${LINEAR_LIST}: ${xs.length} tensors against ${ys.length}`);
  if (!getKernel(LINEAR_LIST, engine().backendName)) return null;
  if ([...xs, ...(ys ?? [])].some((t) => t.dtype !== 'float32')) return null;
  if (xs.length === 0) return [];
  const inputs: Record<string, Tensor> = {};
  for (const [i, x] of xs.entries()) inputs[`x${i}`] = x;
  if (ys) for (const [i, y] of ys.entries()) inputs[`y${i}`] = y;
  const attrs: LinearListAttrs = { a, b, count: xs.length, withY: ys !== null };
  return engine().runKernel(LINEAR_LIST, inputs, attrs as never) as unknown as Tensor[];
}
