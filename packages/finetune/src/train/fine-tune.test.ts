import { Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { argMax, dispose, matMul, memory, randomNormal, type Tensor, tidy } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifierData } from './data.js';
import { fineTune } from './fine-tune.js';
import { evaluateClassifier } from './fit.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const net = () =>
  new Sequential([
    new Dense(6, 8, { rng: new Rng(1) }),
    ReLU(),
    new Dense(8, 8, { rng: new Rng(2) }),
    ReLU(),
    new Dense(8, 3, { rng: new Rng(3) }),
  ]);
const snapshot = (m: Sequential) =>
  Object.fromEntries(Object.entries(m.parameters()).map(([k, v]) => [k, Array.from(v.dataSync())]));
const changed = (a: Record<string, number[]>, b: Record<string, number[]>) =>
  Object.keys(a).filter((k) => a[k]!.some((v, i) => v !== b[k]![i]));

/** Labels a fixed linear map can tell apart: argmax(x W). */
function learnable(n: number, seed: number): ClassifierData {
  const x = randomNormal([n, 6], 0, 1, 'float32', seed);
  const labels = tidy(() => argMax(matMul(x, randomNormal([6, 3], 0, 1, 'float32', 99)), -1));
  const out = { x, labels: Int32Array.from(labels.dataSync()) };
  labels.dispose();
  return out;
}
let data: ClassifierData;
let held: ClassifierData;
beforeAll(() => {
  data = learnable(64, 1);
  held = learnable(32, 2);
});
afterAll(() => dispose([data.x, held.x] as Tensor[]));

describe('fineTune', () => {
  it("'probe' trains the head only, 'full' every layer, 'gradual' from the top down; none leaks", () => {
    const runs = { probe: 1, full: 1, gradual: 2 } as const;
    const moved: Record<string, string[]> = {};
    for (const [strategy, epochs] of Object.entries(runs)) {
      const m = net();
      const before = snapshot(m);
      const tensors = memory().numTensors;
      const result = fineTune(m, data, {
        strategy: strategy as keyof typeof runs,
        epochs,
        lr: 0.01,
        batchSize: 16,
      });
      expect(memory().numTensors).toBe(tensors);
      expect(result.epochsDone).toBe(epochs);
      expect(result.best).toBeUndefined();
      moved[strategy] = changed(before, snapshot(m));
      m.dispose();
    }
    expect(moved).toEqual({
      probe: ['4.weight', '4.bias'],
      full: ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'],
      gradual: ['2.weight', '2.bias', '4.weight', '4.bias'],
    });
  });

  it('learns, and ends with the weights of its best validation epoch', () => {
    const m = net();
    const result = fineTune(m, data, {
      strategy: 'full',
      epochs: 15,
      lr: 0.05,
      batchSize: 16,
      validation: held,
      patience: 4,
    });
    const losses = result.history.map((e) => e.validation!.loss!);
    expect(result.best!.score).toBe(Math.min(...losses));
    expect(evaluateClassifier(m, held).loss).toBeCloseTo(result.best!.score, 6);
    expect(losses[result.best!.epoch]!).toBeLessThan(losses[0]!);
    m.dispose();
  });

  it('holds out a fraction for validation when asked', () => {
    const m = net();
    const tensors = memory().numTensors;
    const result = fineTune(m, data, { strategy: 'gradual', epochs: 3, validation: 0.25 });
    expect(memory().numTensors).toBe(tensors);
    expect(result.history.every((e) => e.validation?.accuracy !== undefined)).toBe(true);
    expect(result.best).toBeDefined();
    m.dispose();
  });

  it('refuses bad input with a message naming it', () => {
    const m = net();
    expect(() => fineTune(m, data, { strategy: 'lora' as never, epochs: 1 })).toThrow(
      /strategy must be one of/,
    );
    expect(() => fineTune(m, data, { strategy: 'full', epochs: 1, patience: 2 })).toThrow(
      /patience needs validation/,
    );
    expect(() => fineTune(m, data, { strategy: 'full', epochs: 1, weightDecay: -1 })).toThrow(
      /weightDecay must be >= 0/,
    );
    expect(() => fineTune(m, data, { strategy: 'probe', epochs: 1, augment: (x) => x.clone() })).toThrow(
      /augment cannot be used with 'probe'/,
    );
    expect(() =>
      fineTune(m, { x: data.x, labels: new Int32Array(0) }, { strategy: 'full', epochs: 1 }),
    ).toThrow(/64 examples but labels has 0/);
    const lone = new Dense(6, 3);
    expect(() => fineTune(lone, data, { strategy: 'full', epochs: 1 })).toThrow(/must be a Sequential/);
    lone.dispose();
    m.dispose();
  });

  it("'scratch' forgets the pretrained weights: two differently pretrained nets end the same", () => {
    const a = net();
    const b = new Sequential([
      new Dense(6, 8, { rng: new Rng(7) }),
      ReLU(),
      new Dense(8, 8, { rng: new Rng(8) }),
      ReLU(),
      new Dense(8, 3, { rng: new Rng(9) }),
    ]);
    const before = snapshot(a);
    const tensors = memory().numTensors;
    const o = {
      strategy: 'scratch',
      epochs: 2,
      lr: 0.01,
      batchSize: 16,
      seed: 3,
      weightDecay: 0.01,
    } as const;
    fineTune(a, data, o);
    fineTune(b, data, o);
    expect(memory().numTensors).toBe(tensors);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(changed(before, snapshot(a))).toHaveLength(6);
    a.dispose();
    b.dispose();
  });

  it('feeds every training batch through augment, and only training batches', () => {
    const m = net();
    const seen: number[] = [];
    const epochs: number[] = [];
    const tensors = memory().numTensors;
    fineTune(m, data, {
      hooks: [{ afterEpoch: (e) => epochs.push(e.epoch) }],
      strategy: 'full',
      epochs: 2,
      batchSize: 16,
      validation: held,
      augment: (x) => {
        seen.push(x.shape[0]!);
        return x.clone();
      },
    });
    expect(memory().numTensors).toBe(tensors);
    expect(seen).toEqual([16, 16, 16, 16, 16, 16, 16, 16]);
    expect(epochs).toEqual([0, 1]); // and the caller's hooks see every epoch
    m.dispose();
  });
});
