// tfjs has no gradient for Conv2DBackpropFilter, which a second derivative of a conv net with
// respect to its filters needs (for example a gradient penalty through conv2dTranspose). The kernel
// is bilinear in (x, dy): <G, dW(x, dy)> = <dy, conv2d(x, G)> = <x, conv2dBackpropInput(dy, G)>.
import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  conv2d,
  type GradConfig,
  type NamedAttrMap,
  type Tensor,
  type Tensor4D,
} from '@tensorflow/tfjs-core';
import { conv2DBackpropInput } from './tfjs/internals.js';

export const conv2DBackpropFilterGradConfig: GradConfig = {
  kernelName: Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (g: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, dy] = saved as [Tensor4D, Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as Conv2DBackpropFilterAttrs;
    const filterGrad = g as Tensor4D;
    return {
      x: () => conv2DBackpropInput(x.shape, dy, filterGrad, strides, pad, dataFormat, dimRoundingMode),
      dy: () =>
        conv2d(
          x,
          filterGrad,
          strides,
          pad as 'same' | 'valid' | number,
          dataFormat as 'NHWC',
          1,
          dimRoundingMode,
        ),
    };
  },
};
