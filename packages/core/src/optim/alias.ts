// Named optimizers as one-line chains. Defaults match PyTorch's.
import { fusedSgdStep } from './fused-sgd.js';
import { chain, type GradientTransformation, type ScalarOrSchedule } from './gradient-transformation.js';
import {
  addDecayedWeights,
  scaleByAdagrad,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  traceMomentum,
} from './primitives.js';

export interface SgdOptions {
  momentum?: number;
  nesterov?: boolean;
  /** L2 weight decay added to the gradient (PyTorch's weight_decay). */
  weightDecay?: number;
}
/** torch.optim.SGD(lr, momentum=0, nesterov=False, weight_decay=0). */
export function sgd(
  lr: ScalarOrSchedule,
  { momentum = 0, nesterov = false, weightDecay = 0 }: SgdOptions = {},
) {
  const parts: GradientTransformation<any>[] = [];
  if (weightDecay) parts.push(addDecayedWeights(weightDecay));
  if (momentum) parts.push(traceMomentum(momentum, { nesterov }));
  parts.push(scaleByLearningRate(lr));
  const composed = chain(...parts);
  // heavy-ball momentum alone: the whole step in one fused kernel call (the same values and state)
  return momentum && !nesterov && !weightDecay ? { ...composed, step: fusedSgdStep(momentum, lr) } : composed;
}

/** torch.optim.Adam(lr, betas=(0.9, 0.999), eps=1e-8); weightDecay is PyTorch's coupled L2. */
export function adam(lr: ScalarOrSchedule, { b1 = 0.9, b2 = 0.999, eps = 1e-8, weightDecay = 0 } = {}) {
  const parts: GradientTransformation<any>[] = [];
  if (weightDecay) parts.push(addDecayedWeights(weightDecay));
  parts.push(scaleByAdam({ b1, b2, eps }), scaleByLearningRate(lr));
  return chain(...parts);
}

/** torch.optim.AdamW(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01): decoupled decay. */
export function adamw(lr: ScalarOrSchedule, { b1 = 0.9, b2 = 0.999, eps = 1e-8, weightDecay = 0.01 } = {}) {
  return chain(scaleByAdam({ b1, b2, eps }), addDecayedWeights(weightDecay), scaleByLearningRate(lr));
}

/** torch.optim.RMSprop(lr, alpha=0.99, eps=1e-8, momentum=0). */
export function rmsprop(lr: ScalarOrSchedule, { alpha = 0.99, eps = 1e-8, momentum = 0 } = {}) {
  const parts: GradientTransformation<any>[] = [scaleByRms({ alpha, eps })];
  if (momentum) parts.push(traceMomentum(momentum));
  parts.push(scaleByLearningRate(lr));
  return chain(...parts);
}

/** torch.optim.Adagrad(lr, initial_accumulator_value=0, eps=1e-10). */
export function adagrad(lr: ScalarOrSchedule, { initialAccumulator = 0, eps = 1e-10, weightDecay = 0 } = {}) {
  const parts: GradientTransformation<any>[] = [];
  if (weightDecay) parts.push(addDecayedWeights(weightDecay));
  parts.push(scaleByAdagrad({ initialAccumulator, eps }), scaleByLearningRate(lr));
  return chain(...parts);
}
