// `lab gan evaluator` (trains the feature classifier that ships in @lab/gan/assets) and `lab gan eval`
// (FD, KID and classifier score of a checkpoint's samples or of an .npy file of images).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { initBackend, parseNpy, Rng } from '@lab/core';
import { FILE_LIMITS, loadMnistSplit, readFileLimited, writeFileAtomic } from '@lab/core/node';
import {
  dcganGenerator,
  Evaluator,
  evaluatorAccuracy,
  imagesTensor,
  type SampleQuality,
  sampleQuality,
  trainEvaluator,
} from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { inFile, readDcganCheckpoint, restoreForInference } from './checkpoint-config.js';
import { embeddedDataDir } from './data.js';

import { type Progress, progress } from './progress.js';

/** Path of the evaluator weights that ship with @lab/gan. */
export function shippedEvaluatorPath(): string {
  return createRequire(import.meta.url).resolve('@lab/gan/assets/fashion-mnist-evaluator.safetensors');
}

export function loadEvaluator(path = shippedEvaluatorPath()): Evaluator {
  return inFile(path, () => Evaluator.fromBytes(readFileLimited(path, FILE_LIMITS.tensors)));
}

export async function trainEvaluatorCommand(o: {
  data: string;
  epochs: number;
  seed: number;
  out: string;
  backend: 'wasm' | 'cpu';
  quiet?: boolean;
}) {
  const started = performance.now();
  await initBackend({ backend: o.backend });
  const train = loadMnistSplit(o.data, 'train');
  const test = loadMnistSplit(o.data, 'test');
  let bar: Progress | null = null;
  let lossSum = 0;
  const ev = trainEvaluator(train, {
    epochs: o.epochs,
    seed: o.seed,
    onStep: ({ epoch, step, steps, loss }) => {
      if (step === 0) {
        bar?.done(`mean loss ${(lossSum / steps).toFixed(4)}`);
        bar = progress(`epoch ${epoch + 1}/${o.epochs}`, steps, o.quiet);
        lossSum = 0;
      }
      lossSum += loss;
      bar!.tick({ loss: loss.toFixed(4) });
    },
  });
  (bar as Progress | null)?.done(`mean loss ${(lossSum / Math.ceil(train.count / 128)).toFixed(4)}`);
  const accuracy = evaluatorAccuracy(ev, test);
  const metadata = {
    ...ev.metadata,
    testAccuracy: accuracy.toFixed(4),
    trainedOn: `${train.count} training images of ${resolve(o.data)}`,
    command: `lab gan evaluator --data <fashion-mnist dir> --epochs ${o.epochs} --seed ${o.seed}`,
  };
  writeFileAtomic(o.out, ev.toBytes(metadata));
  ev.dispose();
  return { out: o.out, accuracy, seconds: (performance.now() - started) / 1000 };
}

/** How far past [-1, 1] a sample may lie (float rounding in the peer's export). */
const IMAGE_RANGE_SLACK = 1e-3;

/** Images in [-1, 1] from an .npy file: float32 [n, 28, 28], [n, 1, 28, 28] or [n, 28, 28, 1]. */
export function npyImages(path: string): tf.Tensor4D {
  const { data, shape } = parseNpy(readFileLimited(path, FILE_LIMITS.tensors), { source: path });
  const n = shape[0] ?? 0;
  const px = shape.slice(1).reduce((a, b) => a * b, 1);
  if (n < 1 || px !== 28 * 28 || shape.length < 3)
    throw new Error(
      `${path}: expected [n, 28, 28] images (any single channel axis, n >= 1), got [${shape.join(', ')}]`,
    );
  // a [0, 1] or [0, 255] file would score as garbage without complaint; tanh outputs stay in [-1, 1]
  const outside = data.findIndex((v) => v < -1 - IMAGE_RANGE_SLACK || v > 1 + IMAGE_RANGE_SLACK);
  if (outside >= 0)
    throw new Error(`${path}: value ${outside} is ${data[outside]}, outside the [-1, 1] range of images`);
  return tf.tensor4d(data, [n, 28, 28, 1]);
}

export async function ganEval(o: {
  checkpoint?: string;
  samples?: string;
  count: number;
  data?: string;
  evaluator?: string;
  seed: number;
  backend: 'wasm' | 'cpu';
}): Promise<SampleQuality & { evaluator: string; real: string; source: string }> {
  if (!o.checkpoint === !o.samples) throw new Error('pass exactly one of --checkpoint and --samples');
  await initBackend({ backend: o.backend });
  const evaluatorPath = o.evaluator ?? shippedEvaluatorPath();
  const ev = loadEvaluator(evaluatorPath);
  const realDs = loadMnistSplit(o.data ?? embeddedDataDir(), 'test');
  const real = imagesTensor(realDs);
  let fake: tf.Tensor4D;
  if (o.checkpoint) {
    const { bytes, config } = readDcganCheckpoint(o.checkpoint);
    const G = dcganGenerator({
      width: config.width,
      latent: config.latent,
      padding: config.padding,
      rng: new Rng(0),
    });
    restoreForInference(o.checkpoint, bytes, { G });
    G.eval();
    const parts: tf.Tensor[] = [];
    for (let s = 0; s < o.count; s += 500) {
      const n = Math.min(500, o.count - s);
      parts.push(tf.tidy(() => G.forward(tf.randomNormal([n, config.latent], 0, 1, 'float32', o.seed + s))));
    }
    fake = tf.concat(parts, 0) as tf.Tensor4D;
    tf.dispose(parts);
    G.dispose();
  } else {
    fake = npyImages(o.samples!);
  }
  try {
    const q = sampleQuality(ev, real, fake, { kid: { seed: o.seed } });
    return {
      ...q,
      evaluator: evaluatorPath,
      real: `${realDs.count} images of ${o.data ?? 'the embedded Fashion-MNIST test split'}`,
      source: o.checkpoint ?? o.samples!,
    };
  } finally {
    tf.dispose([real, fake]);
    ev.dispose();
  }
}
