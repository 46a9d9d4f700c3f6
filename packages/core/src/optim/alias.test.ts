import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { maxRelativeError } from '../testing/index.js';
import { adagrad, adam, adamw, rmsprop, sgd } from './alias.js';
import type { GradientTransformation } from './gradient-transformation.js';
import { Optimizer } from './optimizer.js';

// Each named optimizer over four steps of changing gradients against a plain loop written from
// PyTorch's documented update rules, with every option the alias wires in.

const grads = [
  [0.5, -1],
  [0.2, 0.4],
  [-0.3, 1.5],
  [1, -0.1],
];
const p0 = [1, -2];

function trajectory(t: GradientTransformation<any>): number[][] {
  const w = tf.variable(tf.tensor1d(p0));
  const opt = new Optimizer(t, { w });
  const out: number[][] = [];
  for (const g of grads) {
    const gt = tf.tensor1d(g);
    opt.step({ w: gt });
    gt.dispose();
    out.push(Array.from(w.dataSync()));
  }
  opt.dispose();
  w.dispose();
  return out;
}

/** A reference: `update(p, g, i, step)` returns the new p_i. */
function reference(update: (p: number[], g: number[], i: number, step: number) => number): number[][] {
  const p = [...p0];
  return grads.map((g, step) => {
    const next = p.map((_, i) => update(p, g, i, step));
    p.splice(0, p.length, ...next);
    return [...p];
  });
}

function expectClose(got: number[][], want: number[][]) {
  for (const [i, row] of got.entries()) expect(maxRelativeError(row, want[i]!)).toBeLessThan(1e-5);
}

describe('named optimizers', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('sgd with weight decay, Nesterov momentum and a schedule', () => {
    const buf = [0, 0];
    const lr = (s: number) => 0.1 / (s + 1);
    expectClose(
      trajectory(sgd(lr, { momentum: 0.9, nesterov: true, weightDecay: 0.01 })),
      reference((p, g, i, s) => {
        const d = g[i]! + 0.01 * p[i]!;
        buf[i] = s === 0 ? d : 0.9 * buf[i]! + d;
        return p[i]! - lr(s) * (d + 0.9 * buf[i]!);
      }),
    );
    // plain sgd is p - lr g
    expectClose(
      trajectory(sgd(0.5)),
      reference((p, g, i) => p[i]! - 0.5 * g[i]!),
    );
  });

  it('adam with coupled weight decay and adamw with decoupled decay', () => {
    const adamRef = (decoupled: boolean, wd: number) => {
      const m = [0, 0];
      const v = [0, 0];
      return reference((p, g, i, s) => {
        const d = decoupled ? g[i]! : g[i]! + wd * p[i]!;
        m[i] = 0.9 * m[i]! + 0.1 * d;
        v[i] = 0.999 * v[i]! + 0.001 * d * d;
        const step = m[i]! / (1 - 0.9 ** (s + 1)) / (Math.sqrt(v[i]! / (1 - 0.999 ** (s + 1))) + 1e-8);
        return p[i]! - 0.05 * (step + (decoupled ? wd * p[i]! : 0));
      });
    };
    expectClose(trajectory(adam(0.05, { weightDecay: 0.1 })), adamRef(false, 0.1));
    expectClose(trajectory(adamw(0.05)), adamRef(true, 0.01));
    expectClose(trajectory(adamw(0.05, { weightDecay: 0.3 })), adamRef(true, 0.3));
  });

  it('rmsprop with momentum', () => {
    const v = [0, 0];
    const buf = [0, 0];
    expectClose(
      trajectory(rmsprop(0.01, { alpha: 0.9, momentum: 0.5 })),
      reference((p, g, i, s) => {
        v[i] = 0.9 * v[i]! + 0.1 * g[i]! ** 2;
        const d = g[i]! / (Math.sqrt(v[i]!) + 1e-8);
        buf[i] = s === 0 ? d : 0.5 * buf[i]! + d;
        return p[i]! - 0.01 * buf[i]!;
      }),
    );
  });

  it('adagrad with an initial accumulator and weight decay', () => {
    const acc = [0.1, 0.1];
    expectClose(
      trajectory(adagrad(0.2, { initialAccumulator: 0.1, weightDecay: 0.05 })),
      reference((p, g, i) => {
        const d = g[i]! + 0.05 * p[i]!;
        acc[i] = acc[i]! + d * d;
        return p[i]! - (0.2 * d) / (Math.sqrt(acc[i]!) + 1e-10);
      }),
    );
  });

  it('leaves out the parts an option turns off', () => {
    expect((sgd(0.1).init({}) as unknown[]).length).toBe(1);
    expect((sgd(0.1, { momentum: 0.9, weightDecay: 1e-4 }).init({}) as unknown[]).length).toBe(3);
    expect((adam(0.1).init({}) as unknown[]).length).toBe(2);
    expect((rmsprop(0.1).init({}) as unknown[]).length).toBe(2);
    expect((adagrad(0.1, { weightDecay: 0.1 }).init({}) as unknown[]).length).toBe(3);
  });
});
