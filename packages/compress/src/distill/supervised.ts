// Plain training on the hard labels (softmax cross-entropy) through runTrainingLoop, for the other
// nets of a distillation experiment: the teacher and the student trained from scratch.
import {
  adam,
  type Module,
  Optimizer,
  Rng,
  runTrainingLoop,
  type TrainingResult,
  valueAndGrads,
} from '@lab/core';
import { cast, dispose, logSoftmax, mean, mul, neg, oneHot, type Scalar, sum } from '@tensorflow/tfjs-core';
import type { DistilData, DistilOptions } from './distil.js';
import type { DistillationLossOptions } from './loss.js';

/** The loop's options of `distil` (epochs, batch size, optimizer, rng, validation, hooks, events) without its loss's. */
export type SupervisedOptions = Omit<DistilOptions, keyof DistillationLossOptions>;

/** Trains `model` on the labels of `data`; returns the per-epoch mean loss and the loop's result. The model ends in eval mode. */
export function trainSupervised(
  model: Module,
  data: DistilData,
  options: SupervisedOptions = {},
): {
  history: { epoch: number; loss: number; validation?: Readonly<Record<string, number>>; ms: number }[];
  training: TrainingResult;
} {
  const { epochs = 1, batchSize = 100, rng = new Rng(0) } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`trainSupervised: batchSize must be a whole number >= 1, got ${batchSize}`);
  if (!Number.isInteger(data.count) || data.count < 1)
    throw new RangeError(`trainSupervised: the data must hold at least one example, got ${data.count}`);
  const params = model.trainableParameters();
  const ownOptimizer = options.optimizer ? undefined : new Optimizer(adam(1e-3), params);
  const optimizer = options.optimizer ?? ownOptimizer!;
  const history: {
    epoch: number;
    loss: number;
    validation?: Readonly<Record<string, number>>;
    ms: number;
  }[] = [];
  let order: Int32Array = new Int32Array(0);
  try {
    const training = runTrainingLoop({
      epochs,
      stepsPerEpoch: () => {
        order = rng.permutation(data.count);
        return Math.ceil(data.count / batchSize);
      },
      trainStep: (_step, { stepInEpoch }) => {
        const { x, labels } = data.batch(
          order.subarray(stepInEpoch * batchSize, (stepInEpoch + 1) * batchSize),
        );
        model.train(true);
        try {
          const { value, grads } = valueAndGrads(() => {
            const logits = model.forward(x);
            const target = cast(oneHot(cast(labels, 'int32'), logits.shape[1]!), 'float32');
            return neg(mean(sum(mul(target, logSoftmax(logits)), 1))) as Scalar;
          }, params);
          optimizer.step(grads);
          const loss = value.dataSync()[0]!;
          dispose([value, ...Object.values(grads)]);
          return { loss };
        } finally {
          dispose([x, labels]);
        }
      },
      validate: options.validate
        ? (epoch) => {
            model.eval();
            return options.validate!(epoch);
          }
        : undefined,
      hooks: options.hooks,
      onStep: options.onStep,
      onEpoch: (e) => {
        history.push({
          epoch: e.epoch,
          loss: e.means.loss ?? Number.NaN,
          validation: e.validation,
          ms: e.ms,
        });
        options.onEpoch?.(e);
      },
      signal: options.signal,
    });
    return { history, training };
  } finally {
    ownOptimizer?.dispose();
    model.eval();
  }
}
