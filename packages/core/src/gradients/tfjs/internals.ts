// Stand-ins, built on tfjs-core's public API, for the internal modules that tfjs-core's gradient
// files import (see bundle.mjs and README.md beside it). Each op mirrors the internal tfjs op of the
// same name: it reshapes to the kernel's rank, runs the kernel through the engine (so it is taped for
// higher-order gradients) and reshapes back.
import {
  AvgPool3DGrad,
  AvgPoolGrad,
  backend_util,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  Conv3DBackpropFilterV2,
  Conv3DBackpropInputV2,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  engine,
  LRNGrad,
  MaxPool3DGrad,
  MaxPoolGrad,
  type NamedAttrMap,
  type NamedTensorMap,
  reshape,
  slice_util,
  type Tensor,
  util,
} from '@tensorflow/tfjs-core';

type Engine = ReturnType<typeof engine>;
/** The global engine, looked up on use (the module may load before any backend exists). */
export const ENGINE: Engine = new Proxy({} as Engine, {
  get(_target, key) {
    const e = engine() as unknown as Record<PropertyKey, unknown>;
    const value = e[key];
    return typeof value === 'function' ? value.bind(e) : value;
  },
});

export const assert = util.assert;
export const parseAxisParam = util.parseAxisParam;
export const sizeFromShape = util.sizeFromShape;
export const getUndoAxesPermutation = backend_util.getUndoAxesPermutation;
export const getAxesPermutation = backend_util.getAxesPermutation;
export const computeOutAndReduceShapes = backend_util.computeOutAndReduceShapes;
export const assertAndGetBroadcastShape = backend_util.assertAndGetBroadcastShape;
export const getReductionAxes = backend_util.getReductionAxes;
export const tupleValuesAreOne = backend_util.tupleValuesAreOne;
export const eitherStridesOrDilationsAreOne = backend_util.eitherStridesOrDilationsAreOne;
export const checkPadOnDimRoundingMode = (backend_util as any).checkPadOnDimRoundingMode as (
  opDesc: string,
  pad: unknown,
  dimRoundingMode?: string,
) => void;
export const SELU_SCALE = backend_util.SELU_SCALE;
export const SELU_SCALEALPHA = backend_util.SELU_SCALEALPHA;
export const parseSliceParams = slice_util.parseSliceParams;

function run(kernel: string, inputs: NamedTensorMap, attrs: object): Tensor {
  return engine().runKernel(kernel, inputs, attrs as unknown as NamedAttrMap) as Tensor;
}
/** Adds a leading batch axis when `t` has rank `rank - 1`. */
function batched(t: Tensor, rank: number): Tensor {
  return t.rank === rank - 1 ? reshape(t, [1, ...t.shape]) : t;
}
function unbatched(t: Tensor, wasBatched: boolean): Tensor {
  return wasBatched ? reshape(t, t.shape.slice(1)) : t;
}

export function conv2DBackpropFilter(
  x: Tensor,
  dy: Tensor,
  filterShape: number[],
  strides: unknown,
  pad: unknown,
  dataFormat = 'NHWC',
  dimRoundingMode?: string,
): Tensor {
  return run(
    Conv2DBackpropFilter,
    { x: batched(x, 4), dy: batched(dy, 4) },
    { strides, pad, dataFormat, dimRoundingMode, filterShape },
  );
}

export function conv2DBackpropInput(
  xShape: number[],
  dy: Tensor,
  filter: Tensor,
  strides: unknown,
  pad: unknown,
  dataFormat = 'NHWC',
  dimRoundingMode?: string,
): Tensor {
  const was3 = dy.rank === 3;
  const inputShape = was3 ? [1, ...xShape] : xShape;
  const res = run(
    Conv2DBackpropInput,
    { dy: batched(dy, 4), filter },
    { strides, pad, dataFormat, dimRoundingMode, inputShape },
  );
  return unbatched(res, was3);
}

export function conv3DBackpropFilter(
  x: Tensor,
  dy: Tensor,
  filterShape: number[],
  strides: unknown,
  pad: unknown,
): Tensor {
  return run(Conv3DBackpropFilterV2, { x: batched(x, 5), dy: batched(dy, 5) }, { strides, pad, filterShape });
}

export function conv3DBackpropInput(
  xShape: number[],
  dy: Tensor,
  filter: Tensor,
  strides: unknown,
  pad: unknown,
): Tensor {
  const was4 = dy.rank === 4;
  const inputShape = was4 ? [1, ...xShape] : xShape;
  const res = run(Conv3DBackpropInputV2, { dy: batched(dy, 5), filter }, { pad, strides, inputShape });
  return unbatched(res, was4);
}

export function depthwiseConv2dNativeBackpropFilter(
  x: Tensor,
  dy: Tensor,
  filterShape: number[],
  strides: unknown,
  pad: unknown,
  dilations: unknown = [1, 1],
  dimRoundingMode?: string,
): Tensor {
  return run(
    DepthwiseConv2dNativeBackpropFilter,
    { x: batched(x, 4), dy: batched(dy, 4) },
    { strides, pad, dimRoundingMode, dilations, filterShape },
  );
}

export function depthwiseConv2dNativeBackpropInput(
  xShape: number[],
  dy: Tensor,
  filter: Tensor,
  strides: unknown,
  pad: unknown,
  dilations: unknown = [1, 1],
  dimRoundingMode?: string,
): Tensor {
  const was3 = dy.rank === 3;
  const res = run(
    DepthwiseConv2dNativeBackpropInput,
    { dy: batched(dy, 4), filter },
    { strides, pad, dimRoundingMode, dilations, inputShape: xShape },
  );
  return unbatched(res, was3);
}

export function maxPoolGrad(
  dy: Tensor,
  input: Tensor,
  output: Tensor,
  filterSize: unknown,
  strides: unknown,
  pad: unknown,
  dimRoundingMode?: string,
): Tensor {
  return run(MaxPoolGrad, { dy, input, output }, { filterSize, strides, pad, dimRoundingMode });
}

export function avgPoolGrad(
  dy: Tensor,
  input: Tensor,
  filterSize: unknown,
  strides: unknown,
  pad: unknown,
): Tensor {
  const was3 = input.rank === 3;
  const res = run(
    AvgPoolGrad,
    { dy: batched(dy, 4), input: batched(input, 4) },
    { filterSize, strides, pad },
  );
  return unbatched(res, was3);
}

export function maxPool3dGrad(
  dy: Tensor,
  input: Tensor,
  output: Tensor,
  filterSize: unknown,
  strides: unknown,
  pad: unknown,
  dimRoundingMode?: string,
): Tensor {
  const was4 = input.rank === 4;
  const res = run(
    MaxPool3DGrad,
    { dy: batched(dy, 5), input: batched(input, 5), output: batched(output, 5) },
    { filterSize, strides, pad, dimRoundingMode },
  );
  return unbatched(res, was4);
}

export function avgPool3dGrad(
  dy: Tensor,
  input: Tensor,
  filterSize: unknown,
  strides: unknown,
  pad: unknown,
  dimRoundingMode?: string,
): Tensor {
  const was4 = input.rank === 4;
  const res = run(
    AvgPool3DGrad,
    { dy: batched(dy, 5), input: batched(input, 5) },
    { filterSize, strides, pad, dimRoundingMode },
  );
  return unbatched(res, was4);
}

export function localResponseNormalizationBackprop(
  x: Tensor,
  y: Tensor,
  dy: Tensor,
  depthRadius = 5,
  bias = 1,
  alpha = 1,
  beta = 0.5,
): Tensor {
  return run(LRNGrad, { x, y, dy }, { depthRadius, bias, alpha, beta });
}
