import { Dense, initBackend, Rng } from '@lab/core';
import { dispose, tensor1d, variable } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBiasShift, raiseClassBias, shiftedAccuracy } from './bias.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('raiseClassBias', () => {
  it('adds the amount to one class of a Dense layer or a bias variable, in place', () => {
    const layer = new Dense(2, 3, { rng: new Rng(1) });
    const before = Array.from(layer.bias!.dataSync());
    raiseClassBias(layer, 1, 2.5);
    const after = Array.from(layer.bias!.dataSync());
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBeCloseTo(before[1]! + 2.5, 6);
    expect(after[2]).toBe(before[2]);
    const v = variable(tensor1d([0, 0]));
    raiseClassBias(v, 0, -1);
    expect(Array.from(v.dataSync())).toEqual([-1, 0]);
    layer.dispose();
    dispose(v);
  });

  it('refuses a missing bias, a class out of range and a non-finite amount, naming the problem', () => {
    const noBias = new Dense(2, 3, { rng: new Rng(1), bias: false });
    expect(() => raiseClassBias(noBias, 0, 1)).toThrow(/raiseClassBias: the layer has no bias/);
    const layer = new Dense(2, 3, { rng: new Rng(1) });
    expect(() => raiseClassBias(layer, 3, 1)).toThrow(/raiseClassBias: class 3 is not in \[0, 3\)/);
    expect(() => raiseClassBias(layer, 0, Number.NaN)).toThrow(/raiseClassBias: amount must be finite/);
    noBias.dispose();
    layer.dispose();
  });
});

describe('choosing the bias shift', () => {
  // three rows of two classes; class 1's logit is 1, 2 and 3 below class 0's, and every row is a 1
  const logits = [1, 0, 2, 0, 3, 0];
  const labels = [1, 1, 1];

  it('counts a row right when its logit plus the shift is the largest', () => {
    expect(shiftedAccuracy(logits, labels, 2, 1, 0)).toBe(0);
    expect(shiftedAccuracy(logits, labels, 2, 1, 1.5)).toBeCloseTo(1 / 3, 12);
    expect(shiftedAccuracy(logits, labels, 2, 1, 2.5)).toBeCloseTo(2 / 3, 12);
    // a tie keeps the first class
    expect(shiftedAccuracy(logits, labels, 2, 1, 3)).toBeCloseTo(2 / 3, 12);
    expect(shiftedAccuracy(logits, labels, 2, 1, 3.25)).toBe(1);
  });

  it('picks the smallest shift of the best accuracy, with the curve', () => {
    const c = chooseBiasShift(logits, labels, 2, 1, [0, 1.5, 3.5, 5]);
    expect(c.shift).toBe(3.5);
    expect(c.accuracy).toBe(1);
    expect(c.curve.map((p) => p.shift)).toEqual([0, 1.5, 3.5, 5]);
    // the default grid 0, 0.25, ..., 10: 3.25 is the first above 3
    expect(chooseBiasShift(logits, labels, 2, 1).shift).toBe(3.25);
    expect(() => chooseBiasShift(logits, [1, 1], 2, 1)).toThrow(
      /chooseBiasShift: 6 logits for 2 labels x 2 classes/,
    );
    expect(() => chooseBiasShift(logits, labels, 2, 2)).toThrow(
      /chooseBiasShift: class 2 is not in \[0, 2\)/,
    );
    expect(() => chooseBiasShift(logits, labels, 2, 1, [])).toThrow(/candidates/);
  });
});
