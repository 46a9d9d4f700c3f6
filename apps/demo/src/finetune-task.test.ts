// The fine-tuning page's task: the shipped task-A network loads strictly, and task B's split gives
// every class a pool of labelled images and keeps the test images apart.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, serializeSafetensors } from '@lab/core';
import { WeightsMismatchError } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { examples, labelledIndices, loadTaskANet, POOL_PER_CLASS, taskBSplit } from './finetune-task.js';

const shipped = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'finetune-task-a.safetensors'),
);
beforeAll(() => initBackend({ backend: 'cpu' }));

describe('task B', () => {
  // 10 classes in turn: 120 images of each
  const labels = Uint8Array.from({ length: 1200 }, (_, i) => i % 10);

  it('pools the first 100 images of classes 5-9 and tests on the rest of them', () => {
    const { pool, test } = taskBSplit(labels);
    expect(pool.map((c) => c.length)).toEqual([100, 100, 100, 100, 100]);
    for (const [k, c] of pool.entries()) expect(c.every((i) => labels[i] === k + 5)).toBe(true);
    expect(test).toHaveLength(5 * 20);
    expect(test.every((i) => labels[i]! >= 5)).toBe(true);
    const pooled = new Set(pool.flat());
    expect(test.some((i) => pooled.has(i))).toBe(false);
    expect(Math.min(...test)).toBeGreaterThan(
      Math.max(...pool.flat().filter((i) => labels[i] === labels[test[0]!])),
    );
  });

  it('takes the first k pool images of every class, relabelled 0-4', () => {
    const split = taskBSplit(labels);
    const idx = labelledIndices(split, 2);
    expect(idx.map((i) => labels[i])).toEqual([5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    const set = { count: 1200, pixels: new Uint8Array(1200 * 784).fill(255), labels };
    const data = examples(set, idx);
    expect(data.x.shape).toEqual([10, 28, 28, 1]);
    expect([...data.labels]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(Math.max(...data.x.dataSync())).toBe(1);
    data.x.dispose();
    expect(() => labelledIndices(split, 0)).toThrow(/labels per class/);
    expect(() => labelledIndices(split, POOL_PER_CLASS + 1)).toThrow(/labels per class/);
  });

  it('refuses a shipped set with too few images of a class', () => {
    expect(() => taskBSplit(labels.subarray(0, 500))).toThrow(/only 50 of class 5/);
  });
});

describe('the shipped task-A network', () => {
  it('loads every tensor strictly and classifies', () => {
    const before = tf.memory().numTensors;
    const net = loadTaskANet(shipped);
    const y = tf.tidy(() => net.forward(tf.zeros([2, 28, 28, 1])));
    expect(y.shape).toEqual([2, 5]);
    y.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a file that lacks a tensor, leaving nothing behind', () => {
    const before = tf.memory().numTensors;
    const partial = serializeSafetensors({
      '0.weight': { dtype: 'F32', shape: [3, 3, 1, 8], data: new Float32Array(72) },
    });
    expect(() => loadTaskANet(partial)).toThrow(WeightsMismatchError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
