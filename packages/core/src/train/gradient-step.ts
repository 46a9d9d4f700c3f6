// The step most trainers take: the gradient of a scalar loss with respect to some variables, one
// optimizer update, and the loss as a number, leaving no tensor behind.
import { dispose, type Scalar, type Variable } from '@tensorflow/tfjs-core';
import { valueAndGrads } from '../nn/grad.js';
import type { Optimizer } from '../optim/optimizer.js';

/** Updates `vars` (the optimizer's variables) along the gradient of `loss`; returns the loss value. */
export function gradientStep(
  optimizer: Optimizer<any>,
  vars: Readonly<Record<string, Variable>>,
  loss: () => Scalar,
): number {
  const { value, grads } = valueAndGrads(loss, vars);
  try {
    optimizer.step(grads);
    return value.dataSync()[0]!;
  } finally {
    dispose([value, ...Object.values(grads)]);
  }
}
