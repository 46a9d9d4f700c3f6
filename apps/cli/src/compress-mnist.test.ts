// MNIST for `lab compress` on tiny IDX files written here: limited splits, the 28 x 28 check, the error
// rate of a fixed prediction, and fit's batches.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '@lab/compress';
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorRate, fit, loadDigits } from './compress-mnist.js';

const root = mkdtempSync(join(tmpdir(), 'lab-compress-mnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** An MNIST-layout directory whose train split has these labels (images: pixel value = index). */
function idxDir(name: string, labels: number[], rows = 28, cols = 28): string {
  const d = join(root, name);
  mkdirSync(d);
  const n = labels.length;
  const images = Buffer.alloc(16 + n * rows * cols);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(rows, 8);
  images.writeUInt32BE(cols, 12);
  for (let i = 0; i < n; i++) images.fill(i * 20, 16 + i * rows * cols, 16 + (i + 1) * rows * cols);
  const lab = Buffer.alloc(8 + n);
  lab.writeUInt32BE(0x801, 0);
  lab.writeUInt32BE(n, 4);
  Buffer.from(labels).copy(lab, 8);
  writeFileSync(join(d, 'train-images-idx3-ubyte'), images);
  writeFileSync(join(d, 'train-labels-idx1-ubyte'), lab);
  return d;
}

describe('loadDigits', () => {
  it('takes the first `limit` images and labels, all of them without a limit or past the count', () => {
    const d = idxDir('five', [3, 1, 4, 1, 5]);
    const three = loadDigits(d, 'train', 3);
    expect(three.count).toBe(3);
    expect(Array.from(three.labels)).toEqual([3, 1, 4]);
    expect(three.images).toHaveLength(3 * 784);
    // image 2 is all 40 (scaled as core's IDX reader scales it): the same value throughout
    const img2 = three.images.subarray(2 * 784, 3 * 784);
    expect(img2.every((v) => v === img2[0])).toBe(true);
    expect(img2[0]).not.toBe(three.images[0]);
    expect(loadDigits(d, 'train').count).toBe(5);
    expect(loadDigits(d, 'train', 50).count).toBe(5);
    expect(loadDigits(d, 'train', 0).count).toBe(0);
  });

  it('refuses images that are not 28 x 28 and a directory without the split, naming it', () => {
    const small = idxDir('small', [0, 1], 4, 4);
    expect(() => loadDigits(small, 'train')).toThrow(`${small}: train images are 4x4, not 28x28`);
    expect(() => loadDigits(small, 'test')).toThrow(new RegExp(`${small}: neither t10k-images-idx3-ubyte`));
  });
});

describe('errorRate', () => {
  it('is the fraction of labels the arg max of the prediction misses', () => {
    const d = loadDigits(idxDir('rate', [0, 7, 0, 2, 0, 0, 9, 0]), 'train');
    // always class 0: wrong on the 7, the 2 and the 9
    const always0 = (x: tf.Tensor) => tf.cast(tf.oneHot(tf.zeros([x.shape[0]!], 'int32'), 10), 'float32');
    expect(errorRate(d, always0)).toBeCloseTo(3 / 8, 12);
    const always7 = (x: tf.Tensor) => tf.cast(tf.oneHot(tf.fill([x.shape[0]!], 7, 'int32'), 10), 'float32');
    expect(errorRate(d, always7)).toBeCloseTo(7 / 8, 12);
  });
});

describe('fit', () => {
  it('does nothing for 0 epochs, and otherwise one apply per batch of every epoch, leak-free', () => {
    const d = loadDigits(idxDir('fit', [1, 2, 3, 4, 5]), 'train');
    const model = buildModel('lenet-300-100');
    const params = model.trainableParameters();
    const calls: string[][] = [];
    const apply = (g: Record<string, tf.Tensor>) => {
      calls.push(Object.keys(g).sort());
    };
    const o = { batchSize: 2, seed: 1, label: 'test', quiet: true };
    fit(model, d, params, apply, { ...o, epochs: 0 });
    expect(calls).toHaveLength(0);
    const before = tf.memory().numTensors;
    fit(model, d, params, apply, { ...o, epochs: 2 });
    // 5 images in batches of 2: 3 batches an epoch
    expect(calls).toHaveLength(6);
    for (const keys of calls) expect(keys).toEqual(Object.keys(params).sort());
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
