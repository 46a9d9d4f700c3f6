import { describe, expect, it } from 'vitest';
import { earlyStopping } from './early-stopping.js';
import { runTrainingLoop } from './loop.js';

function run(scores: number[], stopper: ReturnType<typeof earlyStopping>, withValidation = true) {
  const epochs: number[] = [];
  const r = runTrainingLoop({
    epochs: scores.length,
    stepsPerEpoch: 2,
    trainStep: (s) => ({ loss: scores[Math.floor(s / 2)]! }),
    validate: withValidation ? (e) => ({ las: scores[e]! }) : undefined,
    onEpoch: (e) => epochs.push(e.epoch),
    hooks: [stopper],
  });
  return { r, epochs };
}

describe('earlyStopping', () => {
  it('stops after `patience` epochs without improvement', () => {
    // best at epoch 2; epochs 3 and 4 do not beat it, so patience 2 stops after epoch 4
    const stopper = earlyStopping({ metric: 'las', patience: 2 });
    const { r, epochs } = run([0.5, 0.6, 0.7, 0.69, 0.7, 0.9, 0.95], stopper);
    expect(epochs).toEqual([0, 1, 2, 3, 4]);
    expect(stopper.stoppedAfter).toBe(4);
    expect(r).toMatchObject({ stopped: 'stopped', epochsDone: 5, stepsDone: 10 });
  });
  it('an improvement resets the wait; runs to the end when it never runs out of patience', () => {
    const stopper = earlyStopping({ metric: 'las', patience: 2 });
    const { r, epochs } = run([0.5, 0.4, 0.6, 0.5, 0.7], stopper);
    expect(epochs).toEqual([0, 1, 2, 3, 4]);
    expect(stopper.stoppedAfter).toBeUndefined();
    expect(r.stopped).toBe('completed');
  });
  it("watches a training mean in 'min' mode with minDelta when there is no validation", () => {
    // 0.95 is not below 1 - 0.1, so epochs 1 and 2 wait; patience 2 stops after epoch 2
    const stopper = earlyStopping({ metric: 'loss', patience: 2, mode: 'min', minDelta: 0.1 });
    const { epochs } = run([1, 0.95, 0.92, 0.5], stopper, false);
    expect(epochs).toEqual([0, 1, 2]);
    expect(stopper.stoppedAfter).toBe(2);
  });
  it('rejects a patience below 1 and a metric the epochs do not report', () => {
    expect(() => earlyStopping({ metric: 'las', patience: 0 })).toThrow(
      /patience must be a whole number >= 1/,
    );
    expect(() => run([0.5], earlyStopping({ metric: 'uas', patience: 1 }))).toThrow(
      /earlyStopping: epoch 0 reported no metric 'uas'/,
    );
  });
});
