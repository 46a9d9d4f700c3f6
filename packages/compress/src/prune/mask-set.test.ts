import { adam, chain, Dense, initBackend, Optimizer, ReLU, Sequential, valueAndGrads } from '@lab/core';
import { dispose, mean, memory, randomNormal, square, sub, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MaskSet } from './mask-set.js';
import { applySchedule, iterativePruning, polynomialDecay } from './schedule.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function setup() {
  const model = new Sequential([new Dense(8, 16, { name: 'a' }), ReLU(), new Dense(16, 4, { name: 'b' })]);
  const x = randomNormal([32, 8], 0, 1, 'float32', 1);
  const y = randomNormal([32, 4], 0, 1, 'float32', 2);
  const step = (opt: Optimizer) =>
    tidy(() => {
      const { value, grads } = valueAndGrads(
        () => mean(square(sub(model.forward(x), y))),
        model.trainableParameters(),
      );
      opt.step(grads);
      return value.dataSync()[0]!;
    });
  return { model, x, y, step };
}

const zerosWhereMasked = (masks: MaskSet) => {
  for (const [k, m] of Object.entries(masks.masks)) {
    const w = masks.weights[k]!.dataSync();
    const md = m.dataSync();
    for (let i = 0; i < w.length; i++) if (md[i] === 0 && !Object.is(w[i], 0)) return false;
  }
  return true;
};

describe('masks through retraining', () => {
  it('keeps pruned weights exactly zero through Adam steps (core keepPruned), without leaks', () => {
    const { model, x, y, step } = setup();
    const masks = new MaskSet(model);
    masks.prune({ kind: 'sparsity', sparsity: 0.7 });
    const opt = new Optimizer(chain(adam(0.05), masks.transform()), model.trainableParameters());
    step(opt);
    const before = memory().numTensors;
    const first = step(opt);
    let last = first;
    for (let i = 0; i < 20; i++) last = step(opt);
    expect(memory().numTensors).toBe(before);
    expect(zerosWhereMasked(masks)).toBe(true);
    // the surviving weights did train
    expect(last).toBeLessThan(first);
    const zeros = Array.from(masks.weights['0.weight']!.dataSync()).filter((v) => v === 0).length;
    expect(zeros).toBe(Math.round(0.7 * 128));
    opt.dispose();
    masks.dispose();
    model.dispose();
    dispose([x, y]);
  });

  it('a polynomial-decay schedule re-prunes during training and reaches the final sparsity', () => {
    const { model, x, y, step } = setup();
    const masks = new MaskSet(model);
    const opt = new Optimizer(chain(adam(0.01), masks.transform()), model.trainableParameters());
    const schedule = polynomialDecay({
      initialSparsity: 0.2,
      finalSparsity: 0.8,
      beginStep: 0,
      endStep: 20,
      frequency: 5,
    });
    const pruneSteps: number[] = [];
    for (let s = 0; s <= 25; s++) {
      if (applySchedule(masks, schedule, s)) pruneSteps.push(s);
      step(opt);
      expect(zerosWhereMasked(masks)).toBe(true);
    }
    expect(pruneSteps).toEqual([0, 5, 10, 15, 20]);
    const kept = Array.from(masks.masks['0.weight']!.dataSync()).reduce((a, b) => a + b, 0);
    expect(kept).toBe(128 - Math.round(0.8 * 128));
    opt.dispose();
    masks.dispose();
    model.dispose();
    dispose([x, y]);
  });

  it('iterative prune-retrain only grows the masks', async () => {
    const { model, x, y, step } = setup();
    const masks = new MaskSet(model);
    const seen: number[] = [];
    const rounds = await iterativePruning(masks, [0.3, 0.6, 0.9], (_round, m) => {
      const opt = new Optimizer(chain(adam(0.01), m.transform()), model.trainableParameters());
      for (let i = 0; i < 3; i++) step(opt);
      opt.dispose();
      seen.push(Array.from(masks.weights['2.weight']!.dataSync()).filter((v) => v === 0).length);
    });
    expect(rounds.map((r) => r[0]!.sparsity)).toEqual([0.3, 0.6, 0.9].map((s) => Math.round(s * 128) / 128));
    expect(seen).toEqual([19, 38, 58]);
    masks.dispose();
    model.dispose();
    dispose([x, y]);
  });
});
