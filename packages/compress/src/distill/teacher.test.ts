import { Dense, Dropout, initBackend, Rng, Sequential } from '@lab/core';
import { dispose, div, memory, randomNormal, softmax, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBiasShift, raiseClassBias, shiftedAccuracy } from './bias.js';
import { dropoutTeacher, ensembleTeacher } from './teacher.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('teachers', () => {
  it('an ensemble averages probabilities, or logits before the softmax', () => {
    const nets = [1, 2, 3].map((s) => new Sequential([new Dense(5, 4, { rng: new Rng(s) })]));
    const x = randomNormal([6, 5], 0, 1, 'float32', 9);
    const T = 3;
    const logits = nets.map((n) => n.forward(x).arraySync() as number[][]);
    const soft = (row: number[]) => {
      const e = row.map((v) => Math.exp(v / T));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    };
    const wantProb = logits[0]!.flatMap((_, i) =>
      soft(logits[0]![i]!).map((_, c) => logits.reduce((a, l) => a + soft(l[i]!)[c]!, 0) / 3),
    );
    const wantLogit = logits[0]!.flatMap((_, i) =>
      soft(logits[0]![i]!.map((_, c) => logits.reduce((a, l) => a + l[i]![c]!, 0) / 3)),
    );
    const before = memory().numTensors;
    const p = ensembleTeacher(nets).targets(x, T);
    const l = ensembleTeacher(nets, { space: 'logits' }).targets(x, T);
    expect(memory().numTensors).toBe(before + 2);
    expect(maxAbsDiff(p.dataSync(), wantProb)).toBeLessThan(1e-6);
    expect(maxAbsDiff(l.dataSync(), wantLogit)).toBeLessThan(1e-6);
    expect(maxAbsDiff(p.dataSync(), l.dataSync())).toBeGreaterThan(1e-4);
    expect(() => ensembleTeacher([])).toThrow(/at least one/);
    expect(() => ensembleTeacher(nets, { space: 'geometric' as never })).toThrow(/space/);
    expect(() => ensembleTeacher(nets).targets(x, 0)).toThrow(/temperature/);
    dispose([x, p, l]);
    for (const n of nets) n.dispose();
  });

  it('a dropout teacher is the weight-scaled net with 0 samples, an average of masks otherwise, and keeps the mode', () => {
    const net = new Sequential([
      new Dense(6, 20, { rng: new Rng(1) }),
      new Dropout(0.5, { rng: new Rng(2) }),
      new Dense(20, 3, { rng: new Rng(3) }),
    ]);
    net.train(true);
    const x = randomNormal([10, 6], 0, 1, 'float32', 4);
    const scaledWant = tidy(() => softmax(div(net.eval().forward(x), 2)));
    net.train(true);
    const scaled = dropoutTeacher(net).targets(x, 2);
    expect(net.training).toBe(true);
    expect(maxAbsDiff(scaled.dataSync(), scaledWant.dataSync())).toBeLessThan(1e-6);
    const before = memory().numTensors;
    const sampled = dropoutTeacher(net, { samples: 50 }).targets(x, 2);
    expect(memory().numTensors).toBe(before + 1);
    expect(net.training).toBe(true);
    const rows = sampled.arraySync() as number[][];
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // 50 masks average out close to (not exactly at) the weight-scaled net
    const gap = maxAbsDiff(sampled.dataSync(), scaled.dataSync());
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(0.3);
    expect(() => dropoutTeacher(net, { samples: -1 })).toThrow(/samples/);
    dispose([x, scaledWant, scaled, sampled]);
    net.dispose();
  });
});

describe('omitted-class bias', () => {
  it('raises one class bias by the amount, in place', () => {
    const d = new Dense(3, 4, { rng: new Rng(1) });
    const b0 = Array.from(d.bias!.dataSync());
    raiseClassBias(d, 2, 3.5);
    const b1 = Array.from(d.bias!.dataSync());
    expect(b1.map((v, i) => v - b0[i]!)).toEqual([0, 0, Math.fround(b0[2]! + 3.5) - b0[2]!, 0]);
    raiseClassBias(d.bias!, 0, -1);
    expect(d.bias!.dataSync()[0]).toBeCloseTo(b0[0]! - 1, 6);
    expect(() => raiseClassBias(d, 4, 1)).toThrow(/class 4/);
    expect(() => raiseClassBias(d, 0, Number.NaN)).toThrow(/finite/);
    expect(() => raiseClassBias(new Dense(2, 2, { bias: false }), 0, 1)).toThrow(/no bias/);
    d.dispose();
  });

  it('chooses the shift that maximises held-out accuracy', () => {
    // class 2's logit is too low on both examples of class 2; a shift over 1.5 breaks classes 0 and 1
    const logits = [3, 0, 1.5, 0, 3, 1.5, 2, 0, 1.5, 0, 1.2, 1.0];
    const labels = [0, 1, 2, 2];
    expect(shiftedAccuracy(logits, labels, 3, 2, 0)).toBe(0.5);
    const choice = chooseBiasShift(logits, labels, 3, 2, [0, 0.5, 1, 1.5, 2, 4]);
    expect(choice.shift).toBe(1);
    expect(choice.accuracy).toBe(1);
    expect(choice.curve.map((c) => c.accuracy)).toEqual([0.5, 0.75, 1, 1, 0.5, 0.5]);
    expect(() => chooseBiasShift(logits, labels, 4, 2)).toThrow(/logits/);
    expect(() => chooseBiasShift(logits, labels, 3, 3)).toThrow(/class 3/);
    expect(() => chooseBiasShift(logits, labels, 3, 1, [])).toThrow(/candidates/);
  });
});
