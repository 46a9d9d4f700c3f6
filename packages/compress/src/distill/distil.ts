// Trains a student on a teacher's soft targets (and optionally the hard labels) through @lab/core's
// runTrainingLoop: one epoch is one shuffled pass over the transfer set, one step one batch.
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
import { type DistillationLossOptions, distillationLoss, distillationLossOptions } from './loss.js';
import type { Teacher } from './teacher.js';

/** A transfer set: `batch(indices)` gives inputs and int32 labels [n] that the caller of batch owns. */
export interface DistilData {
  count: number;
  batch(indices: Int32Array): { x: Tensor; labels: Tensor };
}

/** A transfer set over in-memory tensors (x [count, ...], labels [count]); they stay the caller's. */
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

export interface DistilOptions extends Partial<DistillationLossOptions> {
  /** Passes over the transfer set. Default 1. */
  epochs?: number;
  /** Default 100. */
  batchSize?: number;
  /** Trains the student's trainable parameters (the caller's to dispose). Default: Adam, learning rate 1e-3, disposed at the end. */
  optimizer?: Optimizer<any>;
  /** Shuffles the batches. Default new Rng(0). */
  rng?: Rng;
  /** Scores the student after each epoch (it is in eval mode while this runs). */
  validate?: (epoch: number) => Record<string, number>;
  hooks?: readonly TrainingHook[];
  onStep?: (e: StepEvent) => void;
  onEpoch?: (e: EpochEvent) => void;
  signal?: AbortSignal;
}

export interface DistilEpoch {
  epoch: number;
  /** Batch means of the total, soft and hard terms. */
  loss: number;
  soft: number;
  hard: number;
  validation?: Readonly<Record<string, number>>;
  ms: number;
}

export interface DistilResult {
  history: DistilEpoch[];
  training: TrainingResult;
}

/** Distils `teacher` into `student` on `data`; the student is left in eval mode. */
export function distil(
  teacher: Teacher,
  student: Module,
  data: DistilData,
  options: DistilOptions = {},
): DistilResult {
  const loss = distillationLossOptions({
    temperature: options.temperature ?? 20,
    softWeight: options.softWeight,
    hardWeight: options.hardWeight,
    soft: options.soft,
  });
  const { epochs = 1, batchSize = 100, rng = new Rng(0) } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`distil: batchSize must be a whole number >= 1, got ${batchSize}`);
  if (!Number.isInteger(data.count) || data.count < 1)
    throw new RangeError(`distil: the transfer set must hold at least one example, got ${data.count}`);
  const params = student.trainableParameters();
  const ownOptimizer = options.optimizer ? undefined : new Optimizer(adam(1e-3), params);
  const optimizer = options.optimizer ?? ownOptimizer!;
  const history: DistilEpoch[] = [];
  let order: Int32Array = new Int32Array(0);
  let training: TrainingResult;
  try {
    training = runTrainingLoop({
      epochs,
      // each epoch draws its order when it starts
      stepsPerEpoch: () => {
        order = rng.permutation(data.count);
        return Math.ceil(data.count / batchSize);
      },
      trainStep: (_step, { stepInEpoch }) => {
        const indices = order.subarray(stepInEpoch * batchSize, (stepInEpoch + 1) * batchSize);
        const { x, labels } = data.batch(indices);
        student.train(true);
        // the soft and hard terms are kept out of the gradient's tidy scope to be reported
        let parts: Scalar[] = [];
        let targets: Tensor | undefined;
        try {
          targets = teacher.targets(x, loss.temperature);
          const { value, grads } = valueAndGrads(() => {
            const l = distillationLoss(
              student.forward(x),
              targets!,
              loss.hardWeight > 0 ? labels : undefined,
              loss,
            );
            parts = [keep(l.soft), keep(l.hard)];
            return l.total;
          }, params);
          optimizer.step(grads);
          const metrics = {
            loss: value.dataSync()[0]!,
            soft: parts[0]!.dataSync()[0]!,
            hard: parts[1]!.dataSync()[0]!,
          };
          dispose([value, ...Object.values(grads)]);
          return metrics;
        } finally {
          dispose([x, labels, ...(targets ? [targets] : []), ...parts]);
        }
      },
      validate: options.validate
        ? (epoch) => {
            student.eval();
            return options.validate!(epoch);
          }
        : undefined,
      hooks: options.hooks,
      onStep: options.onStep,
      onEpoch: (e) => {
        history.push({
          epoch: e.epoch,
          loss: e.means.loss ?? Number.NaN,
          soft: e.means.soft ?? Number.NaN,
          hard: e.means.hard ?? Number.NaN,
          validation: e.validation,
          ms: e.ms,
        });
        options.onEpoch?.(e);
      },
      signal: options.signal,
    });
  } finally {
    ownOptimizer?.dispose();
    student.eval();
  }
  return { history, training };
}
