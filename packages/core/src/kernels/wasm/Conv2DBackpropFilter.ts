// Conv2DBackpropFilter for the wasm backend, which ships none (conv training fails without it).
// The filter gradient is itself a convolution: with the batch axis as channels,
//   dW[kh, kw, ci, co] = sum_{n,oh,ow} x[n, oh*s + kh - top, ow*s + kw - left, ci] * dy[n, oh, ow, co]
// is conv2d(x^T [ci, H, W, n], dy^T [oh, ow, n, co]) with stride 1 and dilation s, so XNNPACK does it.
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { threadedConv2DBackpropFilter } from './conv2d-backprop-filter-threads.js';
import { callKernel, type KernelArgs, Scratch, type WasmHeapBackend } from './kernel-utils.js';

function conv2DBackpropFilter({ inputs, attrs, backend }: KernelArgs<'x' | 'dy'>): TensorInfo {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(`@lab/core wasm Conv2DBackpropFilter supports only NHWC, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows (columns) of x that no output position reads are cut off instead of padded negatively.
  const bottom = kh + (oh - 1) * sh - h - top;
  const right = kw + (ow - 1) * sw - w - left;
  const threaded = threadedConv2DBackpropFilter(backend as WasmHeapBackend, x, dy, {
    kh,
    kw,
    sh,
    sw,
    top,
    left,
    bottom,
    right,
  });
  if (threaded) return threaded;
  const scratch = new Scratch(backend);
  try {
    let xT = scratch.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    if (bottom < 0 || right < 0) {
      const [c, hh, ww, n] = xT.shape as [number, number, number, number];
      xT = scratch.run(
        'Slice',
        { x: xT },
        { begin: [0, 0, 0, 0], size: [c, hh + Math.min(bottom, 0), ww + Math.min(right, 0), n] },
      );
    }
    const dyT = scratch.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const grad = scratch.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, Math.max(bottom, 0)],
          [left, Math.max(right, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [sh, sw],
      },
    );
    return callKernel(backend, 'Transpose', { x: grad }, { perm: [1, 2, 0, 3] });
  } finally {
    scratch.dispose();
  }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
