// A dropout mask as one kernel: Rng(seed).fillBernoulli(mask, p, value) written straight into the
// output tensor. On wasm the draws run in kernels/heap.c's fill_bernoulli, four at a time (each
// element's mulberry32 state follows from its index), with the bits of the JavaScript loop, which
// took 2% of a W1 iteration; without the heap kernels, and on cpu, it is that loop.
import {
  engine,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { bernoulliThreshold, Rng } from '../../random/rng.js';
import { labRuntime } from '../../runtime/lab-runtime.js';
import type { KernelArgs, WasmHeapBackend } from '../wasm/kernel-utils.js';

export const BERNOULLI_MASK = 'LabBernoulliMask';

export interface BernoulliMaskAttrs {
  shape: number[];
  /** Probability of `value` (else 0). */
  p: number;
  value: number;
  /** The Rng seed (its state is seed >>> 0). */
  seed: number;
}

function attrsOf(attrs: Record<string, unknown>): BernoulliMaskAttrs {
  const a = attrs as unknown as BernoulliMaskAttrs;
  if (!(a.p >= 0 && a.p <= 1)) throw new RangeError(`${BERNOULLI_MASK}: p must be in [0, 1], got ${a.p}`);
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new RangeError(`${BERNOULLI_MASK}: bad shape [${a.shape}]`);
  return a;
}

function wasmMask({ attrs, backend }: KernelArgs<never>): TensorInfo {
  const { shape, p, value, seed } = attrsOf(attrs);
  const b = backend as WasmHeapBackend;
  const simd = labRuntime(backend).heapKernels(); // before allocating: loading it allocates its stack
  const out = b.makeOutput(shape, 'float32');
  const mask = b.typedArrayFromHeap(out) as Float32Array;
  if (mask.length === 0) return out;
  if (simd) simd.fill_bernoulli(mask.byteOffset, mask.length, seed >>> 0, bernoulliThreshold(p), value);
  else new Rng(seed).fillBernoulli(mask, p, value);
  return out;
}

interface CpuBackend {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuMask({ attrs, backend }: KernelArgs<never>): TensorInfo {
  const { shape, p, value, seed } = attrsOf(attrs);
  const mask = new Float32Array(shape.reduce((a, d) => a * d, 1));
  new Rng(seed).fillBernoulli(mask, p, value);
  return (backend as unknown as CpuBackend).makeTensorInfo(shape, 'float32', mask);
}

export const bernoulliMaskConfigs: readonly KernelConfig[] = [
  { kernelName: BERNOULLI_MASK, backendName: 'wasm', kernelFunc: wasmMask as unknown as KernelFunc },
  { kernelName: BERNOULLI_MASK, backendName: 'cpu', kernelFunc: cpuMask as unknown as KernelFunc },
];

/** The mask as a tensor where the active backend has the kernel, else null. */
export function bernoulliMask(attrs: BernoulliMaskAttrs): Tensor | null {
  if (!getKernel(BERNOULLI_MASK, engine().backendName)) return null;
  return engine().runKernel(BERNOULLI_MASK, {}, attrs as unknown as NamedAttrMap) as Tensor;
}
