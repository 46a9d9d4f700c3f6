// Early stopping: training ends when a metric has not improved for `patience` epochs.
import { epochMetric, type ImprovementOptions, improves } from './improvement.js';
import type { TrainingHook } from './loop.js';

export interface EarlyStoppingOptions extends ImprovementOptions {
  /** The validation metric to watch (or, without validation, a training mean). */
  metric: string;
  /** Epochs without improvement before stopping (>= 1). */
  patience: number;
}

export interface EarlyStopping extends TrainingHook {
  /** The epoch after which training was stopped, if it was. */
  readonly stoppedAfter: number | undefined;
}

export function earlyStopping({ metric, patience, ...improvement }: EarlyStoppingOptions): EarlyStopping {
  if (!Number.isInteger(patience) || patience < 1)
    throw new RangeError(`earlyStopping: patience must be a whole number >= 1, got ${patience}`);
  let best: number | undefined;
  let waited = 0;
  let stoppedAfter: number | undefined;
  return {
    get stoppedAfter() {
      return stoppedAfter;
    },
    shouldStop(e) {
      const score = epochMetric(e, metric, 'earlyStopping');
      if (improves(score, best, improvement)) {
        best = score;
        waited = 0;
        return false;
      }
      if (++waited < patience) return false;
      stoppedAfter = e.epoch;
      return true;
    },
  };
}
