// The stock wasm Slice reads its whole input through readSync (a copy of the tensor) before copying
// the part it needs: slicing a [1280, 256] block out of a [2456, 256] weight costs a copy of all of it,
// and SplitV and Unpack call Slice once per part. @lab copies only the slice's contiguous runs on the
// WASM heap.
import {
  type KernelConfig,
  type KernelFunc,
  Slice,
  slice_util,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmHeapBackend } from './kernel-utils.js';

/**
 * Copies the box [begin, begin + size) of a row-major array of `shape` (heap offset `src`, elements)
 * to `dst`, one copyWithin per run of its trailing contiguous axes.
 */
export function copyBox(
  heap: Int32Array,
  src: number,
  dst: number,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): void {
  const rank = shape.length;
  // the trailing axes taken whole (plus the first partial one) form one contiguous run
  let axis = rank - 1;
  let run = 1;
  while (axis >= 0 && size[axis] === shape[axis]) run *= shape[axis--]!;
  if (axis < 0) {
    heap.copyWithin(dst, src, src + run);
    return;
  }
  run *= size[axis]!;
  const strides = util.computeStrides([...shape]);
  const outerRank = axis; // axes before `axis` are iterated; `axis` and after form the run
  const index = new Array<number>(outerRank).fill(0);
  const count = size.slice(0, outerRank).reduce((a, b) => a * b, 1);
  let at = dst;
  for (let k = 0; k < count; k++) {
    let from = src + begin[axis]! * (strides[axis] ?? 1);
    for (let a = 0; a < outerRank; a++) from += (begin[a]! + index[a]!) * strides[a]!;
    heap.copyWithin(at, from, from + run);
    at += run;
    for (let a = outerRank - 1; a >= 0; a--) {
      if (++index[a]! < size[a]!) break;
      index[a] = 0;
    }
  }
}

export function fastSlice(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x'>): TensorInfo => {
    const { x } = args.inputs;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock.kernelFunc(args as never) as TensorInfo;
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    const [b, s] = slice_util.parseSliceParams(x as never, begin, size) as [number[], number[]];
    slice_util.assertParamsValid(x as never, b, s);
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput(s, x.dtype);
    if (util.sizeFromShape(s) === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    copyBox(new Int32Array(dst.buffer), src.byteOffset / 4, dst.byteOffset / 4, x.shape, b, s);
    return out;
  };
  return {
    kernelName: Slice,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
