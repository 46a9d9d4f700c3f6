#!/usr/bin/env node
// Pretrains the fine-tuning page's network once, on task A of issue 19's transfer experiment:
// Fashion-MNIST classes 0-4 (T-shirt, trouser, pullover, dress, coat), all 30,000 training images of
// them. The page then gives it a new 5-class head and learns task B (classes 5-9: sandal, shirt,
// sneaker, bag, ankle boot) from a few labels per class. Writes assets/finetune-task-a.safetensors
// (float16 weights, half the bytes; the page widens them to float32) and prints task A's test accuracy.
//
//   node apps/demo/scripts/pretrain-finetune-body.mjs [--data ../shared/data/fashion-mnist] [--epochs 3]
//
// The network (src/finetune-net.ts builds the same one; the page checks every name and shape):
// Conv(1->8, 3x3, stride 2) ReLU Conv(8->16, 3x3, stride 2) ReLU Flatten Dense(784->64) ReLU Dense(64->5).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adam,
  Conv2d,
  Dense,
  Flatten,
  float16Bits,
  initBackend,
  ReLU,
  Rng,
  Sequential,
  serializeSafetensors,
} from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { evaluateClassifier, fitClassifier } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const dataDir = arg('--data', join(root, '..', '..', '..', 'shared', 'data', 'fashion-mnist'));
const epochs = Number(arg('--epochs', '3'));
const out = join(root, 'assets', 'finetune-task-a.safetensors');

const backend = await initBackend();
const rng = new Rng(1);
const net = new Sequential([
  new Conv2d(1, 8, 3, { stride: 2, padding: 1, rng }),
  ReLU(),
  new Conv2d(8, 16, 3, { stride: 2, padding: 1, rng }),
  ReLU(),
  Flatten(),
  new Dense(784, 64, { rng }),
  ReLU(),
  new Dense(64, 5, { rng }),
]);

/** The examples of classes 0-4 of a split, images scaled to [0, 1]. */
function taskA(split) {
  const ds = loadMnistSplit(dataDir, split);
  const keep = [];
  for (let i = 0; i < ds.count; i++) if (ds.labels[i] < 5) keep.push(i);
  const images = new Float32Array(keep.length * 784);
  keep.forEach((i, k) => {
    for (let p = 0; p < 784; p++) images[k * 784 + p] = ds.images[i * 784 + p] / 255;
  });
  return {
    x: tf.tensor4d(images, [keep.length, 28, 28, 1]),
    labels: Int32Array.from(keep, (i) => ds.labels[i]),
  };
}

const train = taskA('train');
const test = taskA('test');
const started = performance.now();
fitClassifier({
  module: net,
  data: train,
  transform: adam(1e-3),
  epochs,
  batchSize: 64,
  seed: 2,
  validation: test,
  onEpoch: (e) =>
    console.log(
      `epoch ${e.epoch + 1}: train loss ${e.means.loss?.toFixed(4)}, task A test accuracy ${e.validation?.accuracy?.toFixed(4)}`,
    ),
});
const seconds = (performance.now() - started) / 1000;
const { accuracy } = evaluateClassifier(net, test);
const tensors = {};
for (const [name, t] of Object.entries(net.stateDict()))
  tensors[name] = { dtype: 'F16', shape: t.shape, data: float16Bits(t.dataSync()) };
const made = {
  network: 'conv8-conv16-dense64-dense5',
  task: 'Fashion-MNIST classes 0-4 (task A), training split',
  trainingImages: train.labels.length,
  epochs,
  optimizer: 'adam 1e-3, batch 64, seed 2, init Rng(1)',
  taskATestAccuracy: Number(accuracy.toFixed(4)),
  backend: `${backend.backend}${backend.simd ? ' simd' : ''}`,
  seconds: Number(seconds.toFixed(1)),
};
writeFileSync(out, serializeSafetensors(tensors, { lab_demo: JSON.stringify(made) }));
console.log(`wrote ${out}: ${JSON.stringify(made)}`);
tf.dispose([train.x, test.x]);
net.dispose();
