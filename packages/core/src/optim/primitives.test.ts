import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { maxRelativeError } from '../testing/index.js';
import type { GradientTransformation, Params } from './gradient-transformation.js';
import {
  addDecayedWeights,
  addL1,
  clipByGlobalNorm,
  clipByValue,
  clipWeights,
  freeze,
  keepPruned,
  partition,
  scale,
  scaleByAdagrad,
  scaleByAdam,
  scaleByRms,
  traceMomentum,
} from './primitives.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** The updates of `steps` calls with the gradients `grads[i]` (one parameter 'w'). */
function updates(t: GradientTransformation<any>, p: number[], grads: number[][]): number[][] {
  return tf.tidy(() => {
    const params: Params = { w: tf.tensor1d(p) };
    let state = t.init(params);
    const out: number[][] = [];
    for (const g of grads) {
      const [u, s] = t.update({ w: tf.tensor1d(g) }, state, params);
      out.push(values(u.w!));
      state = s;
    }
    return out;
  });
}

const grads = [
  [0.5, -1, 2],
  [0.1, 0.3, -2],
  [-0.4, 0, 1],
];

describe('primitive transforms against plain references', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['cpu', 'wasm'])('scaleByAdam over three steps with bias correction (%s)', (b) => {
    tf.setBackend(b);
    const [b1, b2, eps] = [0.8, 0.9, 1e-3];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    const expected = grads.map((g, step) =>
      g.map((x, i) => {
        m[i] = b1 * m[i]! + (1 - b1) * x;
        v[i] = b2 * v[i]! + (1 - b2) * x * x;
        return m[i]! / (1 - b1 ** (step + 1)) / (Math.sqrt(v[i]! / (1 - b2 ** (step + 1))) + eps);
      }),
    );
    const got = updates(scaleByAdam({ b1, b2, eps }), [0, 0, 0], grads);
    for (const [i, row] of got.entries()) expect(maxRelativeError(row, expected[i]!)).toBeLessThan(1e-5);
  });

  it('scaleByRms and scaleByAdagrad (with an initial accumulator)', () => {
    tf.setBackend('cpu');
    const nu = [0, 0, 0];
    const rms = grads.map((g) =>
      g.map((x, i) => {
        nu[i] = 0.9 * nu[i]! + 0.1 * x * x;
        return x / (Math.sqrt(nu[i]!) + 1e-6);
      }),
    );
    const gotRms = updates(scaleByRms({ alpha: 0.9, eps: 1e-6 }), [0, 0, 0], grads);
    for (const [i, row] of gotRms.entries()) expect(maxRelativeError(row, rms[i]!)).toBeLessThan(1e-5);
    const acc = [0.5, 0.5, 0.5];
    const ada = grads.map((g) =>
      g.map((x, i) => {
        acc[i] = acc[i]! + x * x;
        return x / (Math.sqrt(acc[i]!) + 1e-10);
      }),
    );
    const gotAda = updates(scaleByAdagrad({ initialAccumulator: 0.5 }), [0, 0, 0], grads);
    for (const [i, row] of gotAda.entries()) expect(maxRelativeError(row, ada[i]!)).toBeLessThan(1e-5);
  });

  it.each(['cpu', 'wasm'])('traceMomentum: b1 = g, then m b + g; Nesterov g + m b (%s)', (b) => {
    tf.setBackend(b);
    const trace = [0, 0, 0];
    const plain: number[][] = [];
    const nesterov: number[][] = [];
    grads.forEach((g, step) => {
      g.forEach((x, i) => {
        trace[i] = step === 0 ? x : 0.7 * trace[i]! + x;
      });
      plain.push([...trace]);
      nesterov.push(g.map((x, i) => x + 0.7 * trace[i]!));
    });
    const gotPlain = updates(traceMomentum(0.7), [0, 0, 0], grads);
    const gotNesterov = updates(traceMomentum(0.7, { nesterov: true }), [0, 0, 0], grads);
    for (let i = 0; i < 3; i++) {
      expect(maxRelativeError(gotPlain[i]!, plain[i]!)).toBeLessThan(1e-6);
      expect(maxRelativeError(gotNesterov[i]!, nesterov[i]!)).toBeLessThan(1e-6);
    }
  });

  it('scale, clipByValue and clipByGlobalNorm (over all parameters together; small norms untouched)', () => {
    tf.setBackend('cpu');
    expect(updates(scale(-2), [0, 0, 0], [grads[0]!])).toEqual([[-1, 2, -4]]);
    expect(updates(clipByValue(0.75), [0, 0, 0], [grads[0]!])).toEqual([[0.5, -0.75, 0.75]]);
    tf.tidy(() => {
      const t = clipByGlobalNorm(2.6);
      const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4, 12]) }; // global norm 13
      const [u] = t.update(g, null);
      expect(maxRelativeError(values(u.a!).concat(values(u.b!)), [0.6, 0, 0.8, 2.4])).toBeLessThan(1e-6);
      const [small] = t.update({ a: tf.tensor1d([1, 1]) }, null);
      expect(values(small.a!)).toEqual([1, 1]);
    });
    for (const make of [clipByValue, clipByGlobalNorm, clipWeights]) {
      expect(() => make(0)).toThrow(RangeError);
      expect(() => make(Number.NaN)).toThrow(/must be positive, got NaN/);
    }
  });

  it('transforms that need params refuse to run without them, naming themselves', () => {
    tf.setBackend('cpu');
    tf.tidy(() => {
      const g = { w: tf.zeros([2]) };
      expect(() => addDecayedWeights(0.1).update(g, null)).toThrow('addDecayedWeights needs params');
      expect(() => addL1(0.1).update(g, null)).toThrow('addL1 needs params');
      expect(() => keepPruned({}).update(g, null)).toThrow('keepPruned needs params');
      expect(() => clipWeights(1).update(g, null)).toThrow('clipWeights needs params');
      expect(() => addDecayedWeights(0.1).update(g, null, { v: tf.zeros([2]) })).toThrow(
        "addDecayedWeights: update for 'w' has no parameter",
      );
    });
  });

  it('clipWeights honours its mask; keepPruned leaves unmasked parameters; freeze zeroes by name', () => {
    tf.setBackend('cpu');
    tf.tidy(() => {
      const params = { a: tf.tensor1d([0.9, -0.2]), b: tf.tensor1d([0.9]) };
      const g = { a: tf.tensor1d([0.5, -0.5]), b: tf.tensor1d([0.5]) };
      const [u] = clipWeights(1, (k) => k === 'a').update(g, null, params);
      expect(maxRelativeError(values(u.a!), [0.1, -0.5])).toBeLessThan(1e-6); // p + u = [1, -0.7]
      expect(values(u.b!)).toEqual([0.5]); // not clipped: 0.9 + 0.5 stays 1.4
      const [k] = keepPruned({ a: tf.tensor1d([0, 1]) }).update(g, null, params);
      expect(maxRelativeError(values(k.a!), [-0.9, -0.5])).toBeLessThan(1e-6);
      expect(values(k.b!)).toEqual([0.5]);
      const [f] = freeze((name) => name === 'b').update(g, null);
      expect(values(f.b!)).toEqual([0]);
      expect(f.a).toBe(g.a);
    });
  });

  it('partition refuses a parameter of an unknown group, naming both', () => {
    tf.setBackend('cpu');
    const t = partition({ head: scale(1) }, (k) => k.split('.')[0]!);
    tf.tidy(() => {
      expect(() => t.init({ 'body.w': tf.zeros([1]) })).toThrow(
        "partition: parameter 'body.w' maps to unknown group 'body'",
      );
      // a group with no parameter at all still gets its own state
      expect(t.init({})).toEqual({ head: null });
    });
  });
});
