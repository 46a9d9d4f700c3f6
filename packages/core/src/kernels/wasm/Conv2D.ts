// Conv2D (and, as a 1x1 convolution, the matrix product) on @lab's register-blocked kernel of
// kernels/heap.c, where it beats XNNPACK: only in its fused multiply-add build (relaxed SIMD), which
// sustains ~35 GFLOP/s on one core where tfjs's XNNPACK kernels (separate multiplies and adds) reach
// ~25. Every Conv2DBackpropInput phase and Conv2DBackpropFilter of @lab is a Conv2D too, so training
// a convnet runs almost entirely here. Fewer than 8 input channels stay with the stock kernel (one
// input channel: 16.7 ms here against XNNPACK's 7.1 for W1's first layer; 4 or 8: about equal); few
// output channels do not: with 64 in and 1 out (W1's last transposed layer, 7/8 of the tile idle)
// ours still took 7.3 ms against 9.0. With fewer input channels but a wider filter (W1's first layer:
// 1 channel, 5x5 taps) the patches are first laid out as rows (im2col_nhwc) and multiplied as a 1x1
// convolution over kh kw ci channels, which also puts the layer on the kernel threads.
import {
  backend_util,
  type Conv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import {
  type ConvGeometry,
  convGeometryOf,
  convKernelArgs,
  im2colArgs,
  im2colGeometry,
  packedFloats,
} from '../heap/conv-geometry.js';
import { MIN_THREADED_MACS } from '../heap/conv-threads.js';
import { type KernelArgs, residentKey, type WasmHeapBackend } from './kernel-utils.js';

/** Below this many input channels the stock kernel is as fast or faster. */
export const MIN_INPUT_CHANNELS = 8;

/**
 * y = conv(x, filter) on the heap kernel; x is NHWC [n, h, w, ci], filter [kh, kw, ci, co] (row-major
 * [K, co]). Null when the FMA kernels are not loaded or the shape is one the stock kernel does better.
 */
export function heapConv2D(
  backend: WasmHeapBackend,
  x: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  outShape: number[],
): TensorInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const runtime = labRuntime(backend);
  const K = g.kh * g.kw * g.ci;
  // few channels: patches as rows first, if that gives enough of them
  const im2col = g.ci < MIN_INPUT_CHANNELS;
  if (K < MIN_INPUT_CHANNELS || !runtime.heapKernelsFma()) return null;
  const simd = runtime.heapKernels();
  if (!simd || !runtime.packedPanels()) return null;
  const out = backend.makeOutput(outShape, 'float32');
  if (g.n * g.oh * g.ow === 0) return out;
  const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  // the filter packed once per tensor (kept until tfjs disposes of or rewrites it)
  const packed = runtime.packedPanels()!.panels({
    dataId: filter.dataId,
    layout: 'rows',
    K,
    co: g.co,
    pack: (at) => simd.pack_panels(heap(filter), at, K, g.co),
  });
  const threads = runtime.convThreads();
  if (threads && g.n * g.oh * g.ow * K * g.co >= MIN_THREADED_MACS) {
    const [xs, ys] = [x, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    // a view after the allocations above (the heap may have grown)
    const buffer = backend.typedArrayFromHeap(out).buffer;
    // x, the packed filter and y stay in the threads' memory for the calls that read them next
    threads.conv2d(
      { data: xs!, key: residentKey(backend, x.dataId) },
      {
        data: new Float32Array(buffer, packed, packedFloats(g)),
        key: residentKey(backend, filter.dataId, `packed rows ${K} ${g.co}`),
      },
      { data: ys!, key: residentKey(backend, out.dataId) },
      g,
      { im2col },
    );
    return out;
  }
  const M = g.n * g.oh * g.ow;
  const kernelGeometry = im2col ? im2colGeometry(g) : g;
  const zero = backend.makeOutput([kernelGeometry.ci], 'float32');
  const cols = im2col ? backend.makeOutput([M, K], 'float32') : null;
  try {
    // views after every allocation (an allocation can grow the heap and detach older views)
    const zs = backend.typedArrayFromHeap(zero);
    zs.fill(0);
    if (cols) simd.im2col_nhwc(...im2colArgs(g, heap(x), heap(cols)), 0, M);
    const args = convKernelArgs(kernelGeometry, heap(cols ?? x), packed, heap(out), zs.byteOffset);
    simd.conv2d_nhwc(...args, 0, M);
  } finally {
    backend.disposeData(zero.dataId);
    if (cols) backend.disposeData(cols.dataId);
  }
  return out;
}

export function fastConv2D(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x' | 'filter'>): TensorInfo => {
    const { x, filter } = args.inputs;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as Conv2DAttrs;
    const format = backend_util.convertConv2DDataFormat(dataFormat);
    if (format === 'channelsLast' && x.shape.length === 4 && filter.shape.length === 4) {
      const info = backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filter.shape as [number, number, number, number],
        strides,
        dilations,
        pad,
        dimRoundingMode,
        false,
        format,
      );
      const out = heapConv2D(args.backend as WasmHeapBackend, x, filter, convGeometryOf(info), info.outShape);
      if (out) return out;
    }
    return stock.kernelFunc(args as never) as TensorInfo;
  };
  return {
    kernelName: 'Conv2D',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
