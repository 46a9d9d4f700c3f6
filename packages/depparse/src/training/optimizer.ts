// The parser's optimizers by name: the one place where the CLI's and the benchmark's strings
// ('adam' | 'adagrad', 'none' | 'cosine') become a GradientTransformation and a learning-rate schedule.
import { adagrad, adam, cosineSchedule, type GradientTransformation } from '@lab/core';

export type OptimizerName = 'adam' | 'adagrad';
export type LrScheduleName = 'none' | 'cosine';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'adagrad'];
export const LR_SCHEDULE_NAMES: readonly LrScheduleName[] = ['none', 'cosine'];

export interface NamedOptimizerOptions {
  /** Default 'adam' (AdaGrad is Chen & Manning's). */
  name?: OptimizerName;
  /** Default 1e-3 for Adam, 0.01 for AdaGrad. */
  lr?: number;
  /** 'cosine' anneals the learning rate to a tenth over the run. Default 'none'. */
  schedule?: LrScheduleName;
  /** L2 regularisation added to the gradients (Chen & Manning: 1e-8, the default). */
  l2?: number;
}

/** Builds a transform for a run of `runSteps` steps (the length a schedule spans). */
export type OptimizerFactory = (runSteps: number) => GradientTransformation<any>;

/** The named optimizer as a factory of transforms: a schedule needs the run's length. */
export function namedOptimizer({
  name = 'adam',
  lr,
  schedule = 'none',
  l2 = 1e-8,
}: NamedOptimizerOptions = {}): OptimizerFactory {
  if (!OPTIMIZER_NAMES.includes(name))
    throw new RangeError(`optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got ${String(name)}`);
  if (!LR_SCHEDULE_NAMES.includes(schedule))
    throw new RangeError(
      `lrSchedule must be one of ${LR_SCHEDULE_NAMES.join(', ')}, got ${String(schedule)}`,
    );
  const baseLr = lr ?? (name === 'adagrad' ? 0.01 : 1e-3);
  return (runSteps) => {
    const rate = schedule === 'cosine' ? cosineSchedule(baseLr, runSteps, baseLr / 10) : baseLr;
    return name === 'adagrad' ? adagrad(rate, { weightDecay: l2 }) : adam(rate, { weightDecay: l2 });
  };
}
