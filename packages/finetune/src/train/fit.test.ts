import { Dense, initBackend, Rng, Sequential, sgd } from '@lab/core';
import { dispose, memory, mul, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClassifierData } from './data.js';
import { evaluateClassifier, fitClassifier } from './fit.js';

// Two classes told apart by the sign of the first feature (8 examples, 2 features).
const xs = [
  [1, 0.5],
  [2, -1],
  [0.5, 2],
  [1.5, 0],
  [-1, 0.5],
  [-2, -1],
  [-0.5, 2],
  [-1.5, 0],
];
const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
const data = (): ClassifierData => ({ x: tensor2d(xs), labels });
const head = (seed = 1) => new Dense(2, 2, { rng: new Rng(seed), name: 'head' });

/** Mean cross-entropy and accuracy of logits = x W + b, in plain arithmetic. */
function reference(w: number[], b: number[]) {
  let loss = 0;
  let correct = 0;
  xs.forEach(([x0, x1], i) => {
    const z = [0, 1].map((o) => x0! * w[o]! + x1! * w[2 + o]! + b[o]!);
    const lse = Math.log(Math.exp(z[0]!) + Math.exp(z[1]!));
    loss += lse - z[labels[i]!]!;
    if ((z[1]! > z[0]! ? 1 : 0) === labels[i]) correct++;
  });
  return { loss: loss / xs.length, accuracy: correct / xs.length };
}

describe('evaluateClassifier', () => {
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

  it('is the mean cross-entropy and accuracy, the same in any batch size, and restores the mode', () => {
    const m = head();
    const d = data();
    const want = reference(Array.from(m.weight.dataSync()), Array.from(m.bias!.dataSync()));
    const before = memory().numTensors;
    for (const batch of [3, 8, 256]) {
      const got = evaluateClassifier(m, d, batch);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(got.accuracy).toBe(want.accuracy);
    }
    expect(memory().numTensors).toBe(before);
    expect(m.training).toBe(true);
    m.eval();
    evaluateClassifier(m, d);
    expect(m.training).toBe(false);
    m.dispose();
    d.x.dispose();
  });
});

describe('fitClassifier', () => {
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

  it('learns the separable task in a few epochs, leak-free, with one history entry per epoch', () => {
    const m = head();
    const d = data();
    const start = evaluateClassifier(m, d).loss;
    const before = memory().numTensors;
    const seen: number[] = [];
    const r = fitClassifier({
      module: m,
      data: d,
      transform: sgd(0.5),
      epochs: 4,
      batchSize: 3,
      validation: d,
      onEpoch: (e) => seen.push(e.epoch),
    });
    expect(memory().numTensors).toBe(before);
    expect(r.epochsDone).toBe(4);
    expect(r.stepsDone).toBe(4 * 3); // ceil(8 / 3) batches per epoch
    expect(r.history.map((e) => e.epoch)).toEqual(seen);
    expect(seen).toHaveLength(4);
    const last = r.history[3]!.validation!;
    expect(last.loss).toBeLessThan(start);
    expect(last.accuracy).toBe(1);
    expect(m.training).toBe(false);
    m.dispose();
    d.x.dispose();
  });

  it('the same seed gives the same weights; frozen parameters stay; augment sees each batch', () => {
    const run = (seed: number, freezeBias = false) => {
      const m = head();
      if (freezeBias) m.freeze('bias');
      const d = data();
      let rows = 0;
      fitClassifier({
        module: m,
        data: d,
        transform: sgd(0.3),
        epochs: 2,
        batchSize: 3,
        seed,
        augment: (x) => {
          rows += x.shape[0]!;
          return mul(x, 1);
        },
      });
      const out = { w: Array.from(m.weight.dataSync()), b: Array.from(m.bias!.dataSync()), rows };
      m.dispose();
      d.x.dispose();
      return out;
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6).w).not.toEqual(a.w);
    expect(a.rows).toBe(16);
    const initialBias = (() => {
      const m = head();
      const b = Array.from(m.bias!.dataSync());
      m.dispose();
      return b;
    })();
    expect(run(5, true).b).toEqual(initialBias);
  });

  it('zero epochs change nothing and leave the module in inference mode', () => {
    const m = head();
    const w = Array.from(m.weight.dataSync());
    const d = data();
    const r = fitClassifier({ module: m, data: d, transform: sgd(1), epochs: 0 });
    expect(r.stepsDone).toBe(0);
    expect(Array.from(m.weight.dataSync())).toEqual(w);
    expect(m.training).toBe(false);
    m.dispose();
    d.x.dispose();
  });

  it('refuses bad epochs, batch sizes and data, naming the option', () => {
    const m = new Sequential([head()]);
    const d = data();
    const base = { module: m, data: d, transform: sgd(1), epochs: 1 };
    expect(() => fitClassifier({ ...base, epochs: -1 })).toThrow(
      'fitClassifier: epochs must be a whole number >= 0, got -1',
    );
    expect(() => fitClassifier({ ...base, epochs: 1.5 })).toThrow(/epochs must be a whole number/);
    expect(() => fitClassifier({ ...base, batchSize: 0 })).toThrow(
      'fitClassifier: batchSize must be a whole number >= 1, got 0',
    );
    expect(() => fitClassifier({ ...base, data: { x: d.x, labels: new Int32Array(3) } })).toThrow(
      'fitClassifier: x has 8 examples but labels has 3',
    );
    expect(() => fitClassifier({ ...base, validation: { x: d.x, labels: new Int32Array(1) } })).toThrow(
      'fitClassifier validation: x has 8 examples but labels has 1',
    );
    dispose(d.x);
    m.dispose();
  });
});
