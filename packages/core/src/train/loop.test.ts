import { describe, expect, it } from 'vitest';
import { type EpochEvent, NonFiniteError, runTrainingLoop, type TrainingHook } from './loop.js';

describe('runTrainingLoop in step mode', () => {
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
    expect(r).toEqual({ stepsDone: 7, epochsDone: 3, rollbacks: 0, stopped: 'completed' });
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(epochs).toEqual([
      { epoch: 0, mean: 1 },
      { epoch: 1, mean: 4 },
      { epoch: 2, mean: 6 },
    ]);
    expect(saved).toEqual([4, 7]);
  });
  it('resumes from startStep inside an epoch and writes no checkpoint when nothing is left to do', () => {
    const seen: [number, number, number][] = [];
    runTrainingLoop({
      steps: 6,
      startStep: 4,
      stepsPerEpoch: 3,
      trainStep: (s, c) => {
        seen.push([s, c.epoch, c.stepInEpoch]);
        return {};
      },
    });
    expect(seen).toEqual([
      [4, 1, 1],
      [5, 1, 2],
    ]);
    const saved: number[] = [];
    const r = runTrainingLoop({
      steps: 6,
      startStep: 6,
      trainStep: () => ({}),
      checkpointEvery: 2,
      saveCheckpoint: (n) => saved.push(n),
    });
    expect(r.stepsDone).toBe(6);
    expect(saved).toEqual([]);
  });
  it('gives each step the values of its schedules', () => {
    const lrs: number[] = [];
    runTrainingLoop({
      steps: 4,
      schedules: { lr: (s) => 1 / (s + 1) },
      trainStep: (_s, c) => {
        lrs.push(c.scheduled.lr!);
        return {};
      },
    });
    expect(lrs).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
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
  it('stops when aborted', () => {
    const ac = new AbortController();
    const r = runTrainingLoop({
      steps: 10,
      signal: ac.signal,
      trainStep: (s) => {
        if (s === 2) ac.abort();
        return {};
      },
    });
    expect(r).toMatchObject({ stepsDone: 3, stopped: 'aborted' });
  });
});

describe('runTrainingLoop in epoch mode', () => {
  it('asks each epoch for its length when it starts, then validates and calls hooks in order', () => {
    const calls: string[] = [];
    const lengths = [2, 0, 3];
    const hook: TrainingHook = {
      beforeEpoch: (e, n) => calls.push(`before ${e} (${n})`),
      afterStep: (e) => calls.push(`step ${e.step} = ${e.epoch}.${e.stepInEpoch}/${e.epochSteps}`),
      afterValidation: (e) => calls.push(`validated ${e.epoch}: ${e.validation!.score}`),
      afterEpoch: (e) => {
        calls.push(`epoch ${e.epoch}: ${e.steps} steps, sum ${e.sums.rows ?? 0}`);
      },
    };
    const r = runTrainingLoop({
      epochs: 3,
      stepsPerEpoch: (e) => {
        calls.push(`plan ${e}`);
        return lengths[e]!;
      },
      trainStep: (s) => ({ rows: s + 1 }),
      validate: (e) => ({ score: 10 * e }),
      hooks: [hook],
    });
    expect(r).toEqual({ stepsDone: 5, epochsDone: 3, rollbacks: 0, stopped: 'completed' });
    expect(calls.filter((c) => c.startsWith('epoch')).length).toBe(3);
    expect(calls).toEqual([
      'plan 0',
      'before 0 (2)',
      'step 0 = 0.0/2',
      'step 1 = 0.1/2',
      'validated 0: 0',
      'epoch 0: 2 steps, sum 3',
      'plan 1',
      'before 1 (0)',
      'validated 1: 10',
      'epoch 1: 0 steps, sum 0',
      'plan 2',
      'before 2 (3)',
      'step 2 = 2.0/3',
      'step 3 = 2.1/3',
      'step 4 = 2.2/3',
      'validated 2: 20',
      'epoch 2: 3 steps, sum 12',
    ]);
  });
  it('ends after the epoch for which a hook says stop, and checkpoints the last step', () => {
    const epochs: EpochEvent[] = [];
    const saved: number[] = [];
    const asked: number[] = [];
    const r = runTrainingLoop({
      epochs: 10,
      stepsPerEpoch: 4,
      trainStep: () => ({}),
      checkpointEvery: 3,
      saveCheckpoint: (n) => saved.push(n),
      onEpoch: (e) => epochs.push(e),
      hooks: [{ shouldStop: (e) => e.epoch === 1 }, { shouldStop: (e) => asked.push(e.epoch) < 0 }],
    });
    expect(r).toEqual({ stepsDone: 8, epochsDone: 2, rollbacks: 0, stopped: 'stopped' });
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(asked).toEqual([0, 1]); // every hook is asked, also after one says stop
    expect(saved).toEqual([3, 6, 8]);
  });
  it('names the epoch of a non-finite metric', () => {
    expect(() =>
      runTrainingLoop({
        epochs: 3,
        stepsPerEpoch: 2,
        trainStep: (s) => ({ loss: s === 3 ? Number.NaN : 0 }),
      }),
    ).toThrow(/metric 'loss' is NaN at step 3 \(epoch 1\)/);
  });
  it('rejects contradictory or malformed lengths with the option named', () => {
    const trainStep = () => ({});
    expect(() => runTrainingLoop({ trainStep })).toThrow(/exactly one of steps and epochs/);
    expect(() => runTrainingLoop({ steps: 2, epochs: 2, trainStep })).toThrow(/exactly one/);
    expect(() => runTrainingLoop({ epochs: 2, trainStep })).toThrow(/needs stepsPerEpoch/);
    expect(() => runTrainingLoop({ epochs: 1.5, stepsPerEpoch: 2, trainStep })).toThrow(/epochs must be/);
    expect(() => runTrainingLoop({ steps: 4, stepsPerEpoch: 0, trainStep })).toThrow(/stepsPerEpoch must be/);
    expect(() => runTrainingLoop({ steps: 4, stepsPerEpoch: () => 2, trainStep })).toThrow(
      /only with epochs/,
    );
    expect(() => runTrainingLoop({ epochs: 2, stepsPerEpoch: () => -1, trainStep })).toThrow(
      /stepsPerEpoch\(0\) must be a whole number/,
    );
    expect(() =>
      runTrainingLoop({
        epochs: 2,
        stepsPerEpoch: 2,
        nanGuard: 'rollback',
        restoreCheckpoint: () => 0,
        trainStep,
      }),
    ).toThrow(/rollback' needs steps/);
  });
});
