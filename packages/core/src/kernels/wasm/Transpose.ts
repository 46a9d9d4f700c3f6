// The stock wasm Transpose is slow on plain matrices (8-17 ms for 512 x 1280) and sits under every
// transposed matMul of a gradient (see BatchMatMul.ts). @lab collapses the dimensions that stay
// adjacent; a 2-D transpose, batched or strided ([B, R, C] -> [B, C, R] or [C, B, R]), runs in the
// SIMD heap kernel (kernels/heap.c: 4x4 shuffles in 16x16 tiles), a swap of the two outer of three
// collapsed groups as copies of contiguous runs. Other permutations, 1-byte dtypes, and backends
// without the heap kernels (a JavaScript tile loop was slower than the stock kernel on some shapes)
// go to the stock kernel.
import { type KernelConfig, type KernelFunc, type TensorInfo, Transpose } from '@tensorflow/tfjs-core';
import { heapKernels } from '../heap/heap-kernels.js';
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

export function fastTranspose(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x'>): TensorInfo => {
    const { x } = args.inputs;
    const perm = args.attrs.perm as number[];
    const stockResult = () => stock.kernelFunc(args as never) as TensorInfo;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return stockResult();
    const simd = heapKernels(args.backend);
    const c = collapsePermutation(x.shape, perm);
    const p = c.perm.join(',');
    // a swap of outer groups is a copy of contiguous runs, worth it when the runs are long
    const runs = p === '1,0,2' && c.shape[2]! >= 16;
    const tiled = simd !== null && (p === '1,0' || p === '0,2,1' || p === '2,1,0');
    if (!(c.perm.length < 2 || runs || tiled)) return stockResult();
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput(
      perm.map((a) => x.shape[a]!),
      x.dtype,
    );
    const n = c.shape.reduce((a, b) => a * b, 1);
    if (n === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    if (tiled) {
      const [s0, s1, s2 = 1] = c.shape as [number, number, number?];
      const [at, to] = [src.byteOffset, dst.byteOffset];
      // [R, C] -> [C, R]; [B, R, C] -> [B, C, R]; [R, B, C] -> [C, B, R] (B strided matrices)
      if (p === '1,0') simd!.transpose_strided(at, to, 1, s0, s1, 0, s1, 0, s0);
      else if (p === '0,2,1') simd!.transpose_strided(at, to, s0, s1, s2, s1 * s2, s2, s1 * s2, s1);
      else simd!.transpose_strided(at, to, s1, s0, s2, s2, s1 * s2, s0, s1 * s0);
      return out;
    }
    // 4-byte elements are moved bit for bit as int32 on one view of the whole heap
    const heap = new Int32Array(dst.buffer);
    const s = src.byteOffset / 4;
    const d = dst.byteOffset / 4;
    if (c.perm.length < 2) heap.copyWithin(d, s, s + n);
    else {
      const [a, b, inner] = c.shape as [number, number, number];
      for (let i = 0; i < a; i++)
        for (let j = 0; j < b; j++) {
          const from = s + (i * b + j) * inner;
          heap.copyWithin(d + (j * a + i) * inner, from, from + inner);
        }
    }
    return out;
  };
  return {
    kernelName: Transpose,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
