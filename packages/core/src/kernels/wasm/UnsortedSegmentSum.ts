// UnsortedSegmentSum for the wasm backend, which ships none; it is the gradient of gather, so
// embedding training needs it. Plain index work over the WASM heap: out[ids[i]] += x[i].
import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmHeapBackend } from './kernel-utils.js';

function unsortedSegmentSum(args: KernelArgs<'x' | 'segmentIds'>): TensorInfo {
  const backend = args.backend as WasmHeapBackend;
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  // Like tf.unsortedSegmentSum, ids may cover the leading axes of x (ids shape = x.shape prefix).
  const idsShape = segmentIds.shape;
  util.assert(
    idsShape.every((d, i) => d === x.shape[i]),
    () => `UnsortedSegmentSum: segmentIds shape [${idsShape}] must be a prefix of x shape [${x.shape}]`,
  );
  const rows = util.sizeFromShape(idsShape);
  const inner = util.sizeFromShape(x.shape.slice(idsShape.length));
  const outShape = [numSegments, ...x.shape.slice(idsShape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  if (rows === 0 || inner === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let r = 0; r < rows; r++) {
    const seg = ids[r]!;
    // Ids outside [0, numSegments) are dropped, as in TensorFlow.
    if (seg < 0 || seg >= numSegments) continue;
    const o = seg * inner;
    const s = r * inner;
    for (let k = 0; k < inner; k++) dst[o + k]! += src[s + k]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
