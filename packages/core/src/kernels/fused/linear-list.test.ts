import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, Optimizer, sgd } from '../../index.js';
import { initBackend } from '../../runtime/init.js';
import { seededTensor as rand } from '../../testing/index.js';
import { LINEAR_LIST, linearList } from './linear-list.js';

// shapes like W3's parameters (smaller), plus an empty one and one off the 4-lane vectors
const SHAPES = [[78, 30], [30], [30, 10], [10], [10, 3], [3], [0], [7]];

/** Elements where a and b differ, bit for bit (0 when equal; a length mismatch counts as all). */
function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

/** SGD-momentum or Adam steps on SHAPES with fixed gradients; the parameters after them. */
function train(opt: 'sgd' | 'nesterov' | 'adam', steps: number): Float32Array[] {
  const variable = (s: number[], seed: number) => {
    const init = rand(s, seed);
    const v = tf.variable(init);
    init.dispose(); // the variable keeps the data
    return v;
  };
  const vars = Object.fromEntries(SHAPES.map((s, i) => [`p${i}`, variable(s, i + 1)]));
  const grads = Object.fromEntries(SHAPES.map((s, i) => [`p${i}`, rand(s, 100 + i)]));
  const t = opt === 'adam' ? adam(1e-3) : sgd(0.01, { momentum: 0.9, nesterov: opt === 'nesterov' });
  const o = new Optimizer(t, vars);
  for (let i = 0; i < steps; i++) o.step(grads);
  const out = Object.values(vars).map((v) => v.dataSync() as Float32Array);
  o.dispose();
  tf.dispose([...Object.values(vars), ...Object.values(grads)]);
  return out;
}

/** fn on `backend`, with the fused list kernel registered or not. */
function withoutKernel<T>(backend: string, fn: () => T): T {
  const config = tf.getKernel(LINEAR_LIST, backend)!;
  tf.unregisterKernel(LINEAR_LIST, backend);
  try {
    return fn();
  } finally {
    tf.registerKernel(config);
  }
}

describe('LabLinearList: a x + b y over a list of tensors in one kernel call', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['cpu', 'wasm'])('on %s, equals add(mul(x, a), mul(y, b)) bit for bit, with and without y', (b) => {
    tf.setBackend(b);
    const xs = SHAPES.map((s, i) => rand(s, i + 1));
    const ys = SHAPES.map((s, i) => rand(s, 50 + i));
    const before = tf.memory().numTensors;
    const got = linearList(xs, ys, 0.9, -0.37)!;
    const scaled = linearList(xs, null, -0.01)!;
    expect(tf.memory().numTensors).toBe(before + 2 * xs.length); // one output per pair, nothing else
    for (const [i, x] of xs.entries()) {
      const want = tf.tidy(() => tf.add(tf.mul(x, 0.9), tf.mul(ys[i]!, -0.37)).dataSync());
      expect(got[i]!.shape).toEqual(x.shape);
      expect(Array.from(got[i]!.dataSync())).toEqual(Array.from(want));
      expect(Array.from(scaled[i]!.dataSync())).toEqual(
        Array.from(tf.tidy(() => tf.mul(x, -0.01).dataSync())),
      );
    }
    tf.dispose([...xs, ...ys, ...got, ...scaled]);
  });

  it('rejects mismatched lists, shapes and dtypes with errors naming the pair', () => {
    tf.setBackend('wasm');
    const [a, b, c] = [tf.zeros([3]), tf.zeros([4]), tf.zeros([3], 'int32')];
    expect(() => linearList([a], [a, a], 1, 1)).toThrow(/1 tensors against 2/);
    expect(() => linearList([a, a], [a, b], 1, 1)).toThrow(/pair 1 shapes differ/);
    expect(linearList([c], null, 2)).toBeNull(); // not float32: the caller composes ops
    expect(() =>
      tf.engine().runKernel(LINEAR_LIST, { x0: a }, { a: 1, b: 1, count: 1, withY: true } as never),
    ).toThrow(/input x0 or y0 missing/);
    expect(() =>
      tf.engine().runKernel(LINEAR_LIST, { x0: c }, { a: 1, b: 0, count: 1, withY: false } as never),
    ).toThrow(/float32 tensors only, got int32 \(pair 0\)/);
    tf.dispose([a, b, c]);
  });

  it.each(['sgd', 'nesterov', 'adam'] as const)(
    '%s steps with the fused kernel equal those composed of tfjs ops, on wasm and cpu, without leaks',
    (opt) => {
      for (const b of ['wasm', 'cpu']) {
        tf.setBackend(b);
        const before = tf.memory().numTensors;
        const fused = train(opt, 3);
        const composed = withoutKernel(b, () => train(opt, 3));
        expect(tf.memory().numTensors).toBe(before);
        for (const [i, p] of fused.entries()) expect(differing(p, composed[i]!)).toBe(0);
      }
    },
  );
});
