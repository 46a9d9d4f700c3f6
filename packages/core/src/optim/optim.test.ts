import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adagrad,
  adam,
  adamw,
  addDecayedWeights,
  addL1,
  chain,
  clipByGlobalNorm,
  clipByValue,
  clipWeights,
  cosineSchedule,
  freeze,
  type GradientTransformation,
  keepPruned,
  Optimizer,
  oneCycleSchedule,
  partition,
  polynomialSchedule,
  rmsprop,
  scaleByLearningRate,
  sgd,
  stepSchedule,
} from '../index.js';
import { initBackend } from '../runtime/init.js';

/** Runs `steps` updates with constant gradients and returns the parameter values after each. */
function run(t: GradientTransformation<any>, p0: number[], g: number[], steps: number) {
  const v = tf.variable(tf.tensor1d(p0));
  const opt = new Optimizer(t, { w: v });
  const grad = tf.tensor1d(g);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    opt.step({ w: grad });
    out.push(Array.from(v.dataSync()));
  }
  opt.dispose();
  v.dispose();
  grad.dispose();
  return out;
}
const close = (a: number[], b: number[], digits = 6) => {
  for (const [i, x] of a.entries()) expect(x).toBeCloseTo(b[i]!, digits);
};

describe('optimizers against updates computed by hand (PyTorch semantics)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('sgd with momentum and Nesterov', () => {
    const lr = 0.1;
    const m = 0.9;
    const g = 0.5;
    // PyTorch: b1 = g, p1 = p - lr b1; b2 = m b1 + g, p2 = p1 - lr b2
    const r = run(sgd(lr, { momentum: m }), [1], [g], 2);
    close(r[0]!, [1 - lr * g]);
    close(r[1]!, [1 - lr * g - lr * (m * g + g)]);
    const n = run(sgd(lr, { momentum: m, nesterov: true }), [1], [g], 2);
    close(n[0]!, [1 - lr * (g + m * g)]);
    close(n[1]!, [1 - lr * (g + m * g) - lr * (g + m * (m * g + g))]);
    const wd = run(sgd(lr, { weightDecay: 0.1 }), [2], [g], 1);
    close(wd[0]!, [2 - lr * (g + 0.1 * 2)]);
  });
  it('adam and adamw', () => {
    const lr = 0.01;
    const g = [0.3, -2];
    const r = run(adam(lr), [1, 1], g, 2);
    // bias correction makes the first two steps -lr * g / (|g| + eps') = -lr * sign(g)
    close(r[0]!, [1 - lr, 1 + lr], 5);
    close(r[1]!, [1 - 2 * lr, 1 + 2 * lr], 5);
    const w = run(adamw(lr, { weightDecay: 0.1 }), [2], [0.3], 1);
    close(w[0]!, [2 - lr * (1 + 0.1 * 2)], 5);
  });
  it('rmsprop and adagrad', () => {
    const g = 0.5;
    const r = run(rmsprop(0.01), [1], [g], 2);
    const v1 = 0.01 * g * g;
    const v2 = 0.99 * v1 + 0.01 * g * g;
    close(r[0]!, [1 - (0.01 * g) / (Math.sqrt(v1) + 1e-8)]);
    close(r[1]!, [r[0]![0]! - (0.01 * g) / (Math.sqrt(v2) + 1e-8)]);
    const a = run(adagrad(0.1), [1], [g], 2);
    close(a[0]!, [1 - 0.1]);
    close(a[1]!, [1 - 0.1 - (0.1 * g) / Math.sqrt(2 * g * g)]);
  });
  it('clipping transforms', () => {
    const byNorm = run(chain(clipByGlobalNorm(1), scaleByLearningRate(1)), [0, 0], [3, 4], 1);
    close(byNorm[0]!, [-0.6, -0.8]);
    const byValue = run(chain(clipByValue(0.5), scaleByLearningRate(1)), [0, 0], [3, -0.2], 1);
    close(byValue[0]!, [-0.5, 0.2]);
    const weights = run(chain(scaleByLearningRate(1), clipWeights(0.01)), [0, 0.005], [-3, 0.002], 2);
    close(weights[1]!, [0.01, 0.001]);
  });
  it('pruning masks keep pruned weights exactly zero', () => {
    const v = tf.variable(tf.tensor1d([0.5, 0, -0.25]));
    const mask = tf.tensor1d([1, 0, 1]);
    const opt = new Optimizer(chain(...[adam(0.1), keepPruned({ w: mask })]), { w: v });
    for (let i = 0; i < 5; i++) opt.step({ w: tf.tensor1d([1, 1, 1]) });
    expect(v.dataSync()[1]).toBe(0);
    expect(v.dataSync()[0]).not.toBe(0.5);
  });
  it('partition gives each group its own learning rate', () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const opt = new Optimizer(
      partition({ head: sgd(1), body: sgd(0.1) }, (k) => (k.startsWith('head') ? 'head' : 'body')),
      {
        'head.w': a,
        'body.w': b,
      },
    );
    opt.step({ 'head.w': tf.tensor1d([1]), 'body.w': tf.tensor1d([1]) });
    close(Array.from(a.dataSync()), [0]);
    close(Array.from(b.dataSync()), [0.9]);
  });
  it('partition skips a group that gets no gradient: no update, its state kept as it was', () => {
    const t = partition({ head: adam(0.1), body: adam(0.1) }, (k) =>
      k.startsWith('head') ? 'head' : 'body',
    );
    const params = { 'head.w': tf.tensor1d([1]), 'body.w': tf.tensor1d([1]) };
    const s0 = t.init(params);
    const [u1, s1] = t.update({ 'head.w': tf.tensor1d([1]) }, s0, params);
    expect(Object.keys(u1)).toEqual(['head.w']);
    expect(s1.body).toBe(s0.body);
    expect(s1.head).not.toBe(s0.head);
    // the body's first step once it trains is Adam's first step (-lr), from its untouched state
    const [u2] = t.update({ 'head.w': tf.tensor1d([1]), 'body.w': tf.tensor1d([3]) }, s1, params);
    close(Array.from(u2['body.w']!.dataSync()), [-0.1]);
  });
  it('schedules', () => {
    expect(stepSchedule(1, 10, 0.5)(25)).toBe(0.25);
    expect(cosineSchedule(1, 100)(50)).toBeCloseTo(0.5, 12);
    expect(cosineSchedule(1, 100, 0.1)(100)).toBeCloseTo(0.1, 12);
    expect(polynomialSchedule(1, 0, 10, 2)(5)).toBeCloseTo(0.25, 12);
    const oc = oneCycleSchedule(1, 100);
    expect(oc(0)).toBeCloseTo(0.04, 12);
    expect(Math.max(...Array.from({ length: 100 }, (_, i) => oc(i)))).toBeCloseTo(1, 6);
    expect(oc(99)).toBeCloseTo(0.04 / 1e4, 8);
  });
  it('a training loop keeps the tensor count flat', () => {
    const v = tf.variable(tf.randomNormal([4, 3]));
    const opt = new Optimizer(chain(clipByGlobalNorm(1), adam(0.01)), { w: v });
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const g = tf.tidy(() => tf.mul(v, 2));
      opt.step({ w: g });
      g.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});

describe('more transforms', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('addL1 adds l1 * sign(p); freeze zeroes frozen updates; addDecayedWeights honours its mask', () => {
    const r = run(chain(addL1(0.1), scaleByLearningRate(1)), [2, -3, 0], [0, 0, 0], 1);
    close(r[0]!, [1.9, -2.9, 0]);
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const opt = new Optimizer(
      chain(
        freeze((k) => k === 'a'),
        addDecayedWeights(0.5, (k) => k !== 'b'),
        sgd(1),
      ),
      { a, b },
    );
    opt.step({ a: tf.tensor1d([1]), b: tf.tensor1d([1]) });
    close(Array.from(a.dataSync()), [1 - 0.5]);
    close(Array.from(b.dataSync()), [0]);
  });
});

describe('Optimizer inside an enclosing tidy', () => {
  it('keeps its state when a step is taken inside tf.tidy', async () => {
    await initBackend({ backend: 'cpu' });
    const v = tf.variable(tf.tensor1d([1, 2]));
    const opt = new Optimizer(adam(0.1), { w: v });
    tf.tidy(() => opt.step({ w: tf.tensor1d([1, 1]) }));
    expect(() => opt.step({ w: tf.tensor1d([1, 1]) })).not.toThrow();
    const state = opt.getState() as { mu: Record<string, tf.Tensor> }[];
    expect(state[0]!.mu.w!.isDisposed).toBe(false);
  });
});

describe('scaleByAdam by the fused kernel', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it.each(['cpu', 'wasm'])(
    'matches the formula in float64 over 5 steps of changing gradients (%s)',
    (backend) => {
      tf.setBackend(backend);
      expect(tf.getKernel('LabAdamMoments', backend)).toBeDefined();
      const n = 1000;
      const p0 = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
      const v = tf.variable(tf.tensor1d(Float32Array.from(p0)));
      const [lr, b1, b2, eps] = [0.01, 0.8, 0.99, 1e-8];
      const opt = new Optimizer(adam(lr, { b1, b2, eps }), { w: v });
      const p = Float64Array.from(Float32Array.from(p0));
      const m = new Float64Array(n);
      const s = new Float64Array(n);
      const before = tf.memory().numTensors;
      for (let t = 1; t <= 5; t++) {
        // gradients of every sign and scale, a few exactly zero
        const g = Float32Array.from({ length: n }, (_, i) =>
          i % 97 === 0 ? 0 : Math.cos(i * t) * 10 ** ((i % 7) - 3),
        );
        const grad = tf.tensor1d(g);
        opt.step({ w: grad });
        grad.dispose();
        for (let i = 0; i < n; i++) {
          m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
          s[i] = b2 * s[i]! + (1 - b2) * g[i]! ** 2;
          p[i] = p[i]! - (lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(s[i]! / (1 - b2 ** t)) + eps);
        }
      }
      expect(tf.memory().numTensors).toBe(before);
      const got = v.dataSync();
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i]! - p[i]!));
      expect(worst).toBeLessThan(1e-6);
      expect(() =>
        tf
          .engine()
          .runKernel('LabAdamMoments', { g: tf.zeros([2]), mu: tf.zeros([3]), nu: tf.zeros([2]) }, {}),
      ).toThrow(/shapes differ/);
      opt.dispose();
      v.dispose();
    },
  );
  it.each(['cpu', 'wasm'])(
    "keeps float32's precision at the default b2 = 0.999: 1 - b2 is not rounded in float32 (%s)",
    (backend) => {
      tf.setBackend(backend);
      // from zero weights the parameters are the summed updates, so their relative error is the
      // update's; with 1.0f - 0.999f (0.00099998713) every update came out 6.4e-6 too small
      const n = 512;
      const v = tf.variable(tf.zeros([n]));
      const [lr, b1, b2, eps] = [1e-3, 0.9, 0.999, 1e-8];
      const opt = new Optimizer(adam(lr, { b1, b2, eps }), { w: v });
      const p = new Float64Array(n);
      const m = new Float64Array(n);
      const s = new Float64Array(n);
      for (let t = 1; t <= 3; t++) {
        const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * t + 1) * 10 ** ((i % 5) - 2));
        const grad = tf.tensor1d(g);
        opt.step({ w: grad });
        grad.dispose();
        for (let i = 0; i < n; i++) {
          m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
          s[i] = b2 * s[i]! + (1 - b2) * g[i]! ** 2;
          p[i] = p[i]! - (lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(s[i]! / (1 - b2 ** t)) + eps);
        }
      }
      const got = v.dataSync();
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i]! - p[i]!) / Math.abs(p[i]!));
      expect(worst).toBeLessThan(2e-6);
      opt.dispose();
      v.dispose();
    },
  );
});
