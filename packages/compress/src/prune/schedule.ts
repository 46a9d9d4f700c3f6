// Pruning schedules (TFMOT's pruning_schedule): when to prune during training and to what sparsity.
import type { PruneRow } from './magnitude.js';
import type { MaskSet } from './mask-set.js';

export interface PruningSchedule {
  /** Whether to prune at this (0-based) training step. */
  shouldPrune(step: number): boolean;
  /** Target sparsity at this step. */
  sparsityAt(step: number): number;
}

export interface PolynomialDecayOptions {
  initialSparsity: number;
  finalSparsity: number;
  beginStep: number;
  endStep: number;
  /** Default 3 (TFMOT). */
  power?: number;
  /** Prune every `frequency` steps. Default 100 (TFMOT). */
  frequency?: number;
}

function checkSparsity(x: number, what: string): void {
  if (!(x >= 0 && x < 1)) throw new RangeError(`${what} must be in [0, 1), got ${x}`);
}
function checkStep(x: number, what: string): void {
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`${what} must be a non-negative integer, got ${x}`);
}

/**
 * TFMOT's PolynomialDecay: sparsity(step) = final + (initial - final) x (1 - p)^power with
 * p = (step - begin) / (end - begin) clamped to [0, 1]; pruning happens at begin, every `frequency`
 * steps up to end, and at end.
 */
export function polynomialDecay(o: PolynomialDecayOptions): PruningSchedule {
  const { initialSparsity, finalSparsity, beginStep, endStep, power = 3, frequency = 100 } = o;
  checkSparsity(initialSparsity, 'initialSparsity');
  checkSparsity(finalSparsity, 'finalSparsity');
  checkStep(beginStep, 'beginStep');
  checkStep(endStep, 'endStep');
  if (endStep <= beginStep)
    throw new RangeError(`endStep (${endStep}) must be after beginStep (${beginStep})`);
  if (!Number.isInteger(frequency) || frequency < 1)
    throw new RangeError(`frequency must be a positive integer, got ${frequency}`);
  if (!(power > 0)) throw new RangeError(`power must be positive, got ${power}`);
  return {
    shouldPrune: (step) =>
      step >= beginStep && step <= endStep && ((step - beginStep) % frequency === 0 || step === endStep),
    sparsityAt(step) {
      const p = Math.min(1, Math.max(0, (step - beginStep) / (endStep - beginStep)));
      return finalSparsity + (initialSparsity - finalSparsity) * (1 - p) ** power;
    },
  };
}

/** TFMOT's ConstantSparsity: the same target every `frequency` steps from begin to end. */
export function constantSparsity(o: {
  sparsity: number;
  beginStep?: number;
  endStep?: number;
  frequency?: number;
}): PruningSchedule {
  const { sparsity, beginStep = 0, endStep = Number.POSITIVE_INFINITY, frequency = 100 } = o;
  checkSparsity(sparsity, 'sparsity');
  checkStep(beginStep, 'beginStep');
  if (!Number.isInteger(frequency) || frequency < 1)
    throw new RangeError(`frequency must be a positive integer, got ${frequency}`);
  return {
    shouldPrune: (step) => step >= beginStep && step <= endStep && (step - beginStep) % frequency === 0,
    sparsityAt: () => sparsity,
  };
}

/** One-shot: prune once, at `step` (default 0), to `sparsity`. */
export function oneShot(sparsity: number, step = 0): PruningSchedule {
  checkSparsity(sparsity, 'sparsity');
  checkStep(step, 'step');
  return { shouldPrune: (s) => s === step, sparsityAt: () => sparsity };
}

/**
 * Applies a schedule to a mask set at a training step (call it before each step's update, e.g. at
 * the start of trainStep); returns the report rows when it pruned. Per-layer sparsity.
 */
export function applySchedule(
  masks: MaskSet,
  schedule: PruningSchedule,
  step: number,
): PruneRow[] | undefined {
  if (!schedule.shouldPrune(step)) return undefined;
  return masks.prune({ kind: 'sparsity', sparsity: schedule.sparsityAt(step) });
}

/**
 * Iterative prune-retrain (Han et al.): for each target in turn, prune (masks only grow) and call
 * `retrain` with the mask set (its transform() keeps pruned weights at zero). Returns the rows of
 * each round.
 */
export async function iterativePruning(
  masks: MaskSet,
  targets: ReadonlyArray<number>,
  retrain: (round: number, masks: MaskSet) => void | Promise<void>,
  kind: 'sparsity' | 'global' = 'sparsity',
): Promise<PruneRow[][]> {
  const rounds: PruneRow[][] = [];
  for (const [round, sparsity] of targets.entries()) {
    rounds.push(masks.prune({ kind, sparsity }));
    await retrain(round, masks);
  }
  return rounds;
}
