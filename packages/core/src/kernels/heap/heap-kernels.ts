// Loader for kernels/heap.c: a WASM SIMD module that imports the wasm backend's own memory, so that
// its kernels read and write tensors where they live. Bound once per runtime object (one per backend,
// see runtime/lab-runtime.ts); null when that is impossible (no SIMD, a backend without an exported
// memory, or the threaded build's shared memory, which a module built for plain memory cannot import),
// and callers then use their JavaScript paths.
import type { CompiledSimdKernels, SimdKernelBuilds } from '../simd-module.js';
import { HEAP_KERNELS_FMA_WASM_BASE64, HEAP_KERNELS_WASM_BASE64 } from './heap.wasm.js';

export interface HeapKernels {
  adam_moments(
    g: number,
    mu: number,
    nu: number,
    muOut: number,
    nuOut: number,
    u: number,
    n: number,
    b1: number,
    /** 1 - b1, computed in double */
    k1: number,
    b2: number,
    /** 1 - b2, computed in double */
    k2: number,
    r1: number,
    r2: number,
    eps: number,
  ): void;
  /**
   * For each of `batch` matrices, dst[c * dstRow + r] = src[r * srcRow + c] (4-byte elements; byte
   * offsets, strides in elements).
   */
  transpose_strided(
    src: number,
    dst: number,
    batch: number,
    rows: number,
    cols: number,
    srcBatch: number,
    srcRow: number,
    dstBatch: number,
    dstRow: number,
  ): void;
  /** dst[j] = scale * sum over i < outer of src[i * inner + j] (byte offsets), added and scaled in double. */
  sum_outer(src: number, dst: number, outer: number, inner: number, scale: number): void;
  /** sum_outer for columns [jBegin, jEnd) only (the same bits for each column as sum_outer). */
  sum_outer_cols(
    src: number,
    dst: number,
    outer: number,
    inner: number,
    scale: number,
    jBegin: number,
    jEnd: number,
  ): void;
  /** dst[i] = scale * sum over j < inner of src[i * inner + j] (byte offsets), added and scaled in double. */
  sum_inner(src: number, dst: number, outer: number, inner: number, scale: number): void;
  /** dst in row-major order over shape n0..n5 reads src at sum(i_k * s_k) (strides in elements). */
  permute6(src: number, dst: number, ...shapeThenStrides: number[]): void;
  /** Packs a [K, co] filter into panels of 8 columns (see conv2d_nhwc; byte offsets). */
  pack_panels(w: number, packed: number, K: number, co: number): void;
  /** Packs a filter given transposed, [co, K] row-major, into the panels of pack_panels (byte offsets). */
  pack_panels_t(wt: number, packed: number, K: number, co: number): void;
  /**
   * c = act(a b + bias) over rows [mBegin, mEnd): a read at a[m * sam + k * sak], b packed, bias 0 for
   * none, act 0 (linear) or 1 (ReLU); byte offsets, strides in elements.
   */
  gemm(
    a: number,
    sam: number,
    sak: number,
    packed: number,
    c: number,
    bias: number,
    K: number,
    N: number,
    act: number,
    groupPanels: number,
    mBegin: number,
    mEnd: number,
  ): void;
  /** out = a x + b y, or a x where y is 0 (byte offsets; float32 multiplies and add, no FMA). */
  axpby(x: number, y: number, out: number, n: number, a: number, b: number): void;
  /** `iters` rounds of 12 independent 4-lane multiply-adds in registers (96 FLOPs a round). */
  fma_peak(iters: number, seed: number): number;
  /** NHWC convolution against a packed filter (kernels/heap.c; byte offsets, sizes in elements). */
  conv2d_nhwc(...args: number[]): void;
  /** y = x > 0 ? x : alpha x (byte offsets). */
  leaky_relu(x: number, y: number, n: number, alpha: number): void;
  /**
   * Rng(s0).fillBernoulli(out, p, value) into n floats at byte offset `out`, with threshold
   * bernoulliThreshold(p) (random/rng.ts): the same bits.
   */
  fill_bernoulli(out: number, n: number, s0: number, threshold: number, value: number): void;
  /** Batch norm's mean and variance of x [M, C] per column, summed in double (byte offsets; columns [jBegin, jEnd)). */
  bn_stats(
    x: number,
    mean: number,
    variance: number,
    M: number,
    C: number,
    scale: number,
    jBegin: number,
    jEnd: number,
  ): void;
  /** y = ((x - mean) rs) gamma + beta over rows [mBegin, mEnd) of [M, C] (byte offsets). */
  bn_apply(
    x: number,
    mean: number,
    rs: number,
    gamma: number,
    beta: number,
    y: number,
    C: number,
    mBegin: number,
    mEnd: number,
  ): void;
  /** sdy = sum of dy, sdyx = sum of dy xhat per column, in double (byte offsets; columns [jBegin, jEnd)). */
  bn_grad_sums(
    dy: number,
    x: number,
    mean: number,
    rs: number,
    sdy: number,
    sdyx: number,
    M: number,
    C: number,
    jBegin: number,
    jEnd: number,
  ): void;
  /** dx = k1 dy - (k2 + k3 xhat) per column over rows [mBegin, mEnd) (byte offsets). */
  bn_grad_dx(
    dy: number,
    x: number,
    mean: number,
    rs: number,
    k1: number,
    k2: number,
    k3: number,
    dx: number,
    C: number,
    mBegin: number,
    mEnd: number,
  ): void;
  /** dx = x > 0 ? dy : alpha dy (byte offsets). */
  leaky_relu_grad(dy: number, x: number, dx: number, n: number, alpha: number): void;
  /** A convolution's patches as rows [M, kh kw ci] over output rows [mBegin, mEnd) (threads section of heap.c). */
  im2col_nhwc(...args: number[]): void;
}

interface EmscriptenModule {
  asm?: { memory?: WebAssembly.Memory };
  _malloc?: (bytes: number) => number;
  _free?: (at: number) => void;
}

const STACK_BYTES = 1 << 16;

/** Section ids of a WASM binary (to refuse a module with a data segment). */
export function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8;
  while (p < bytes.length) {
    ids.push(bytes[p++]!);
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[p++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    p += size;
  }
  return ids;
}

/** The heap kernels' two builds; a data segment would be written into tfjs's memory, so none is allowed. */
export const HEAP_KERNEL_BUILDS: SimdKernelBuilds = {
  plain: HEAP_KERNELS_WASM_BASE64,
  fma: HEAP_KERNELS_FMA_WASM_BASE64,
  check: (bytes) => {
    if (sectionIds(bytes).includes(11)) throw new Error('heap kernels: the module has a data segment');
  },
};

export interface HeapKernelBinding {
  kernels: HeapKernels;
  /** Frees the kernels' stack in the backend's memory (when the runtime that bound them is replaced). */
  release(): void;
}

/** The heap kernels instantiated on a wasm backend's memory, or null where they cannot be. */
export function bindHeapKernels(
  backend: object,
  compiled: CompiledSimdKernels | null,
): HeapKernelBinding | null {
  const wasm = (backend as { wasm?: EmscriptenModule }).wasm;
  const memory = wasm?.asm?.memory;
  if (!compiled || !(memory instanceof WebAssembly.Memory) || typeof wasm?._malloc !== 'function')
    return null;
  try {
    const instance = new WebAssembly.Instance(compiled.module, { env: { memory } });
    const stack = wasm._malloc(STACK_BYTES);
    const sp = instance.exports.__stack_pointer as WebAssembly.Global;
    sp.value = stack + STACK_BYTES; // the stack grows down, inside a block tfjs will not touch
    return {
      kernels: instance.exports as unknown as HeapKernels,
      release: () => wasm._free?.(stack),
    };
  } catch {
    return null;
  }
}
