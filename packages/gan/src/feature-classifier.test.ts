import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, Rng } from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { frechetDistance } from './evaluation.js';
import {
  classifierScore,
  Evaluator,
  evaluatorAccuracy,
  imagesTensor,
  sampleQuality,
  trainEvaluator,
} from './evaluator.js';

const shipped = () =>
  Evaluator.fromBytes(
    readFileSync(new URL('../assets/fashion-mnist-evaluator.safetensors', import.meta.url)),
  );
const fashion = () => join(findSharedData(), 'fashion-mnist');

describe('the Fashion-MNIST evaluator', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('the shipped weights load and classify the test split (88% when trained), with provenance', () => {
    const ev = shipped();
    const test = loadMnistSplit(fashion(), 'test');
    const acc = evaluatorAccuracy(ev, test);
    expect(acc).toBeGreaterThan(0.87);
    expect(Number(ev.metadata.testAccuracy)).toBeCloseTo(acc, 3);
    expect(ev.metadata.command).toMatch(/lab gan evaluator/);
    ev.dispose();
  });

  it('FD separates real from real (small) and real from corrupted images (large); scores are in range', () => {
    const ev = shipped();
    const test = loadMnistSplit(fashion(), 'test');
    const before = tf.memory().numTensors;
    const a = imagesTensor(
      test,
      Array.from({ length: 2000 }, (_, i) => i),
    );
    const b = imagesTensor(
      test,
      Array.from({ length: 2000 }, (_, i) => 5000 + i),
    );
    const blurred = tf.tidy(() => tf.avgPool(b, 5, 1, 'same') as tf.Tensor4D);
    const noise = tf.randomUniform([2000, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const fa = ev.featuresOf(a);
    const fb = ev.featuresOf(b);
    expect(fa.shape).toEqual([2000, 64]);
    const same = frechetDistance(fa, fb);
    const fblur = ev.featuresOf(blurred);
    const blur = frechetDistance(fa, fblur);
    const q = sampleQuality(ev, a, noise, { fakeRange: [0, 1], kid: { subsets: 4, subsetSize: 500 } });
    expect(same).toBeLessThan(blur / 5);
    expect(blur).toBeLessThan(q.fd);
    expect(q.kid).toBeGreaterThan(10 * q.kidStdError);
    const realScore = classifierScore(ev, a);
    expect(realScore).toBeGreaterThan(5);
    expect(realScore).toBeLessThanOrEqual(10);
    expect(q.classifierScore).toBeLessThan(realScore);
    // range handling: [-1, 1] images give the features of the same [0, 1] images
    const tanh = tf.tidy(() => tf.sub(tf.mul(a, 2), 1) as tf.Tensor4D);
    const ft = ev.featuresOf(tanh, { range: [-1, 1] });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ft, fa))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([a, b, blurred, noise, fa, fb, fblur, tanh, ft]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => ev.features(tf.zeros([1, 32, 32, 1]) as tf.Tensor4D)).toThrow(/\[n, 28, 28, 1\]/);
    ev.dispose();
  });

  it('trains from scratch (a short run learns), saves and loads bit-exactly, and rejects foreign files', () => {
    const train = loadMnistSplit(fashion(), 'train');
    const small = { ...train, count: 3000 };
    const losses: number[] = [];
    const ev = trainEvaluator(small, {
      epochs: 1,
      batchSize: 100,
      seed: 1,
      onStep: (s) => losses.push(s.loss),
    });
    expect(losses.length).toBe(30);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses[0]! * 0.6);
    const test = loadMnistSplit(fashion(), 'test');
    expect(evaluatorAccuracy(ev, { ...test, count: 1000 })).toBeGreaterThan(0.6);
    const copy = Evaluator.fromBytes(ev.toBytes());
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', new Rng(2).seed()) as tf.Tensor4D;
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(ev.logits(x), copy.logits(x)))).dataSync()[0]);
    expect(d).toBe(0);
    expect(() =>
      Evaluator.fromBytes(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])),
    ).toThrow(/no head.weight/);
    tf.dispose(x);
    ev.dispose();
    copy.dispose();
  });
});
