// The stock wasm Transpose is slow on plain matrices (8-17 ms for 512 x 1280) and sits under every
// transposed matMul of a gradient (see BatchMatMul.ts). @lab collapses the dimensions that stay
// adjacent; a 2-D transpose, batched or strided ([B, R, C] -> [B, C, R] or [C, B, R]), runs in the
// SIMD heap kernel (kernels/heap.c: 4x4 shuffles in 16x16 tiles), any other permutation of up to six
// axes in its general loop (the stock kernel took 430 ms for the 6-D interleave of the sub-pixel
// transposed convolution in W1, [2, 2, 64, 7, 7, 64] by [2, 3, 0, 4, 1, 5]). Without the heap
// kernels, permutations that keep the last axis last are copies of contiguous runs; the rest, and
// 1-byte dtypes, go to the stock kernel (a JavaScript element loop was slower than it on some shapes).
import { type KernelConfig, type KernelFunc, type TensorInfo, Transpose, util } from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import type { KernelArgs, WasmHeapBackend } from './kernel-utils.js';

/** Shape and permutation with the axes that stay neighbours merged (and size-1 axes dropped). */
export function collapsePermutation(shape: readonly number[], perm: readonly number[]) {
  const keep = perm.filter((a) => shape[a] !== 1);
  const groups: number[][] = [];
  for (const a of keep) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] === a - 1) last.push(a);
    else groups.push([a]);
  }
  // groups are in output order; their input order is by first axis
  const byInput = [...groups].sort((g, h) => g[0]! - h[0]!);
  const collapsedShape = byInput.map((g) => g.reduce((n, a) => n * shape[a]!, 1));
  const collapsedPerm = groups.map((g) => byInput.indexOf(g));
  return { shape: collapsedShape, perm: collapsedPerm };
}

/** The output in order, one copyWithin per run of the last axis (which the permutation keeps last). */
export function copyRuns(
  heap: Int32Array,
  src: number,
  dst: number,
  shape: readonly number[],
  perm: readonly number[],
  inStrides: readonly number[],
): void {
  const rank = perm.length;
  const run = shape[rank - 1]!;
  const outShape = perm.slice(0, -1).map((a) => shape[a]!);
  const strides = perm.slice(0, -1).map((a) => inStrides[a]!);
  const index = new Array<number>(rank - 1).fill(0);
  const count = outShape.reduce((a, b) => a * b, 1);
  let from = 0;
  for (let k = 0; k < count; k++) {
    heap.copyWithin(dst + k * run, src + from, src + from + run);
    for (let a = rank - 2; a >= 0; a--) {
      from += strides[a]!;
      if (++index[a]! < outShape[a]!) break;
      from -= strides[a]! * outShape[a]!;
      index[a] = 0;
    }
  }
}

export function fastTranspose(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x'>): TensorInfo => {
    const { x } = args.inputs;
    const perm = args.attrs.perm as number[];
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock.kernelFunc(args as never) as TensorInfo;
    const simd = labRuntime(args.backend).heapKernels();
    const c = collapsePermutation(x.shape, perm);
    const rank = c.perm.length;
    const p = c.perm.join(',');
    const tiled = simd !== null && (p === '1,0' || p === '0,2,1' || p === '2,1,0');
    // without the heap kernels: axes that keep the last one last are copies of contiguous runs, worth
    // it when the runs are long
    const runs = rank >= 2 && c.perm[rank - 1] === rank - 1 && c.shape[rank - 1]! >= 16;
    if (!(rank < 2 || simd || runs) || rank > 6) return stock.kernelFunc(args as never) as TensorInfo;
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput(
      perm.map((a) => x.shape[a]!),
      x.dtype,
    );
    const n = c.shape.reduce((a, b) => a * b, 1);
    if (n === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const [at, to] = [src.byteOffset, dst.byteOffset];
    const inStrides = [...util.computeStrides(c.shape), 1];
    if (rank < 2) new Int32Array(dst.buffer).copyWithin(to / 4, at / 4, at / 4 + n);
    else if (tiled) {
      const [s0, s1, s2 = 1] = c.shape as [number, number, number?];
      // [R, C] -> [C, R]; [B, R, C] -> [B, C, R]; [R, B, C] -> [C, B, R] (B strided matrices)
      if (p === '1,0') simd!.transpose_strided(at, to, 1, s0, s1, 0, s1, 0, s0);
      else if (p === '0,2,1') simd!.transpose_strided(at, to, s0, s1, s2, s1 * s2, s2, s1 * s2, s1);
      else simd!.transpose_strided(at, to, s1, s0, s2, s2, s1 * s2, s0, s1 * s0);
    } else if (simd) {
      // padded in front to six axes of size 1
      const pad = 6 - rank;
      const shape = [...Array<number>(pad).fill(1), ...c.perm.map((a) => c.shape[a]!)];
      const strides = [...Array<number>(pad).fill(0), ...c.perm.map((a) => inStrides[a]!)];
      simd.permute6(at, to, ...shape, ...strides);
    } else copyRuns(new Int32Array(dst.buffer), at / 4, to / 4, c.shape, c.perm, inStrides);
    return out;
  };
  return {
    kernelName: Transpose,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
