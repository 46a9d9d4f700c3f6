// The filter gradient on @lab's kernel threads (initBackend threads > 1). Conv2DBackpropFilter.ts
// composes it from two Transposes, a packing and a convolution; on the calling thread, with the
// convolution's operands copied into the threads' memory, all but the convolution ran on one thread.
// Here x and dy go into the threads' memory once, or are found there (the forward convolution's
// input, and the dy that the input gradient's phases read, usually are), and the threads make the
// transposed and packed operands there and run the convolution; the calling thread copies the
// gradient out. Every step but the convolution is a copy, so the result has the stock composition's
// bits. Without the threads, or below their size threshold, the composition runs as before.
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { convGeometryOf } from '../heap/conv-geometry.js';
import { MIN_THREADED_MACS } from '../heap/conv-threads.js';
import { MIN_INPUT_CHANNELS } from './Conv2D.js';
import { residentKey, type WasmHeapBackend } from './kernel-utils.js';

/** The convolution whose filter gradient is taken (tfjs's conv info of x and the filter's shape). */
export interface FilterGradientPlan {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
  /** Rows and columns past x's end that the stock composition pads (or, negative, cuts off). */
  bottom: number;
  right: number;
}

/** dW [kh, kw, ci, co] computed on the kernel threads, or null where the composition runs instead. */
export function threadedConv2DBackpropFilter(
  backend: WasmHeapBackend,
  x: TensorInfo,
  dy: TensorInfo,
  p: FilterGradientPlan,
): TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4 || dy.shape.length !== 4)
    return null;
  const threads = labRuntime(backend).convThreads();
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const [, oh, ow, co] = dy.shape as [number, number, number, number];
  // the batch is the inner convolution's input channels: below 8 it stays with the stock kernel
  if (!threads || n < MIN_INPUT_CHANNELS || ci * oh * ow * co === 0) return null;
  const hk = h + Math.min(p.bottom, 0);
  const wk = w + Math.min(p.right, 0);
  if (hk <= 0 || wk <= 0) return null;
  const g = convGeometryOf(
    backend_util.computeConv2DInfo(
      [ci, hk, wk, n],
      [oh, ow, n, co],
      [1, 1],
      [p.sh, p.sw],
      [
        [0, 0],
        [p.top, Math.max(p.bottom, 0)],
        [p.left, Math.max(p.right, 0)],
        [0, 0],
      ],
      undefined,
      false,
      'channelsLast',
    ),
  );
  if (g.oh !== p.kh || g.ow !== p.kw) return null;
  if (ci * p.kh * p.kw * oh * ow * n * co < MIN_THREADED_MACS) return null;
  const out = backend.makeOutput([p.kh, p.kw, ci, co], 'float32');
  try {
    const [xs, dys, os] = [x, dy, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    threads.filterGradient(
      { data: xs!, key: residentKey(backend, x.dataId) },
      { data: dys!, key: residentKey(backend, dy.dataId) },
      os!,
      { n, h, w, ci, oh, ow, co },
      g,
    );
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  }
  return out;
}
