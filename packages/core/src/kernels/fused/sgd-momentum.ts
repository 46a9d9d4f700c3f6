// SGD with heavy-ball momentum over every parameter in one kernel call: the composed step (the
// momentum trace, its clone as the update, the learning-rate scale, params + updates) is three list
// kernels, a clone per parameter and three passes over the parameters' memory; here one pass reads p,
// g and the trace and writes the new trace and p. Each element is computed with the float32
// multiplies and adds of the composed path (t = fl(m b) + g, u = fl(-lr t), p + u), so the results
// are its bits.
import {
  engine,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import type { HeapKernels } from '../heap/heap-kernels.js';
import type { KernelArgs, WasmHeapBackend } from '../wasm/kernel-utils.js';

export const SGD_MOMENTUM = 'LabSgdMomentum';

export interface SgdMomentumAttrs {
  /** Parameters: inputs p0.., g0.. and, with `withTrace`, b0.. (the trace of the previous step). */
  count: number;
  withTrace: boolean;
  momentum: number;
  lr: number;
}

/** The W3 kernel of kernels/heap.c (its `--- W3 (dense path) ---` section). */
interface SgdHeapKernels {
  sgd_momentum(
    p: number,
    g: number,
    b: number,
    pOut: number,
    bOut: number,
    n: number,
    m: number,
    a: number,
  ): void;
}

type Triple = [TensorInfo, TensorInfo, TensorInfo | null];

/** The list's tensors checked: float32, p, g (and b) of one shape, `count` of each. */
function triples(inputs: Record<string, TensorInfo>, a: SgdMomentumAttrs): Triple[] {
  if (!Number.isInteger(a.count) || a.count < 0)
    throw new RangeError(`${SGD_MOMENTUM}: count must be a non-negative integer, got ${a.count}`);
  const out: Triple[] = [];
  for (let i = 0; i < a.count; i++) {
    const [p, g, b] = [inputs[`p${i}`], inputs[`g${i}`], a.withTrace ? inputs[`b${i}`] : null];
    if (!p || !g || (a.withTrace && !b))
      throw new RangeError(`${SGD_MOMENTUM}: input p${i}, g${i}${a.withTrace ? ` or b${i}` : ''} missing`);
    for (const t of [p, g, b])
      if (t && t.dtype !== 'float32')
        throw new TypeError(`${SGD_MOMENTUM}: float32 tensors only, got ${t.dtype} (parameter ${i})`);
    for (const t of [g, b])
      if (t && t.shape.join(',') !== p.shape.join(','))
        throw new RangeError(`${SGD_MOMENTUM}: parameter ${i} shapes differ: [${p.shape}] / [${t.shape}]`);
    out.push([p, g, b ?? null]);
  }
  return out;
}

/** The composed path's float32 arithmetic, element by element. */
function loop(
  p: Float32Array,
  g: Float32Array,
  b: Float32Array | null,
  a: SgdMomentumAttrs,
  pOut: Float32Array,
  bOut: Float32Array,
) {
  const m = Math.fround(a.momentum);
  const rate = Math.fround(-a.lr);
  for (let i = 0; i < p.length; i++) {
    const t = b ? Math.fround(Math.fround(m * b[i]!) + g[i]!) : g[i]!;
    bOut[i] = t;
    pOut[i] = p[i]! + Math.fround(rate * t);
  }
}

function wasmKernel({ inputs, attrs, backend }: KernelArgs<string>): TensorInfo[] {
  const a = attrs as unknown as SgdMomentumAttrs;
  const list = triples(inputs, a);
  const w = backend as WasmHeapBackend;
  const simd = labRuntime(backend).heapKernels() as (HeapKernels & SgdHeapKernels) | null; // before allocating
  const traces = list.map(([p]) => w.makeOutput(p.shape, 'float32'));
  const params = list.map(([p]) => w.makeOutput(p.shape, 'float32'));
  // views after every allocation: an allocation can grow the heap
  const view = (t: TensorInfo) => w.typedArrayFromHeap(t) as Float32Array;
  for (const [i, [p, g, b]] of list.entries()) {
    const [ps, gs, po, bo] = [p, g, params[i]!, traces[i]!].map(view) as Float32Array[];
    const bs = b ? view(b) : null;
    if (ps!.length === 0) continue;
    if (simd)
      simd.sgd_momentum(
        ps!.byteOffset,
        gs!.byteOffset,
        bs ? bs.byteOffset : 0,
        po!.byteOffset,
        bo!.byteOffset,
        ps!.length,
        a.momentum,
        -a.lr,
      );
    else loop(ps!, gs!, bs, a, po!, bo!);
  }
  return [...traces, ...params];
}

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuKernel({ inputs, attrs, backend }: KernelArgs<string>): TensorInfo[] {
  const a = attrs as unknown as SgdMomentumAttrs;
  const c = backend as unknown as CpuBackend;
  const values = (t: TensorInfo) => c.data.get(t.dataId).values;
  const traces: TensorInfo[] = [];
  const params: TensorInfo[] = [];
  for (const [p, g, b] of triples(inputs, a)) {
    const [pOut, bOut] = [new Float32Array(values(p).length), new Float32Array(values(p).length)];
    loop(values(p), values(g), b ? values(b) : null, a, pOut, bOut);
    traces.push(c.makeTensorInfo(p.shape, 'float32', bOut));
    params.push(c.makeTensorInfo(p.shape, 'float32', pOut));
  }
  return [...traces, ...params];
}

export const sgdMomentumConfigs: readonly KernelConfig[] = [
  { kernelName: SGD_MOMENTUM, backendName: 'wasm', kernelFunc: wasmKernel as unknown as KernelFunc },
  { kernelName: SGD_MOMENTUM, backendName: 'cpu', kernelFunc: cpuKernel as unknown as KernelFunc },
];

/**
 * One SGD-with-momentum step of every parameter: the new traces (m b + g, or g without traces) and
 * the new parameters (p - lr trace), by the fused kernel in one call; null when the active backend
 * has none or a tensor is not float32 (callers then compose the step).
 */
export function sgdMomentumList(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  traces: readonly Tensor[] | null,
  momentum: number,
  lr: number,
): { params: Tensor[]; traces: Tensor[] } | null {
  if (grads.length !== params.length || (traces && traces.length !== params.length))
    throw new RangeError(`${SGD_MOMENTUM}: ${params.length} parameters against ${grads.length} gradients`);
  if (!getKernel(SGD_MOMENTUM, engine().backendName)) return null;
  if ([...params, ...grads, ...(traces ?? [])].some((t) => t.dtype !== 'float32')) return null;
  if (params.length === 0) return { params: [], traces: [] };
  const inputs: Record<string, Tensor> = {};
  for (const [i, p] of params.entries()) {
    inputs[`p${i}`] = p;
    inputs[`g${i}`] = grads[i]!;
    if (traces) inputs[`b${i}`] = traces[i]!;
  }
  const attrs: SgdMomentumAttrs = { count: params.length, withTrace: traces !== null, momentum, lr };
  const out = engine().runKernel(
    SGD_MOMENTUM,
    inputs,
    attrs as unknown as NamedAttrMap,
  ) as unknown as Tensor[];
  return { traces: out.slice(0, params.length), params: out.slice(params.length) };
}
