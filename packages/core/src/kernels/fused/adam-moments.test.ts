import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { seededTensor as rand } from '../../testing/index.js';
import { ADAM_MOMENTS, fusedAdamMoments, fusedAdamMomentsList } from './adam-moments.js';

const SHAPES = [[13, 7], [5], [0], [2, 3, 4]];
const ATTRS = { b1: 0.9, b2: 0.999, c1: 1 - 0.9 ** 3, c2: 1 - 0.999 ** 3, eps: 1e-8 };

describe('LabAdamMoments over a list of tensors in one call', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['cpu', 'wasm'])('on %s, equals the one-tensor kernel on each, bit for bit', (b) => {
    tf.setBackend(b);
    const g = SHAPES.map((s, i) => rand(s, i + 1));
    const mu = SHAPES.map((s, i) => tf.mul(rand(s, 20 + i), 0.1));
    const nu = SHAPES.map((s, i) => tf.abs(rand(s, 40 + i)));
    const before = tf.memory().numTensors;
    const list = fusedAdamMomentsList(g, mu, nu, ATTRS)!;
    expect(tf.memory().numTensors).toBe(before + 3 * g.length);
    for (const [i, outs] of list.entries()) {
      const one = fusedAdamMoments(g[i]!, mu[i]!, nu[i]!, ATTRS)!;
      for (const [j, t] of outs.entries()) {
        expect(t.shape).toEqual(g[i]!.shape);
        expect(Array.from(t.dataSync())).toEqual(Array.from(one[j]!.dataSync()));
      }
      tf.dispose(one);
    }
    tf.dispose([...g, ...mu, ...nu, ...list.flat()]);
  });

  it('rejects lists of different lengths, missing inputs and mismatched shapes', () => {
    tf.setBackend('wasm');
    const [a, b] = [tf.zeros([3]), tf.zeros([4])];
    expect(() => fusedAdamMomentsList([a], [a, a], [a], ATTRS)).toThrow(/1 gradients against 2 and 1/);
    expect(() => fusedAdamMomentsList([a, a], [a, b], [a, a], ATTRS)).toThrow(/shapes differ/);
    expect(() =>
      tf.engine().runKernel(ADAM_MOMENTS, { g0: a, mu0: a }, { ...ATTRS, count: 1 } as never),
    ).toThrow(/inputs g0, mu0 and nu0 expected/);
    tf.dispose([a, b]);
  });
});
