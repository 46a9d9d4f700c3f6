// Trains a student on a teacher's soft targets (and optionally the hard labels) through @lab/core's
// runTrainingLoop: one epoch is one shuffled pass over the transfer set, one step one batch.
import type { Module, TrainingResult } from '@lab/core';
import type { Scalar } from '@tensorflow/tfjs-core';
import { type BatchLoopOptions, type DistilData, runBatchLoop } from './batch-loop.js';
import { type DistillationLossOptions, distillationLoss, distillationLossOptions } from './loss.js';
import type { Teacher } from './teacher.js';

export { type DistilData, tensorData } from './batch-loop.js';

export interface DistilOptions extends Partial<DistillationLossOptions>, BatchLoopOptions {}

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
  const { epochs, training } = runBatchLoop('distil', student, data, options, (x, labels) => {
    const targets = teacher.targets(x, loss.temperature);
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
  });
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
