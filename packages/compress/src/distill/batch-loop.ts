// The training loop both distillation and plain supervised training run: shuffled passes over a data
// set through @lab/core's runTrainingLoop, one optimizer step per batch, a per-batch objective giving
// the loss and the terms reported beside it, the model in train mode for the step and eval mode for
// validation and at the end.
import {
  adam,
  type EpochEvent,
  type Module,
  Optimizer,
  Rng,
  runTrainingLoop,
  type StepEvent,
  type TrainingHook,
  type TrainingResult,
  valueAndGrads,
} from '@lab/core';
import { cast, dispose, gather, keep, type Scalar, type Tensor, tensor1d, tidy } from '@tensorflow/tfjs-core';

/** A data set: `batch(indices)` gives inputs and int32 labels [n] that the caller of batch owns. */
export interface DistilData {
  count: number;
  batch(indices: Int32Array): { x: Tensor; labels: Tensor };
}

/** A data set over in-memory tensors (x [count, ...], labels [count]); they stay the caller's. */
export function tensorData(x: Tensor, labels: Tensor): DistilData {
  if (labels.rank !== 1 || labels.shape[0] !== x.shape[0])
    throw new RangeError(`tensorData: labels [${labels.shape}] must be [${x.shape[0]}]`);
  return {
    count: x.shape[0]!,
    batch(indices) {
      return tidy(() => {
        const idx = tensor1d(indices, 'int32');
        return { x: gather(x, idx), labels: cast(gather(labels, idx), 'int32') };
      });
    },
  };
}

/** Options of the loop (shared by `distil` and `trainSupervised`). */
export interface BatchLoopOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Default 100. */
  batchSize?: number;
  /** Trains the model's trainable parameters (the caller's to dispose). Default: Adam, learning rate 1e-3, disposed at the end. */
  optimizer?: Optimizer<any>;
  /** Shuffles the batches. Default new Rng(0). */
  rng?: Rng;
  /** Scores the model after each epoch (it is in eval mode while this runs). */
  validate?: (epoch: number) => Record<string, number>;
  hooks?: readonly TrainingHook[];
  onStep?: (e: StepEvent) => void;
  onEpoch?: (e: EpochEvent) => void;
  signal?: AbortSignal;
}

/**
 * The objective of one batch. Called with the batch (and the indices of its examples in the data set)
 * before the gradient is taken: `loss` is what valueAndGrads differentiates (its `terms` are reported
 * per step beside `loss`), `owned` the tensors made outside that scope (e.g. a teacher's targets),
 * freed after the step.
 */
export type BatchObjective = (
  x: Tensor,
  labels: Tensor,
  indices: Int32Array,
) => { loss: () => { total: Scalar; terms?: Record<string, Scalar> }; owned?: Tensor[] };

export interface BatchLoopEpoch {
  epoch: number;
  /** Batch means of 'loss' and of each term. */
  means: Readonly<Record<string, number>>;
  validation?: Readonly<Record<string, number>>;
  ms: number;
}

/** Runs the loop; `caller` names the function in errors. The model ends in eval mode. */
export function runBatchLoop(
  caller: string,
  model: Module,
  data: DistilData,
  options: BatchLoopOptions,
  objective: BatchObjective,
): { epochs: BatchLoopEpoch[]; training: TrainingResult } {
  const { epochs = 1, batchSize = 100, rng = new Rng(0) } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`${caller}: batchSize must be a whole number >= 1, got ${batchSize}`);
  if (!Number.isInteger(data.count) || data.count < 1)
    throw new RangeError(`${caller}: the data must hold at least one example, got ${data.count}`);
  const params = model.trainableParameters();
  const ownOptimizer = options.optimizer ? undefined : new Optimizer(adam(1e-3), params);
  const optimizer = options.optimizer ?? ownOptimizer!;
  const history: BatchLoopEpoch[] = [];
  let order: Int32Array = new Int32Array(0);
  try {
    const training = runTrainingLoop({
      epochs,
      // each epoch draws its order when it starts
      stepsPerEpoch: () => {
        order = rng.permutation(data.count);
        return Math.ceil(data.count / batchSize);
      },
      trainStep: (_step, { stepInEpoch }) => {
        const indices = order.subarray(stepInEpoch * batchSize, (stepInEpoch + 1) * batchSize);
        const { x, labels } = data.batch(indices);
        model.train(true);
        // the reported terms are kept out of the gradient's tidy scope
        let terms: [string, Scalar][] = [];
        let owned: Tensor[] = [];
        try {
          const batch = objective(x, labels, indices);
          owned = batch.owned ?? [];
          const { value, grads } = valueAndGrads(() => {
            const { total, terms: parts = {} } = batch.loss();
            terms = Object.entries(parts).map(([k, v]) => [k, keep(v)]);
            return total;
          }, params);
          optimizer.step(grads);
          const metrics: Record<string, number> = { loss: value.dataSync()[0]! };
          for (const [k, v] of terms) metrics[k] = v.dataSync()[0]!;
          dispose([value, ...Object.values(grads)]);
          return metrics;
        } finally {
          dispose([x, labels, ...owned, ...terms.map(([, v]) => v)]);
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
        history.push({ epoch: e.epoch, means: e.means, validation: e.validation, ms: e.ms });
        options.onEpoch?.(e);
      },
      signal: options.signal,
    });
    return { epochs: history, training };
  } finally {
    ownOptimizer?.dispose();
    model.eval();
  }
}
