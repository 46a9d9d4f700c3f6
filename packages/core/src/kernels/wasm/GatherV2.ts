// The stock wasm GatherV2 computes every output element's source index separately: gathering 9216
// embedding rows of 64 floats took 30 ms (0.2 ms as row copies). Embedding lookups (the parser, any
// token model) are gathers, so @lab copies whole contiguous slices, batchDims > 0 included (the stock
// kernel gets that case wrong: tensorflow/tfjs#8658).
import {
  GatherV2,
  type GatherV2Attrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmHeapBackend } from './kernel-utils.js';

export function fastGatherV2(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x' | 'indices'>): TensorInfo => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock.kernelFunc(args as never) as TensorInfo;
    const backend = args.backend as WasmHeapBackend;
    const ax = util.parseAxisParam(axis, x.shape)[0]!;
    const b = batchDims < 0 ? batchDims + indices.shape.length : batchDims;
    // tf.gather has checked the shapes: the first b dims of x and indices agree and b <= axis
    const batches = util.sizeFromShape(x.shape.slice(0, b));
    const n = x.shape[ax]!;
    const outer = util.sizeFromShape(x.shape.slice(b, ax));
    const inner = util.sizeFromShape(x.shape.slice(ax + 1));
    const count = util.sizeFromShape(indices.shape.slice(b));
    const out = backend.makeOutput(
      [...x.shape.slice(0, ax), ...indices.shape.slice(b), ...x.shape.slice(ax + 1)],
      x.dtype,
    );
    if (batches * outer * count * inner === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const ids = backend.typedArrayFromHeap(indices);
    const dst = backend.typedArrayFromHeap(out);
    // x and out live in the same WASM memory; 4-byte elements are copied bit for bit as int32
    const heap = new Int32Array(dst.buffer);
    const srcAt = src.byteOffset / 4;
    const dstAt = dst.byteOffset / 4;
    for (let bt = 0; bt < batches; bt++) {
      for (let o = 0; o < outer; o++) {
        const row = bt * outer + o;
        for (let i = 0; i < count; i++) {
          const id = ids[bt * count + i]!;
          if (id < 0 || id >= n) {
            backend.disposeData(out.dataId);
            throw new RangeError(`gather: index ${id} is outside [0, ${n - 1}]`);
          }
          // copyWithin on one view of the whole heap: no view object per row (10k rows per parser batch)
          const from = srcAt + (row * n + id) * inner;
          heap.copyWithin(dstAt + (row * count + i) * inner, from, from + inner);
        }
      }
    }
    return out;
  };
  return {
    kernelName: GatherV2,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
