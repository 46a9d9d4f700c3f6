// The training loop every @lab trainer runs: steps grouped into epochs (a fixed number of steps, or
// a number of epochs whose lengths are known only when each starts), values of step schedules,
// validation after each epoch (with averaged weights in place when an averager is given), hooks that
// keep the best weights or stop early, a NaN/Inf guard that stops or rolls back to the last good
// checkpoint, periodic checkpoints, and progress events. What a step does is the caller's: it returns
// the step's metrics as plain numbers.
import type { Schedule } from '../optim/gradient-transformation.js';
import type { Averager } from './averager.js';

export interface StepContext {
  /** 0-based step index over the whole run. */
  step: number;
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step index within the epoch. */
  stepInEpoch: number;
  /** The value of each of `schedules` at this step. */
  scheduled: Readonly<Record<string, number>>;
}

export interface StepEvent extends StepContext {
  metrics: Readonly<Record<string, number>>;
  /** Steps in this epoch (Infinity in step mode without stepsPerEpoch). */
  epochSteps: number;
  ms: number;
}

export interface EpochEvent {
  epoch: number;
  /** Steps done after this epoch, over the whole run. */
  step: number;
  /** Steps this epoch ran. */
  steps: number;
  /** Mean of each metric over the epoch's steps. */
  means: Readonly<Record<string, number>>;
  /** Sum of each metric over the epoch's steps (for means weighted by a metric such as batch rows). */
  sums: Readonly<Record<string, number>>;
  /** What `validate` returned for this epoch, if given. */
  validation?: Readonly<Record<string, number>>;
  /** Milliseconds from the epoch's start (before stepsPerEpoch is asked) to the end of its last step. */
  ms: number;
}

/**
 * Hooks compose: each sees every step and epoch, in the order given; training ends after an epoch
 * for which any hook's shouldStop returns true.
 */
export interface TrainingHook {
  /** Before an epoch's first step, with the number of steps it will run. */
  beforeEpoch?(epoch: number, steps: number): void;
  /** After every step whose metrics are finite (after the averager's update). */
  afterStep?(e: StepEvent): void;
  /** After validation, while the weights that were validated (the average, with `average`) are in place. */
  afterValidation?(e: EpochEvent): void;
  /** After each epoch, with the training weights in place. */
  afterEpoch?(e: EpochEvent): void;
  /** After afterEpoch: true ends training (every hook is asked, so each sees every epoch). */
  shouldStop?(e: EpochEvent): boolean;
}

export interface TrainingLoopOptions {
  /** Step mode: the total number of steps to reach (steps already done count: see startStep). */
  steps?: number;
  /** Epoch mode: the number of epochs to run. */
  epochs?: number;
  /**
   * Steps per epoch. In epoch mode a function may give each epoch's length: it is called once when
   * the epoch starts, which is where a trainer draws that epoch's order or builds its batches.
   * Step mode takes a number only (default: one epoch of all the steps).
   */
  stepsPerEpoch?: number | ((epoch: number) => number);
  /** Step to start from, for example the step a checkpoint restored (step mode). Default 0. */
  startStep?: number;
  /** One training step; returns its metrics, e.g. { loss }. */
  trainStep: (step: number, context: StepContext) => Record<string, number>;
  /** Functions of the step (learning rates, exploration probabilities...), evaluated before each step. */
  schedules?: Readonly<Record<string, Schedule>>;
  /** Scores the model after each epoch, e.g. { accuracy }; runs with the average in place when `average` is given. */
  validate?: (epoch: number) => Record<string, number>;
  /** Updated after every finite step; validation and afterValidation hooks see its average. */
  average?: Averager;
  hooks?: readonly TrainingHook[];
  /** Save a checkpoint every N completed steps (and at the end), through `saveCheckpoint`. */
  checkpointEvery?: number;
  saveCheckpoint?: (stepsDone: number) => void;
  /** Restores the last checkpoint and returns the number of steps it had completed, or undefined if none. */
  restoreCheckpoint?: () => number | undefined;
  /**
   * What to do when a metric is NaN or infinite: 'stop' (default) throws a NonFiniteError;
   * 'rollback' (step mode) restores the last good checkpoint and continues (up to maxRollbacks times).
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
  /** Epochs completed in this run. */
  epochsDone: number;
  rollbacks: number;
  /** 'stopped' when a hook (early stopping) ended training. */
  stopped: 'completed' | 'aborted' | 'stopped';
}

export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly metric: string,
    readonly value: number,
    readonly epoch?: number,
  ) {
    super(`metric '${metric}' is ${value} at step ${step}${epoch === undefined ? '' : ` (epoch ${epoch})`}`);
    this.name = 'NonFiniteError';
  }
}

/** Throws a RangeError naming the option unless its value is a whole number >= min. */
function wholeNumber(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be a whole number >= ${min}, got ${value}`);
}

/** Checks the options that must agree with each other; returns the mode (steps or epochs). */
function checkOptions(o: TrainingLoopOptions): 'steps' | 'epochs' {
  if ((o.steps === undefined) === (o.epochs === undefined))
    throw new Error('runTrainingLoop: give exactly one of steps and epochs');
  if (o.checkpointEvery !== undefined && !o.saveCheckpoint)
    throw new Error('checkpointEvery needs saveCheckpoint');
  if (o.nanGuard === 'rollback' && !o.restoreCheckpoint)
    throw new Error("nanGuard 'rollback' needs restoreCheckpoint");
  if (typeof o.stepsPerEpoch === 'number') wholeNumber('stepsPerEpoch', o.stepsPerEpoch, 1);
  if (o.steps !== undefined) {
    wholeNumber('steps', o.steps, 0);
    if (typeof o.stepsPerEpoch === 'function')
      throw new Error('runTrainingLoop: stepsPerEpoch can be a function only with epochs');
    return 'steps';
  }
  wholeNumber('epochs', o.epochs!, 0);
  if (o.stepsPerEpoch === undefined) throw new Error('runTrainingLoop: epochs needs stepsPerEpoch');
  if (o.nanGuard === 'rollback') throw new Error("nanGuard 'rollback' needs steps, not epochs");
  if (o.startStep) throw new Error('runTrainingLoop: startStep needs steps, not epochs');
  return 'epochs';
}

function firstNonFinite(metrics: Record<string, number>): [string, number] | undefined {
  return Object.entries(metrics).find(([, v]) => !Number.isFinite(v));
}

export function runTrainingLoop(o: TrainingLoopOptions): TrainingResult {
  const mode = checkOptions(o);
  const { nanGuard = 'stop', maxRollbacks = 3, hooks = [] } = o;
  const fixedLength = typeof o.stepsPerEpoch === 'number' ? o.stepsPerEpoch : undefined;
  const perEpoch = fixedLength ?? (mode === 'steps' ? Number.POSITIVE_INFINITY : undefined);
  const lastStep = mode === 'steps' ? o.steps! : Number.POSITIVE_INFINITY;
  let step = o.startStep ?? 0;
  let rollbacks = 0;
  let epochsDone = 0;
  // step mode: the epoch a step falls in, and that epoch's first step
  const epochOf = (s: number) => (Number.isFinite(perEpoch) ? Math.floor(s / perEpoch!) : 0);
  // the epoch in progress: its index, first step, length (-1: not started) and running sums
  let epoch = epochOf(step);
  let epochStart = epoch * (fixedLength ?? 0);
  let epochSteps = -1;
  let lastSaved = step; // a run that trains no step writes no checkpoint
  let sums: Record<string, number> = {};
  let count = 0;
  let epochStarted = 0;
  const result = (stopped: TrainingResult['stopped']): TrainingResult => ({
    stepsDone: step,
    epochsDone,
    rollbacks,
    stopped,
  });
  // the last checkpoint of a run that ended (not of one that was aborted)
  const finish = (stopped: 'completed' | 'stopped'): TrainingResult => {
    if (o.checkpointEvery && lastSaved !== step) save(step);
    return result(stopped);
  };
  const save = (done: number) => {
    lastSaved = done;
    o.saveCheckpoint?.(done);
    o.onCheckpoint?.(done);
  };
  const startEpoch = () => {
    epochStarted = performance.now();
    epochSteps = perEpoch ?? (o.stepsPerEpoch as (e: number) => number)(epoch);
    if (mode === 'epochs') wholeNumber(`stepsPerEpoch(${epoch})`, epochSteps, 0);
    sums = {};
    count = 0;
    for (const h of hooks) h.beforeEpoch?.(epoch, Math.min(epochSteps, lastStep - epochStart));
  };
  /** Reports the epoch that just ended; true when a hook stops training. */
  const endEpoch = (): boolean => {
    const e: EpochEvent = {
      epoch,
      step,
      steps: count,
      means: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count])),
      sums,
      ms: performance.now() - epochStarted,
    };
    if (o.validate) {
      const validated = () => {
        e.validation = o.validate!(epoch);
        for (const h of hooks) h.afterValidation?.(e);
      };
      if (o.average) o.average.withAverage(validated);
      else validated();
    }
    o.onEpoch?.(e);
    epochsDone++;
    for (const h of hooks) h.afterEpoch?.(e);
    let stop = false;
    for (const h of hooks) if (h.shouldStop?.(e)) stop = true;
    epoch++;
    epochStart = step;
    epochSteps = -1;
    return stop;
  };

  while (mode === 'steps' ? step < lastStep : epoch < o.epochs!) {
    if (o.signal?.aborted) return result('aborted');
    if (epochSteps < 0) startEpoch();
    if (step - epochStart >= epochSteps) {
      // an epoch of zero steps (epoch mode) still validates and reports
      if (endEpoch()) return finish('stopped');
      continue;
    }
    const context: StepContext = {
      step,
      epoch,
      stepInEpoch: step - epochStart,
      scheduled: Object.fromEntries(Object.entries(o.schedules ?? {}).map(([k, s]) => [k, s(step)])),
    };
    const t0 = performance.now();
    const metrics = o.trainStep(step, context);
    const ms = performance.now() - t0;
    const bad = firstNonFinite(metrics);
    if (bad) {
      const error = new NonFiniteError(step, bad[0], bad[1], mode === 'epochs' ? epoch : undefined);
      if (nanGuard === 'stop' || rollbacks >= maxRollbacks) throw error;
      const restored = o.restoreCheckpoint!();
      if (restored === undefined) throw error;
      rollbacks++;
      o.onRollback?.({ failedStep: step, restoredStep: restored, metric: bad[0], value: bad[1] });
      step = restored;
      epoch = epochOf(step);
      epochStart = epoch * (fixedLength ?? 0);
      epochSteps = -1;
      continue;
    }
    o.average?.update();
    const event: StepEvent = { ...context, metrics, epochSteps, ms };
    o.onStep?.(event);
    for (const h of hooks) h.afterStep?.(event);
    for (const [k, v] of Object.entries(metrics)) sums[k] = (sums[k] ?? 0) + v;
    count++;
    step++;
    const stop = (step - epochStart === epochSteps || step === lastStep) && endEpoch();
    if (o.checkpointEvery && step % o.checkpointEvery === 0) save(step);
    if (stop) return finish('stopped');
  }
  return finish('completed');
}
