// The stock wasm SplitV and Unpack slice one part at a time through a general strided copy: splitting
// a [2315, 256] matrix into 20 row blocks took 32 ms, unstacking [20, 64, 256] 23 ms. Each part is a
// contiguous run per outer index, so @lab copies each part as Slice's box copy does.
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  SplitV,
  type TensorInfo,
  Unpack,
  util,
} from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmHeapBackend } from './kernel-utils.js';
import { copyBox } from './Slice.js';

/** Copies the parts (sizes along `axis`) of x into new outputs; outputs keep or drop the axis. */
function splitRuns(
  backend: WasmHeapBackend,
  x: TensorInfo,
  axis: number,
  sizes: number[],
  dropAxis: boolean,
): TensorInfo[] {
  const outs = sizes.map((s) => {
    const shape = [...x.shape];
    if (dropAxis) shape.splice(axis, 1);
    else shape[axis] = s;
    return backend.makeOutput(shape, x.dtype);
  });
  if (util.sizeFromShape(x.shape) === 0) return outs;
  // views are taken after every output is allocated (an allocation can grow and move the heap)
  const src = backend.typedArrayFromHeap(x);
  const heap = new Int32Array(src.buffer);
  const begin = x.shape.map(() => 0);
  const box = [...x.shape];
  outs.forEach((out, k) => {
    box[axis] = sizes[k]!;
    if (box[axis]! > 0)
      copyBox(heap, src.byteOffset / 4, backend.typedArrayFromHeap(out).byteOffset / 4, x.shape, begin, box);
    begin[axis] = begin[axis]! + box[axis]!;
  });
  return outs;
}

const fourBytes = (x: TensorInfo) => x.dtype === 'float32' || x.dtype === 'int32';

export function fastSplitV(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x'>): TensorInfo[] => {
    const { x } = args.inputs;
    if (!fourBytes(x)) return stock.kernelFunc(args as never) as TensorInfo[];
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const ax = util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, ax);
    return splitRuns(args.backend as WasmHeapBackend, x, ax, sizes, false);
  };
  return {
    kernelName: SplitV,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}

export function fastUnpack(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'value'>): TensorInfo[] => {
    const x = args.inputs.value;
    if (!fourBytes(x)) return stock.kernelFunc(args as never) as TensorInfo[];
    const ax = util.parseAxisParam(args.attrs.axis as number, x.shape)[0]!;
    const sizes = new Array<number>(x.shape[ax]!).fill(1);
    return splitRuns(args.backend as WasmHeapBackend, x, ax, sizes, true);
  };
  return {
    kernelName: Unpack,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
