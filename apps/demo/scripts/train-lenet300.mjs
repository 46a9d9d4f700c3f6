#!/usr/bin/env node
// Trains the compression page's LeNet-300-100 once (784-300-100-10, ReLU, on all 60,000 MNIST
// training images) and ships it in @lab/compress's compressed format: every weight matrix shared
// through a 255-value k-means codebook (8-bit codes, linear initialisation, no pruning), biases raw,
// Huffman-coded. That is about a quarter of the float32 bytes at the same test accuracy (printed);
// the page starts its waterfall from the float32 size of these weights. (scripts/cut-mnist-subsets.mjs
// cuts the MNIST images the page ships.)
//
//   node apps/demo/scripts/train-lenet300.mjs [--data ../shared/data/mnist] [--epochs 4]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeCompressed, SharedWeights } from '@lab/compress';
import { adam, Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { evaluateClassifier, fitClassifier } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const dataDir = arg('--data', join(root, '..', '..', '..', 'shared', 'data', 'mnist'));
const epochs = Number(arg('--epochs', '4'));

const backend = await initBackend();
const rng = new Rng(3);
const net = new Sequential([
  new Dense(784, 300, { rng }),
  ReLU(),
  new Dense(300, 100, { rng }),
  ReLU(),
  new Dense(100, 10, { rng }),
]);
const load = (split) => {
  const ds = loadMnistSplit(dataDir, split);
  return {
    ds,
    data: {
      x: tf.tensor2d(
        Float32Array.from(ds.images, (v) => v / 255),
        [ds.count, 784],
      ),
      labels: Int32Array.from(ds.labels),
    },
  };
};
const train = load('train');
const test = load('test');
const started = performance.now();
fitClassifier({
  module: net,
  data: train.data,
  transform: adam(1e-3),
  epochs,
  batchSize: 128,
  seed: 4,
  onEpoch: (e) => console.log(`epoch ${e.epoch + 1}: train loss ${e.means.loss?.toFixed(4)}`),
});
const seconds = (performance.now() - started) / 1000;
const float32Accuracy = evaluateClassifier(net, test.data).accuracy;
const weights = Object.fromEntries(
  Object.entries(net.parameters()).filter(([name]) => name.endsWith('.weight')),
);
const shared = new SharedWeights(weights, { bits: 8, init: 'linear', rng: new Rng(5) });
shared.dispose();
const sharedAccuracy = evaluateClassifier(net, test.data).accuracy;
const made = {
  network: 'lenet-300-100',
  data: 'MNIST training split, 60000 images scaled to [0, 1]',
  epochs,
  optimizer: 'adam 1e-3, batch 128, seed 4, init Rng(3)',
  testAccuracyFloat32: Number(float32Accuracy.toFixed(4)),
  testAccuracyShipped: Number(sharedAccuracy.toFixed(4)),
  shipped: 'weights shared through 8-bit (255-value) k-means codebooks, linear init; biases float32',
  backend: `${backend.backend}${backend.simd ? ' simd' : ''}`,
  seconds: Number(seconds.toFixed(1)),
};
const { bytes, report } = encodeCompressed(net.stateDict(), {
  metadata: { lab_demo: JSON.stringify(made) },
});
writeFileSync(join(root, 'assets', 'lenet-300-100.ldcf'), bytes);
console.log(
  `wrote lenet-300-100.ldcf (${bytes.length} bytes, ${report.ratio.toFixed(1)}x below float32): ${JSON.stringify(made)}`,
);
tf.dispose([train.data.x, test.data.x]);
net.dispose();
