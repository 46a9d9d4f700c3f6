import { describe, expect, it } from 'vitest';
import { NonFiniteError, runTrainingLoop } from './loop.js';

describe('runTrainingLoop', () => {
  it('emits step and epoch events and checkpoints on schedule', () => {
    const steps: number[] = [];
    const epochs: { epoch: number; mean: number }[] = [];
    const saved: number[] = [];
    const r = runTrainingLoop({
      steps: 7,
      stepsPerEpoch: 3,
      trainStep: (s) => ({ loss: s }),
      checkpointEvery: 4,
      saveCheckpoint: (n) => saved.push(n),
      onStep: (e) => steps.push(e.step),
      onEpoch: (e) => epochs.push({ epoch: e.epoch, mean: e.means.loss! }),
    });
    expect(r).toEqual({ stepsDone: 7, rollbacks: 0, stopped: 'completed' });
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(epochs).toEqual([
      { epoch: 0, mean: 1 },
      { epoch: 1, mean: 4 },
      { epoch: 2, mean: 6 },
    ]);
    expect(saved).toEqual([4, 7]);
  });
  it('stops on a non-finite metric by default', () => {
    expect(() =>
      runTrainingLoop({ steps: 5, trainStep: (s) => ({ loss: s === 2 ? Number.NaN : 1 }) }),
    ).toThrow(NonFiniteError);
  });
  it('rolls back to the last good checkpoint and continues', () => {
    let lastGood = 0;
    let poisoned = true;
    const seen: number[] = [];
    const rollbacks: unknown[] = [];
    const r = runTrainingLoop({
      steps: 8,
      nanGuard: 'rollback',
      checkpointEvery: 2,
      saveCheckpoint: (n) => {
        lastGood = n;
      },
      restoreCheckpoint: () => lastGood,
      onRollback: (info) => {
        rollbacks.push(info);
        poisoned = false; // e.g. lower the learning rate
      },
      trainStep: (s) => {
        seen.push(s);
        return { loss: s === 5 && poisoned ? Number.POSITIVE_INFINITY : 1 };
      },
    });
    expect(r.rollbacks).toBe(1);
    expect(rollbacks).toEqual([
      { failedStep: 5, restoredStep: 4, metric: 'loss', value: Number.POSITIVE_INFINITY },
    ]);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 4, 5, 6, 7]);
  });
  it('gives up after maxRollbacks', () => {
    expect(() =>
      runTrainingLoop({
        steps: 4,
        nanGuard: 'rollback',
        maxRollbacks: 2,
        restoreCheckpoint: () => 0,
        trainStep: () => ({ loss: Number.NaN }),
      }),
    ).toThrow(/is NaN at step 0/);
  });
});
