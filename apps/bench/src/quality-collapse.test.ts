// The collapse rule on synthetic and real inputs: identical samples collapse, real training images and
// every single real class do not (the threshold sits below them), counts skip runs without a figure.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import { FILE_LIMITS, loadMnistSplit, readFileLimited } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import { Evaluator, imagesTensor } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { score } from './quality.js';
import { COLLAPSE_THRESHOLD, collapseCount, featureSpread, isCollapsed } from './quality-collapse.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('featureSpread', () => {
  it('is half the mean squared distance over all ordered pairs', () => {
    const rows = [
      [0, 0],
      [2, 0],
      [0, 4],
      [1, 1],
    ];
    let sum = 0;
    for (const a of rows) for (const b of rows) sum += (a[0]! - b[0]!) ** 2 + (a[1]! - b[1]!) ** 2;
    const f = tf.tensor2d(rows);
    expect(featureSpread(f)).toBeCloseTo(sum / rows.length ** 2 / 2, 5);
    f.dispose();
  });

  it('is 0 for identical rows and refuses fewer than 2', () => {
    const same = tf.tile(tf.tensor2d([[1, -2, 3]]), [50, 1]) as tf.Tensor2D;
    expect(featureSpread(same)).toBe(0);
    const one = tf.tensor2d([[1, 2]]);
    expect(() => featureSpread(one)).toThrow(/needs 2 or more samples, got 1/);
    tf.dispose([same, one]);
  });
});

describe('collapse counts', () => {
  it('judges a ratio against the threshold and leaves missing figures unjudged', () => {
    expect(isCollapsed(0)).toBe(true);
    expect(isCollapsed(COLLAPSE_THRESHOLD - 1e-9)).toBe(true);
    expect(isCollapsed(COLLAPSE_THRESHOLD)).toBe(false);
    expect(isCollapsed(0.9)).toBe(false);
    expect(isCollapsed(null)).toBeNull();
    expect(isCollapsed(Number.NaN)).toBeNull();
    expect(collapseCount([0.01, 0.9, null, 0.1, 1.02])).toEqual({ collapsed: 2, of: 4 });
    expect(collapseCount([null, undefined])).toBeNull();
    expect(collapseCount([])).toBeNull();
  });
});

let data: string | undefined;
try {
  data = join(findSharedData(), 'fashion-mnist');
} catch {
  data = undefined;
}

describe.skipIf(!data || !existsSync(data))('the rule on the shipped evaluator', () => {
  it('calls copies of one image collapsed, real training images and each real class alone not', () => {
    const path = createRequire(import.meta.url).resolve(
      '@lab/gan/assets/fashion-mnist-evaluator.safetensors',
    );
    const ev = Evaluator.fromBytes(readFileLimited(path, FILE_LIMITS.tensors));
    const test = loadMnistSplit(data!, 'test');
    const train = loadMnistSplit(data!, 'train');
    const before = tf.memory().numTensors;
    // the real features as the bench computes them: the 10,000 test images in [0, 1]
    const realFeatures = tf.tidy(() => ev.featuresOf(imagesTensor(test)));
    // generator-like inputs in [-1, 1]: 2,000 training images, and 500 copies of one of them
    const trainImages = tf.tidy(
      () => tf.sub(tf.mul(tf.slice(imagesTensor(train), 0, 2000), 2), 1) as tf.Tensor4D,
    );
    const copies = tf.tidy(() => tf.tile(tf.slice(trainImages, 0, 1), [500, 1, 1, 1]) as tf.Tensor4D);
    const real = score(ev, realFeatures, trainImages);
    const alike = score(ev, realFeatures, copies);
    expect(real.spread).toBeGreaterThan(0.9);
    expect(real.spread).toBeLessThan(1.1);
    expect(isCollapsed(real.spread)).toBe(false);
    expect(alike.spread).toBeLessThan(1e-6);
    expect(isCollapsed(alike.spread)).toBe(true);
    // one test class alone is far less varied than the data but not collapsed: the threshold is below each
    const labels = Array.from(test.labels);
    const all = featureSpread(realFeatures);
    const ratios = Array.from({ length: 10 }, (_, c) => {
      const f = tf.tidy(
        () =>
          tf.gather(
            realFeatures,
            labels.flatMap((l, i) => (l === c ? [i] : [])),
          ) as tf.Tensor2D,
      );
      const s = featureSpread(f) / all;
      f.dispose();
      return s;
    });
    for (const s of ratios) expect(s).toBeGreaterThan(COLLAPSE_THRESHOLD);
    expect(Math.min(...ratios)).toBeLessThan(0.2);
    expect(Math.max(...ratios)).toBeLessThan(0.6);
    tf.dispose([realFeatures, trainImages, copies]);
    expect(tf.memory().numTensors).toBe(before);
    ev.dispose();
  });
});
