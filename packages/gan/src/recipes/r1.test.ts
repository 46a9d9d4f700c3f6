import { Dense, initBackend, LeakyReLU, Rng, Sequential, valueAndGrads } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkR1Options, r1Due, r1Penalty } from './r1.js';

describe('R1 penalty', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('is gamma / 2 * ||w||^2 for a linear D(x) = w.x + b, and its weight gradient is gamma * k * w', () => {
    const D = new Sequential([new Dense(3, 1, { rng: new Rng(1) })], 'd');
    const w = Array.from(D.parameters()['0.weight']!.dataSync());
    const norm2 = w.reduce((a, v) => a + v * v, 0);
    const real = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    const gamma = 10;
    expect(r1Penalty((x) => D.forward(x), real, gamma).dataSync()[0]!).toBeCloseTo((gamma / 2) * norm2, 5);
    // the lazy factor k scales it (StyleGAN2: every k-th update, times k)
    const k = 4;
    const { value, grads } = valueAndGrads(
      () => r1Penalty((x) => D.forward(x), real, gamma, k),
      D.parameters(),
    );
    expect(value.dataSync()[0]!).toBeCloseTo((k * gamma * norm2) / 2, 4);
    Array.from(grads['0.weight']!.dataSync()).forEach((g, i) => {
      expect(g).toBeCloseTo(gamma * k * w[i]!, 4);
    });
    // the bias does not change the input gradient, so the penalty has no gradient for it
    expect(grads['0.bias'] ? Math.abs(grads['0.bias'].dataSync()[0]!) : 0).toBe(0);
  });
  it('matches finite differences of a tiny nonlinear D, in x and in the weights', () => {
    const D = new Sequential(
      [new Dense(2, 3, { rng: new Rng(3) }), LeakyReLU(0.2), new Dense(3, 1, { rng: new Rng(4) })],
      'd',
    );
    const real = tf.tensor2d([
      [0.3, -0.7],
      [1.1, 0.4],
    ]);
    const gamma = 2;
    // ||grad_x D||^2 per sample by central differences of D's value in each input coordinate
    const h = 1e-2;
    const score = (x: number[][]) => tf.tidy(() => D.forward(tf.tensor2d(x)).dataSync());
    const rows = real.arraySync() as number[][];
    let byHand = 0;
    for (let s = 0; s < rows.length; s++) {
      let sq = 0;
      for (let j = 0; j < 2; j++) {
        const up = rows.map((r) => [...r]);
        const down = rows.map((r) => [...r]);
        up[s]![j]! += h;
        down[s]![j]! -= h;
        const d = (score(up)[s]! - score(down)[s]!) / (2 * h);
        sq += d * d;
      }
      byHand += sq / rows.length;
    }
    const penalty = (x: tf.Tensor) => r1Penalty((v) => D.forward(v), x, gamma);
    expect(penalty(real).dataSync()[0]!).toBeCloseTo((gamma / 2) * byHand, 3);
    // the weight gradient (double backprop) against central differences of the penalty in one weight
    const vars = D.parameters();
    const name = '0.weight';
    const { grads } = valueAndGrads(() => penalty(real), vars);
    const analytic = grads[name]!.dataSync();
    const values = Array.from(vars[name]!.dataSync());
    for (const i of [0, 3, 5]) {
      const at = (delta: number) => {
        const moved = [...values];
        moved[i]! += delta;
        vars[name]!.assign(tf.tensor(moved, vars[name]!.shape));
        return penalty(real).dataSync()[0]!;
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      vars[name]!.assign(tf.tensor(values, vars[name]!.shape));
      expect(analytic[i]!).toBeCloseTo(numeric, 2);
    }
  });
  it('is due every k-th discriminator update, from the first', () => {
    expect([0, 1, 2, 3, 4, 8].map((u) => r1Due(u, 4))).toEqual([true, false, false, false, true, true]);
    expect(() => checkR1Options({ gamma: 0 })).toThrow(/r1.gamma/);
    expect(() => checkR1Options({ gamma: 1, every: 1.5 })).toThrow(/r1.every/);
  });
});
