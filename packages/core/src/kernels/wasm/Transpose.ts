// The stock wasm Transpose moves about 40M floats/s (17 ms for a 512 x 1280 matrix) and sits under
// every transposed matMul of a gradient (see BatchMatMul.ts). @lab collapses the dimensions that stay
// adjacent; a 2-D transpose, optionally batched, runs as cache-sized tiles on the WASM heap, a swap of
// the two outer of three collapsed groups as contiguous row copies. Other permutations (and 1-byte
// dtypes) go to the stock kernel.
import { type KernelConfig, type KernelFunc, type TensorInfo, Transpose } from '@tensorflow/tfjs-core';
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

const TILE = 32;

/** dst[c * rows + r] = src[r * cols + c], in TILE x TILE tiles (heap offsets in elements). */
function transposeTiles(heap: Int32Array, src: number, dst: number, rows: number, cols: number): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(r0 + TILE, rows);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, cols);
      for (let r = r0; r < r1; r++) {
        let s = src + r * cols + c0;
        let d = dst + c0 * rows + r;
        for (let c = c0; c < c1; c++) {
          heap[d] = heap[s++]!;
          d += rows;
        }
      }
    }
  }
}

export function fastTranspose(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x'>): TensorInfo => {
    const { x } = args.inputs;
    const perm = args.attrs.perm as number[];
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock.kernelFunc(args as never) as TensorInfo;
    const c = collapsePermutation(x.shape, perm);
    const p = c.perm.join(',');
    if (!(p === '1,0' || p === '0,2,1' || p === '1,0,2' || c.perm.length < 2))
      return stock.kernelFunc(args as never) as TensorInfo;
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput(
      perm.map((a) => x.shape[a]!),
      x.dtype,
    );
    const n = c.shape.reduce((a, b) => a * b, 1);
    if (n === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    // 4-byte elements are moved bit for bit as int32 on one view of the whole heap
    const heap = new Int32Array(dst.buffer);
    const s = src.byteOffset / 4;
    const d = dst.byteOffset / 4;
    if (c.perm.length < 2) heap.copyWithin(d, s, s + n);
    else if (p === '1,0') transposeTiles(heap, s, d, c.shape[0]!, c.shape[1]!);
    else if (p === '0,2,1') {
      const [batch, rows, cols] = c.shape as [number, number, number];
      for (let b = 0; b < batch; b++)
        transposeTiles(heap, s + b * rows * cols, d + b * rows * cols, rows, cols);
    } else {
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
