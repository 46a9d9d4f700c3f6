// A fast Conv2DBackpropInput (the input gradient of conv2d and the forward pass of conv2dTranspose)
// for the wasm backend, replacing the stock direct loop, which runs ~8x slower than its own conv2d.
// Sub-pixel decomposition: output rows y = s*q + r of one phase r read only the filter taps
// kh = s*j + ph with ph = (r + top) mod s, so each of the s*s phases is a stride-1 conv2d of dy with a
// flipped, in/out-transposed sub-filter (XNNPACK), and the phases are interleaved afterwards. The
// arithmetic equals that of the forward convolution: no multiplications by inserted zeros.
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { phaseFilter, planAxis } from './conv2d-backprop-input-phases.js';
import { threadedConv2DBackpropInput } from './conv2d-backprop-input-threads.js';
import { callKernel, type KernelArgs, Scratch, type WasmHeapBackend } from './kernel-utils.js';

function conv2DBackpropInput({ inputs, attrs, backend }: KernelArgs<'dy' | 'filter'>): TensorInfo {
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as Conv2DBackpropInputAttrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(`@lab/core wasm Conv2DBackpropInput supports only NHWC, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { outHeight: oh, outWidth: ow, inHeight: h, inWidth: w, batchSize: n, inChannels: ci } = info;
  const co = info.outChannels;
  const scratch = new Scratch(backend);
  try {
    // [kh, kw, co, ci]: each phase's filter is then a set of whole (co, ci) blocks
    const filterT = scratch.run('Transpose', { x: filter }, { perm: [0, 1, 3, 2] });
    // on the kernel threads, the phases interleaved where they are computed
    const threaded = threadedConv2DBackpropInput(backend as WasmHeapBackend, dy, filterT, {
      n,
      h,
      w,
      ci,
      oh,
      ow,
      co,
      kh,
      kw,
      sh,
      sw,
      top: info.padInfo.top,
      left: info.padInfo.left,
    });
    if (threaded) return threaded;
    const phases: TensorInfo[] = [];
    const hq = Math.ceil(h / sh);
    const wq = Math.ceil(w / sw);
    for (let ry = 0; ry < sh; ry++) {
      for (let rx = 0; rx < sw; rx++) {
        const py = planAxis(ry, sh, kh, info.padInfo.top, oh, h);
        const px = planAxis(rx, sw, kw, info.padInfo.left, ow, w);
        let out: TensorInfo;
        const rowsIn = py.sliceEnd - py.sliceStart;
        const colsIn = px.sliceEnd - px.sliceStart;
        if (
          py.taps === 0 ||
          px.taps === 0 ||
          rowsIn <= 0 ||
          colsIn <= 0 ||
          py.outLen === 0 ||
          px.outLen === 0
        ) {
          out = scratch.run('Fill', {}, { shape: [n, py.outLen, px.outLen, ci], value: 0, dtype: 'float32' });
        } else {
          const sub = scratch.keep(phaseFilter(backend as WasmHeapBackend, filterT, py, px, sh, sw));
          let src: TensorInfo = dy;
          if (rowsIn !== oh || colsIn !== ow) {
            src = scratch.run(
              'Slice',
              { x: dy },
              { begin: [0, py.sliceStart, px.sliceStart, 0], size: [n, rowsIn, colsIn, co] },
            );
          }
          out = scratch.run(
            'Conv2D',
            { x: src, filter: sub },
            {
              strides: [1, 1],
              pad: [
                [0, 0],
                [py.padBefore, py.padAfter],
                [px.padBefore, px.padAfter],
                [0, 0],
              ],
              dataFormat: 'NHWC',
              dilations: [1, 1],
            },
          );
        }
        if (sh === 1 && sw === 1) return callKernel(backend, 'Identity', { x: out });
        if (py.outLen !== hq || px.outLen !== wq) {
          out = scratch.run(
            'PadV2',
            { x: out },
            {
              paddings: [
                [0, 0],
                [0, hq - py.outLen],
                [0, wq - px.outLen],
                [0, 0],
              ],
              constantValue: 0,
            },
          );
        }
        phases.push(out);
      }
    }
    // phases[ry * sw + rx] is [n, hq, wq, ci]; interleave to [n, hq * sh, wq * sw, ci].
    const stacked = scratch.run('Pack', phases, { axis: 0 });
    const grid = scratch.run('Reshape', { x: stacked }, { shape: [sh, sw, n, hq, wq, ci] });
    const interleaved = scratch.run('Transpose', { x: grid }, { perm: [2, 3, 0, 4, 1, 5] });
    const full = scratch.run('Reshape', { x: interleaved }, { shape: [n, hq * sh, wq * sw, ci] });
    if (hq * sh === h && wq * sw === w) return callKernel(backend, 'Identity', { x: full });
    return callKernel(backend, 'Slice', { x: full }, { begin: [0, 0, 0, 0], size: [n, h, w, ci] });
  } finally {
    scratch.dispose();
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
