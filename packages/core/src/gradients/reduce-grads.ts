// The gradients of Sum and Mean spread dy over x's shape by multiplying it with ones(x.shape), and
// tfjs's ones() fills its array in a JavaScript loop: about 60 ns a float on the wasm backend, 5% of
// a W1 iteration (batch norm's two means per layer, over 0.4-0.8M floats each). These are tfjs's
// gradients with the ones made by fill(), a native typed-array fill, and Mean's division by the count
// taken on the small dy before the spread: mul(dy, 1) is exact, so (dy / n) * 1 has the bits of
// tfjs's (dy * 1) / n, at one full-size pass fewer. Both stay compositions of differentiable ops, so
// second derivatives through them still work.
import {
  div,
  fill,
  type GradConfig,
  Mean,
  type MeanAttrs,
  mul,
  reshape,
  Sum,
  type SumAttrs,
  type Tensor,
  util,
} from '@tensorflow/tfjs-core';

/** dy (x reduced over `axis`) spread over x's `shape`, divided by `divisor` first unless it is null. */
function spread(dy: Tensor, shape: number[], axis: number | number[], divisor: number | null): Tensor {
  const axes = util.parseAxisParam(axis, shape);
  const expanded = shape.slice();
  for (const a of axes) expanded[a] = 1;
  const small = reshape(dy, expanded);
  const scaled = divisor === null ? small : div(small, divisor);
  return mul(scaled, fill(shape, 1, 'float32'));
}

export const reduceGradConfigs: readonly GradConfig[] = [
  {
    kernelName: Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => spread(dy as Tensor, x!.shape, (attrs as unknown as SumAttrs).axis, null),
    }),
  },
  {
    kernelName: Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const shape = x!.shape;
      const axes = util.parseAxisParam((attrs as unknown as MeanAttrs).axis, shape);
      const count = axes.reduce((n, a) => n * shape[a]!, 1);
      return { x: () => spread(dy as Tensor, shape, axes, count) };
    },
  },
];
