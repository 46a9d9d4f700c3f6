// Plain training on the hard labels (softmax cross-entropy) through the same loop as `distil`, for the
// other nets of a distillation experiment: the teacher and the student trained from scratch.
import type { Module, TrainingResult } from '@lab/core';
import { cast, logSoftmax, mean, mul, neg, oneHot, type Scalar, sum } from '@tensorflow/tfjs-core';
import { type BatchLoopOptions, type DistilData, runBatchLoop } from './batch-loop.js';

/** The loop's options of `distil` (epochs, batch size, optimizer, rng, validation, hooks, events) without its loss's. */
export type SupervisedOptions = BatchLoopOptions;

export interface SupervisedEpoch {
  epoch: number;
  /** Batch mean of the cross-entropy. */
  loss: number;
  validation?: Readonly<Record<string, number>>;
  ms: number;
}

/** Trains `model` on the labels of `data`; returns the per-epoch mean loss and the loop's result. The model ends in eval mode. */
export function trainSupervised(
  model: Module,
  data: DistilData,
  options: SupervisedOptions = {},
): { history: SupervisedEpoch[]; training: TrainingResult } {
  const { epochs, training } = runBatchLoop('trainSupervised', model, data, options, (x, labels) => ({
    loss: () => {
      const logits = model.forward(x);
      const target = cast(oneHot(cast(labels, 'int32'), logits.shape[1]!), 'float32');
      return { total: neg(mean(sum(mul(target, logSoftmax(logits)), 1))) as Scalar };
    },
  }));
  const history = epochs.map((e) => ({
    epoch: e.epoch,
    loss: e.means.loss ?? Number.NaN,
    validation: e.validation,
    ms: e.ms,
  }));
  return { history, training };
}
