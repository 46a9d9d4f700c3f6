// Supervised training of a classifier through core's runTrainingLoop: shuffled mini-batches per epoch
// (drawn from one seeded Rng, so two runs with the same seed see the same batches), one gradient step
// per batch over the parameters that are trainable at that step, and validation loss and accuracy.
import {
  type EpochEvent,
  type GradientTransformation,
  gradientStep,
  type Module,
  Optimizer,
  Rng,
  runTrainingLoop,
  type Schedule,
  type TrainingHook,
  type TrainingResult,
} from '@lab/core';
import {
  argMax,
  cast,
  equal,
  gather,
  mul,
  sum,
  type Tensor,
  tensor1d,
  tidy,
  type Variable,
} from '@tensorflow/tfjs-core';
import type { Augmentation } from './augment.js';
import { softmaxCrossEntropy } from './cross-entropy.js';
import { type ClassifierData, checkClassifierData } from './data.js';

export interface FitOptions {
  /** The network: its forward gives logits, train()/eval() switch its mode for steps and validation. */
  module: Module;
  data: ClassifierData;
  /** The optimizer's transform (e.g. adam(lr), discriminativeTransform(...)), over `params`. */
  transform: GradientTransformation<any>;
  /** The optimizer's parameters (default the module's); each step takes gradients over those trainable now. */
  params?: Readonly<Record<string, Variable>>;
  epochs: number;
  batchSize?: number;
  /** Seeds the batch order. */
  seed?: number;
  /** Scored after each epoch: { loss, accuracy }. */
  validation?: ClassifierData;
  hooks?: readonly TrainingHook[];
  schedules?: Readonly<Record<string, Schedule>>;
  onEpoch?: (e: EpochEvent) => void;
  /** Applied to each training batch's inputs before the forward pass (not to validation). */
  augment?: Augmentation;
}

export interface FitResult extends TrainingResult {
  history: EpochEvent[];
}

const wholeAtLeast = (where: string, v: number, min: number) => {
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`${where} must be a whole number >= ${min}, got ${v}`);
};

/** Loss and accuracy of `module` on `data`, in batches, in inference mode (the mode is restored). */
export function evaluateClassifier(
  module: Module,
  data: ClassifierData,
  batchSize = 256,
): { loss: number; accuracy: number } {
  const wasTraining = module.training;
  module.eval();
  let loss = 0;
  let correct = 0;
  try {
    for (let start = 0; start < data.labels.length; start += batchSize) {
      const end = Math.min(data.labels.length, start + batchSize);
      const [l, c] = tidy(() => {
        const idx = tensor1d(
          Int32Array.from({ length: end - start }, (_, i) => start + i),
          'int32',
        );
        const logits = module.forward(gather(data.x, idx));
        const labels = tensor1d(data.labels.subarray(start, end), 'int32');
        return [
          mul(softmaxCrossEntropy(logits, labels), end - start),
          sum(cast(equal(argMax(logits, -1), labels), 'int32')),
        ] as Tensor[];
      });
      loss += l!.dataSync()[0]!;
      correct += c!.dataSync()[0]!;
      l!.dispose();
      c!.dispose();
    }
  } finally {
    module.train(wasTraining);
  }
  return { loss: loss / data.labels.length, accuracy: correct / data.labels.length };
}

/** Trains `module` on `data` for `epochs`; leaves the module in inference mode. */
export function fitClassifier(o: FitOptions): FitResult {
  checkClassifierData(o.data, 'fitClassifier');
  if (o.validation) checkClassifierData(o.validation, 'fitClassifier validation');
  const { module, data, batchSize = 32, seed = 0 } = o;
  wholeAtLeast('fitClassifier: epochs', o.epochs, 0);
  wholeAtLeast('fitClassifier: batchSize', batchSize, 1);
  const params = o.params ?? module.parameters();
  const optimizer = new Optimizer(o.transform, params);
  const rng = new Rng(seed);
  const n = data.labels.length;
  let order: Int32Array = new Int32Array(0);
  const history: EpochEvent[] = [];
  try {
    const result = runTrainingLoop({
      epochs: o.epochs,
      stepsPerEpoch: () => {
        order = rng.permutation(n);
        return Math.ceil(n / batchSize);
      },
      schedules: o.schedules,
      hooks: o.hooks,
      trainStep: (_step, { stepInEpoch }) => {
        const idx = order.subarray(stepInEpoch * batchSize, Math.min(n, (stepInEpoch + 1) * batchSize));
        const trainable = Object.fromEntries(Object.entries(params).filter(([, v]) => v.trainable));
        module.train();
        const batch = tidy(() => {
          const x = gather(data.x, tensor1d(idx, 'int32'));
          return o.augment ? o.augment(x) : x;
        });
        try {
          const loss = gradientStep(optimizer, trainable, () =>
            tidy(() =>
              softmaxCrossEntropy(
                module.forward(batch),
                tensor1d(
                  Int32Array.from(idx, (k) => data.labels[k]!),
                  'int32',
                ),
              ),
            ),
          );
          return { loss, examples: idx.length };
        } finally {
          batch.dispose();
        }
      },
      validate: o.validation ? () => evaluateClassifier(module, o.validation!, batchSize) : undefined,
      onEpoch: (e) => {
        history.push(e);
        o.onEpoch?.(e);
      },
    });
    return { ...result, history };
  } finally {
    module.eval();
    optimizer.dispose();
  }
}
