import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evaluator } from './feature-classifier.js';
import { classifierScore, sampleQuality } from './sample-quality.js';

// An untrained evaluator (seeded) is enough: the tests compare the formulas with plain arithmetic on
// its logits, and use identities (identical images score 1; a set against itself has distance 0).

const images = (n: number, seed: number) =>
  tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D;

describe('sample quality on the evaluator', () => {
  let ev: Evaluator;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', fallback: false });
    ev = new Evaluator({ seed: 2 });
    // larger head weights spread the softmax, so the score is clearly above 1
    ev.head.weight.assign(tf.tidy(() => tf.mul(ev.head.weight, 30)));
  });
  afterAll(() => ev.dispose());

  it('classifierScore is exp(mean KL(p(y|x) || p(y))), computed by hand from the logits', () => {
    const x = images(6, 1);
    const logits = tf.tidy(() => ev.logits(x).arraySync());
    const p = logits.map((row) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / z);
    });
    const marginal = p[0]!.map((_, k) => p.reduce((s, row) => s + row[k]!, 0) / p.length);
    const kl = p.map((row) => row.reduce((s, v, k) => s + (v > 0 ? v * Math.log(v / marginal[k]!) : 0), 0));
    const expected = Math.exp(kl.reduce((a, b) => a + b, 0) / kl.length);
    const before = tf.memory().numTensors;
    const score = classifierScore(ev, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(score).toBeCloseTo(expected, 3);
    expect(score).toBeGreaterThan(1.01);
    expect(score).toBeLessThanOrEqual(10);
    x.dispose();
  });

  it('classifierScore of one image repeated is 1, and the range maps inputs to [0, 1]', () => {
    const one = images(1, 2);
    const same = tf.tile(one, [5, 1, 1, 1]) as tf.Tensor4D;
    expect(classifierScore(ev, same)).toBeCloseTo(1, 5);
    const x = images(4, 3);
    const scaled = tf.tidy(() => tf.sub(tf.mul(x, 2), 1)) as tf.Tensor4D;
    expect(classifierScore(ev, scaled, { range: [-1, 1] })).toBeCloseTo(classifierScore(ev, x), 4);
    tf.dispose([one, same, x, scaled]);
  });

  it('sampleQuality of a set against itself (in the generator range): distances near 0, leak-free', () => {
    const real = images(12, 4);
    const fake = tf.tidy(() => tf.sub(tf.mul(real, 2), 1)) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const q = sampleQuality(ev, real, fake, { kid: { subsets: 2, subsetSize: 6 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(q.samples).toBe(12);
    expect(Math.abs(q.fd)).toBeLessThan(1e-2);
    expect(Math.abs(q.kid)).toBeLessThan(1e-2);
    expect(q.classifierScore).toBeCloseTo(classifierScore(ev, real), 4);
    // against other images the distance is clearly larger
    const other = tf.tidy(() => tf.sub(tf.mul(tf.square(images(12, 5)), 2), 1)) as tf.Tensor4D;
    const q2 = sampleQuality(ev, real, other, { kid: { subsets: 2, subsetSize: 6 } });
    expect(q2.fd).toBeGreaterThan(100 * Math.max(Math.abs(q.fd), 1e-4));
    tf.dispose([real, fake, other]);
  });
});
