// Sum and Mean over leading or trailing axes, added in double in the SIMD heap kernels. Leading axes
// (batch norm's statistics and their gradients reduce over N, H and W of NHWC tensors): the stock wasm
// kernels first transpose the reduced axes innermost, which cost about 150 ms of a 2 s W1 iteration,
// and @lab sums the rows in place (sum_outer). Trailing axes (a loss's mean over the batch, per-sample
// norms) are contiguous rows, which the stock kernels add serially in float32; sum_inner adds them in
// double, so a mean carries only its final rounding. Other reductions (mixed axes, int32, an empty
// reduction) go to the stock kernels.
import { type KernelConfig, type KernelFunc, Mean, Sum, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { type KernelArgs, residentKey, type WasmHeapBackend } from './kernel-utils.js';

function sortedAxes(shape: readonly number[], axis: number | number[]): number[] {
  return util.parseAxisParam(axis, [...shape]).sort((a, b) => a - b);
}

/** Rows and columns when `axis` is exactly the leading axes and at least four columns remain. */
export function leadingAxes(shape: readonly number[], axis: number | number[]) {
  const axes = sortedAxes(shape, axis);
  if (axes.length === 0 || !axes.every((a, i) => a === i)) return null;
  const outer = util.sizeFromShape(shape.slice(0, axes.length));
  const inner = util.sizeFromShape(shape.slice(axes.length));
  return inner >= 4 && outer > 0 ? { outer, inner, count: axes.length } : null;
}

/** Rows (kept) and row length (reduced) when `axis` is exactly the trailing axes, none empty. */
export function trailingAxes(shape: readonly number[], axis: number | number[]) {
  const axes = sortedAxes(shape, axis);
  const first = shape.length - axes.length;
  if (axes.length === 0 || !axes.every((a, i) => a === first + i)) return null;
  const outer = util.sizeFromShape(shape.slice(0, first));
  const inner = util.sizeFromShape(shape.slice(first));
  return inner > 0 ? { outer, inner, count: axes.length } : null;
}

function reduceOuter(name: typeof Sum | typeof Mean) {
  return (stock: KernelConfig): KernelConfig => {
    const kernelFunc = (args: KernelArgs<'x'>): TensorInfo => {
      const { x } = args.inputs;
      const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
      const lead = x.dtype === 'float32' ? leadingAxes(x.shape, axis) : null;
      const trail = x.dtype === 'float32' && !lead ? trailingAxes(x.shape, axis) : null;
      const simd = lead || trail ? labRuntime(args.backend).heapKernels() : null;
      if (!simd) return stock.kernelFunc(args as never) as TensorInfo;
      const backend = args.backend as WasmHeapBackend;
      const ones = (n: number) => Array<number>(n).fill(1);
      if (lead) {
        const kept = x.shape.slice(lead.count);
        const out = backend.makeOutput(keepDims ? [...ones(lead.count), ...kept] : kept, 'float32');
        const dst = backend.typedArrayFromHeap(out) as Float32Array;
        const scale = name === Mean ? 1 / lead.outer : 1;
        // a tensor still in the kernel threads' memory (a threaded convolution's output) is summed there
        const key = residentKey(backend, x.dataId);
        const threads = key ? labRuntime(backend).convThreads() : null;
        if (threads?.sumOuter(key!, dst, lead.outer, lead.inner, scale)) return out;
        const src = backend.typedArrayFromHeap(x);
        simd.sum_outer(src.byteOffset, dst.byteOffset, lead.outer, lead.inner, scale);
        return out;
      }
      const { outer, inner, count } = trail!;
      const kept = x.shape.slice(0, x.shape.length - count);
      const out = backend.makeOutput(keepDims ? [...kept, ...ones(count)] : kept, 'float32');
      const dst = backend.typedArrayFromHeap(out) as Float32Array;
      const src = backend.typedArrayFromHeap(x);
      simd.sum_inner(src.byteOffset, dst.byteOffset, outer, inner, name === Mean ? 1 / inner : 1);
      return out;
    };
    return {
      kernelName: name,
      backendName: 'wasm',
      setupFunc: stock.setupFunc,
      kernelFunc: kernelFunc as unknown as KernelFunc,
    };
  };
}

export const fastSum = reduceOuter(Sum);
export const fastMean = reduceOuter(Mean);
