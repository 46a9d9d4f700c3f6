// A training-loop driver: step and epoch events (for progress bars and logs), a NaN/Inf guard that
// stops or rolls back to the last good checkpoint, and periodic checkpoints. What a step does is the
// caller's: it returns the step's metrics as plain numbers.

export interface StepEvent {
  step: number;
  epoch: number;
  metrics: Readonly<Record<string, number>>;
  ms: number;
}

export interface EpochEvent {
  epoch: number;
  step: number;
  /** Mean of each metric over the epoch's steps. */
  means: Readonly<Record<string, number>>;
}

export interface TrainingLoopOptions {
  /** Total number of steps to reach (steps already done count: see startStep). */
  steps: number;
  /** Step to start from, for example the step a checkpoint restored. Default 0. */
  startStep?: number;
  stepsPerEpoch?: number;
  /** One training step (the 0-based step index); returns its metrics, e.g. { loss }. */
  trainStep: (step: number) => Record<string, number>;
  /** Save a checkpoint every N completed steps (and at the end), through `saveCheckpoint`. */
  checkpointEvery?: number;
  saveCheckpoint?: (stepsDone: number) => void;
  /** Restores the last checkpoint and returns the number of steps it had completed, or undefined if none. */
  restoreCheckpoint?: () => number | undefined;
  /**
   * What to do when a metric is NaN or infinite: 'stop' (default) throws a NonFiniteError;
   * 'rollback' restores the last good checkpoint and continues (up to maxRollbacks times).
   */
  nanGuard?: 'stop' | 'rollback';
  maxRollbacks?: number;
  onStep?: (e: StepEvent) => void;
  onEpoch?: (e: EpochEvent) => void;
  onCheckpoint?: (stepsDone: number) => void;
  /** Called after a rollback, for example to lower the learning rate or skip a batch. */
  onRollback?: (info: { failedStep: number; restoredStep: number; metric: string; value: number }) => void;
  signal?: AbortSignal;
}

export interface TrainingResult {
  stepsDone: number;
  rollbacks: number;
  stopped: 'completed' | 'aborted';
}

export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly metric: string,
    readonly value: number,
  ) {
    super(`metric '${metric}' is ${value} at step ${step}`);
    this.name = 'NonFiniteError';
  }
}

export function runTrainingLoop(o: TrainingLoopOptions): TrainingResult {
  const { steps, stepsPerEpoch = Number.POSITIVE_INFINITY, nanGuard = 'stop', maxRollbacks = 3 } = o;
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`steps must be a non-negative integer, got ${steps}`);
  if (o.checkpointEvery !== undefined && !o.saveCheckpoint)
    throw new Error('checkpointEvery needs saveCheckpoint');
  if (nanGuard === 'rollback' && !o.restoreCheckpoint)
    throw new Error("nanGuard 'rollback' needs restoreCheckpoint");
  let step = o.startStep ?? 0;
  let rollbacks = 0;
  let sums: Record<string, number> = {};
  let count = 0;
  const save = (done: number) => {
    o.saveCheckpoint?.(done);
    o.onCheckpoint?.(done);
  };
  while (step < steps) {
    if (o.signal?.aborted) return { stepsDone: step, rollbacks, stopped: 'aborted' };
    const t0 = performance.now();
    const metrics = o.trainStep(step);
    const ms = performance.now() - t0;
    const bad = Object.entries(metrics).find(([, v]) => !Number.isFinite(v));
    if (bad) {
      if (nanGuard === 'stop') throw new NonFiniteError(step, bad[0], bad[1]);
      if (rollbacks >= maxRollbacks) throw new NonFiniteError(step, bad[0], bad[1]);
      const restored = o.restoreCheckpoint!();
      if (restored === undefined) throw new NonFiniteError(step, bad[0], bad[1]);
      rollbacks++;
      o.onRollback?.({ failedStep: step, restoredStep: restored, metric: bad[0], value: bad[1] });
      step = restored;
      sums = {};
      count = 0;
      continue;
    }
    const epoch = Math.floor(step / stepsPerEpoch);
    o.onStep?.({ step, epoch, metrics, ms });
    for (const [k, v] of Object.entries(metrics)) sums[k] = (sums[k] ?? 0) + v;
    count++;
    step++;
    if (step % stepsPerEpoch === 0 || step === steps) {
      o.onEpoch?.({
        epoch: Math.floor((step - 1) / stepsPerEpoch),
        step,
        means: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count])),
      });
      sums = {};
      count = 0;
    }
    if (o.checkpointEvery && (step % o.checkpointEvery === 0 || step === steps)) save(step);
  }
  return { stepsDone: step, rollbacks, stopped: 'completed' };
}
