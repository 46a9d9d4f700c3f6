// Trains a student on a teacher's soft targets (and optionally the hard labels) through @lab/core's
// runTrainingLoop: one epoch is one shuffled pass over the transfer set, one step one batch.
import type { Module, TrainingResult } from '@lab/core';
import { dispose, gather, type Scalar, type Tensor, tensor1d, tensor2d, tidy } from '@tensorflow/tfjs-core';
import { type BatchLoopOptions, type BatchObjective, type DistilData, runBatchLoop } from './batch-loop.js';
import { type DistillationLossOptions, distillationLoss, distillationLossOptions } from './loss.js';
import type { Teacher } from './teacher.js';

export { type DistilData, tensorData } from './batch-loop.js';

export interface DistilOptions extends Partial<DistillationLossOptions>, BatchLoopOptions {
  /**
   * Compute the teacher's soft targets for every example once, before the first epoch (in order, in
   * batches of batchSize), and gather each batch's from them, instead of running the teacher on every
   * batch of every epoch. Only for a deterministic teacher (an ensemble, or a dropout teacher with
   * samples 0) over data whose batch(indices) always gives the same inputs (not jittered): then the
   * targets are the same, for one teacher pass in all. Default false.
   */
  cacheTargets?: boolean;
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
  const cached = options.cacheTargets
    ? targetsOfAll(teacher, data, loss.temperature, options.batchSize ?? 100)
    : undefined;
  const objective: BatchObjective = (x, labels, indices) => {
    const targets = cached
      ? tidy(() => gather(cached, tensor1d(indices, 'int32')))
      : teacher.targets(x, loss.temperature);
    return {
      owned: [targets],
      loss: () => {
        const l = distillationLoss(
          student.forward(x),
          targets,
          loss.hardWeight > 0 ? labels : undefined,
          loss,
        );
        return { total: l.total, terms: { soft: l.soft as Scalar, hard: l.hard as Scalar } };
      },
    };
  };
  let looped: ReturnType<typeof runBatchLoop>;
  try {
    looped = runBatchLoop('distil', student, data, options, objective);
  } finally {
    cached?.dispose();
  }
  const { epochs, training } = looped;
  const history = epochs.map((e) => ({
    epoch: e.epoch,
    loss: e.means.loss ?? Number.NaN,
    soft: e.means.soft ?? Number.NaN,
    hard: e.means.hard ?? Number.NaN,
    validation: e.validation,
    ms: e.ms,
  }));
  return { history, training };
}

/** The teacher's targets at `temperature` for every example of `data`, in order: [count, classes]. */
function targetsOfAll(teacher: Teacher, data: DistilData, temperature: number, batchSize: number): Tensor {
  // the loop's own checks, made before the teacher runs
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`distil: batchSize must be a whole number >= 1, got ${batchSize}`);
  if (!Number.isInteger(data.count) || data.count < 1)
    throw new RangeError(`distil: the data must hold at least one example, got ${data.count}`);
  let out: Float32Array | undefined;
  let classes = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const end = Math.min(data.count, start + batchSize);
    const { x, labels } = data.batch(Int32Array.from({ length: end - start }, (_, i) => start + i));
    let targets: Tensor | undefined;
    try {
      targets = teacher.targets(x, temperature);
      const values = targets.dataSync() as Float32Array;
      classes = values.length / (end - start);
      out ??= new Float32Array(data.count * classes);
      out.set(values, start * classes);
    } finally {
      dispose([x, labels, ...(targets ? [targets] : [])]);
    }
  }
  return tensor2d(out!, [data.count, classes]);
}
