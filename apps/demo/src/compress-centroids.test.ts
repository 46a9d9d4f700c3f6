// Centroid fine-tuning on a small net: the loss falls, every weight stays one of its layer's
// centroids, pruned weights stay zero, bad options are refused; leak-free.
import { MaskSet, SharedWeights } from '@lab/compress';
import { adam, Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { fitClassifier } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fineTuneCentroids } from './compress-centroids.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function setup() {
  const rng = new Rng(1);
  const net = new Sequential([new Dense(8, 16, { rng }), ReLU(), new Dense(16, 3, { rng })]);
  const x = tf.randomNormal([96, 8], 0, 1, 'float32', 2);
  // a rule the net can learn: the class is the argmax of the first three inputs
  const classes = tf.tidy(() => tf.argMax(tf.slice(x, [0, 0], [-1, 3]), 1));
  const labels = Int32Array.from(classes.dataSync());
  classes.dispose();
  // trained first, then pruned and shared coarsely (2-bit codes: 3 centroids a layer), which costs loss to win back
  fitClassifier({ module: net, data: { x, labels }, transform: adam(0.02), epochs: 20, batchSize: 16 });
  const masks = new MaskSet(net);
  masks.prune({ kind: 'sparsity', sparsity: 0.5 });
  const shared = new SharedWeights(masks.weights, { bits: 2 });
  const dispose = () => {
    shared.dispose();
    masks.dispose();
    net.dispose();
    x.dispose();
  };
  return { net, masks, shared, data: { x, labels }, dispose };
}

describe('fineTuneCentroids', () => {
  it('lowers the loss with the weights kept in the codebooks and pruned weights at zero, leak-free', () => {
    const before = tf.memory().numTensors;
    const s = setup();
    const zeros = Object.fromEntries(
      Object.entries(s.masks.weights).map(([k, w]) => [k, Array.from(w.dataSync(), (v) => v === 0)]),
    );
    const inside = tf.memory().numTensors;
    const losses = fineTuneCentroids(s.net, s.shared, s.masks.weights, s.data, {
      epochs: 8,
      batchSize: 16,
      learningRate: 0.01,
    });
    expect(tf.memory().numTensors).toBe(inside);
    expect(losses).toHaveLength(8);
    expect(losses.at(-1)!).toBeLessThan(0.9 * losses[0]!);
    for (const [k, w] of Object.entries(s.masks.weights)) {
      const values = w.dataSync();
      const centroids = new Set(s.shared.centroids[k]!.dataSync());
      const assignments = s.shared.assignments(k);
      values.forEach((v, i) => {
        expect(v === 0, `${k}[${i}]`).toBe(zeros[k]![i]);
        if (assignments[i]! >= 0) expect(centroids.has(v), `${k}[${i}]`).toBe(true);
      });
    }
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a bad epoch count or batch size, leaving nothing behind', () => {
    const s = setup();
    const inside = tf.memory().numTensors;
    for (const bad of [{ epochs: -1 }, { epochs: 1.5 }, { epochs: 1, batchSize: 0 }])
      expect(() => fineTuneCentroids(s.net, s.shared, s.masks.weights, s.data, bad)).toThrow(
        /fineTuneCentroids: (epochs|batchSize) must be a whole number/,
      );
    expect(tf.memory().numTensors).toBe(inside);
    s.dispose();
  });
});
