// Adam's moment update and step direction in one pass over the data. Composed of tfjs ops it takes 12
// elementwise kernels per parameter (each a full read and write); training the parser, that was about
// 15 ms of an 85 ms batch, and as a JavaScript loop still 12 ms (float64 division and square root per
// element); the WASM SIMD kernel of kernels/heap.c takes about 1.3 ms for 1.23M parameters. On the
// cpu backend (or without the SIMD module) the loop runs; on any other backend scaleByAdam composes
// the ops as before.
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

export const ADAM_MOMENTS = 'LabAdamMoments';

export interface AdamMomentsAttrs {
  b1: number;
  b2: number;
  /** Bias corrections 1 - b1^t and 1 - b2^t. */
  c1: number;
  c2: number;
  eps: number;
}

/** mu = b1 mu + (1 - b1) g; nu = b2 nu + (1 - b2) g^2; u = (mu / c1) / (sqrt(nu / c2) + eps). */
function update(
  g: ArrayLike<number>,
  mu: ArrayLike<number>,
  nu: ArrayLike<number>,
  a: AdamMomentsAttrs,
  muOut: Float32Array,
  nuOut: Float32Array,
  u: Float32Array,
): void {
  const { b1, b2, c1, c2, eps } = a;
  const k1 = 1 - b1;
  const k2 = 1 - b2;
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    const m = b1 * mu[i]! + k1 * x;
    const v = b2 * nu[i]! + k2 * x * x;
    muOut[i] = m;
    nuOut[i] = v;
    u[i] = m / c1 / (Math.sqrt(v / c2) + eps);
  }
}

function checkInputs(g: TensorInfo, mu: TensorInfo, nu: TensorInfo): void {
  for (const t of [g, mu, nu])
    if (t.dtype !== 'float32') throw new TypeError(`${ADAM_MOMENTS}: float32 tensors only, got ${t.dtype}`);
  const s = g.shape.join(',');
  if (mu.shape.join(',') !== s || nu.shape.join(',') !== s)
    throw new RangeError(`${ADAM_MOMENTS}: shapes differ: ${s} / ${mu.shape} / ${nu.shape}`);
}

type Args = KernelArgs<string>;

/**
 * The kernel's triples: {g, mu, nu} for one tensor, or with attr `count`, g0, mu0, nu0 ... for a list
 * (every parameter in one call).
 */
function triples(
  inputs: Record<string, TensorInfo>,
  count: number | undefined,
): [TensorInfo, TensorInfo, TensorInfo][] {
  if (count === undefined) {
    const { g, mu, nu } = inputs;
    if (!g || !mu || !nu) throw new RangeError(`${ADAM_MOMENTS}: inputs g, mu and nu expected`);
    checkInputs(g, mu, nu);
    return [[g, mu, nu]];
  }
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`${ADAM_MOMENTS}: count must be a non-negative integer, got ${count}`);
  return Array.from({ length: count }, (_, i) => {
    const [g, mu, nu] = ['g', 'mu', 'nu'].map((n) => inputs[`${n}${i}`]);
    if (!g || !mu || !nu) throw new RangeError(`${ADAM_MOMENTS}: inputs g${i}, mu${i} and nu${i} expected`);
    checkInputs(g, mu, nu);
    return [g, mu, nu];
  });
}

function wasmKernel({ inputs, attrs, backend }: Args): TensorInfo[] {
  const a = attrs as unknown as AdamMomentsAttrs & { count?: number };
  const list = triples(inputs, a.count);
  const b = backend as WasmHeapBackend;
  // first: loading the SIMD module allocates its stack from the heap
  const simd = labRuntime(backend).heapKernels();
  const outs = list.flatMap(([g]) => [0, 1, 2].map(() => b.makeOutput(g.shape, 'float32')));
  for (const [i, [g, mu, nu]] of list.entries()) {
    // views after every allocation: an allocation can grow (and move) the heap
    const [xs, ms, vs, ...out] = [g, mu, nu, ...outs.slice(3 * i, 3 * i + 3)].map(
      (t) => b.typedArrayFromHeap(t) as Float32Array,
    );
    const [m, v, u] = out as [Float32Array, Float32Array, Float32Array];
    if (!simd) update(xs!, ms!, vs!, a, m, v, u);
    else if (m.length > 0) {
      const at = [xs!, ms!, vs!, m, v, u].map((t) => t.byteOffset) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      simd.adam_moments(
        ...at,
        m.length,
        a.b1,
        1 - a.b1,
        a.b2,
        1 - a.b2,
        1 / a.c1,
        1 / Math.sqrt(a.c2),
        a.eps,
      );
    }
  }
  return outs;
}

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuKernel({ inputs, attrs, backend }: Args): TensorInfo[] {
  const a = attrs as unknown as AdamMomentsAttrs & { count?: number };
  const b = backend as unknown as CpuBackend;
  const values = (t: TensorInfo) => b.data.get(t.dataId).values;
  return triples(inputs, a.count).flatMap(([g, mu, nu]) => {
    const n = g.shape.reduce((x, d) => x * d, 1);
    const out = [0, 1, 2].map(() => new Float32Array(n));
    update(values(g), values(mu), values(nu), a, out[0]!, out[1]!, out[2]!);
    return out.map((o) => b.makeTensorInfo(g.shape, 'float32', o));
  });
}

export const adamMomentsConfigs: readonly KernelConfig[] = [
  { kernelName: ADAM_MOMENTS, backendName: 'wasm', kernelFunc: wasmKernel as unknown as KernelFunc },
  { kernelName: ADAM_MOMENTS, backendName: 'cpu', kernelFunc: cpuKernel as unknown as KernelFunc },
];

/** [mu, nu, update] by the fused kernel, or null when the active backend has none. */
export function fusedAdamMoments(
  g: Tensor,
  mu: Tensor,
  nu: Tensor,
  attrs: AdamMomentsAttrs,
): Tensor[] | null {
  if (!getKernel(ADAM_MOMENTS, engine().backendName)) return null;
  return engine().runKernel(ADAM_MOMENTS, { g, mu, nu }, attrs as never) as unknown as Tensor[];
}

/**
 * [mu_i, nu_i, update_i] for every tensor of the lists in one kernel call, or null when the active
 * backend has no fused kernel or a tensor is not float32.
 */
export function fusedAdamMomentsList(
  g: readonly Tensor[],
  mu: readonly Tensor[],
  nu: readonly Tensor[],
  attrs: AdamMomentsAttrs,
): [Tensor, Tensor, Tensor][] | null {
  if (mu.length !== g.length || nu.length !== g.length)
    throw new RangeError(
      `${ADAM_MOMENTS}: ${g.length} gradients against ${mu.length} and ${nu.length} moments`,
    );
  if (!getKernel(ADAM_MOMENTS, engine().backendName)) return null;
  if ([...g, ...mu, ...nu].some((t) => t.dtype !== 'float32')) return null;
  if (g.length === 0) return [];
  const inputs: Record<string, Tensor> = {};
  for (let i = 0; i < g.length; i++) {
    inputs[`g${i}`] = g[i]!;
    inputs[`mu${i}`] = mu[i]!;
    inputs[`nu${i}`] = nu[i]!;
  }
  const out = engine().runKernel(ADAM_MOMENTS, inputs, {
    ...attrs,
    count: g.length,
  } as never) as unknown as Tensor[];
  return g.map((_, i) => [out[3 * i]!, out[3 * i + 1]!, out[3 * i + 2]!]);
}
