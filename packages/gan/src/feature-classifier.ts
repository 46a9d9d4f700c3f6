// The feature classifier behind Fréchet distance, KID and the classifier score: a small convnet trained
// on the real data set (Fashion-MNIST's 60k training images for the shipped weights). Its 64-d
// penultimate activations play the role that Inception-v3's pool features play in FID.
import {
  adam,
  Conv2d,
  Dense,
  decodeTensor,
  Flatten,
  type ImageDataset,
  Optimizer,
  parseSafetensors,
  ReLU,
  Rng,
  Sequential,
  serializeSafetensors,
  type TensorEntry,
  valueAndGrads,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { frechetDistance, type KidOptions, kernelDistance } from './evaluation.js';

export const EVALUATOR_FEATURES = 64;

/** The evaluator's layers: 28x28x1 in [0, 1] -> conv5 s2 (16) -> conv5 s2 (32) -> 64 features -> 10 logits. */
export class Evaluator {
  readonly trunk: Sequential;
  readonly head: Dense;
  readonly classes: number;
  metadata: Record<string, string> = {};

  constructor({ seed = 0, classes = 10 }: { seed?: number; classes?: number } = {}) {
    const rng = new Rng(seed);
    this.classes = classes;
    this.trunk = new Sequential(
      [
        new Conv2d(1, 16, 5, { stride: 2, rng, name: 'conv1' }),
        ReLU(),
        new Conv2d(16, 32, 5, { stride: 2, rng, name: 'conv2' }),
        ReLU(),
        Flatten(),
        new Dense(7 * 7 * 32, EVALUATOR_FEATURES, { rng, name: 'features' }),
        ReLU(),
      ],
      'trunk',
    );
    this.head = new Dense(EVALUATOR_FEATURES, classes, { rng, name: 'head' });
  }

  private check(images: tf.Tensor4D): void {
    const [, h, w, c] = images.shape;
    if (h !== 28 || w !== 28 || c !== 1)
      throw new RangeError(`the evaluator takes [n, 28, 28, 1] images, got [${images.shape.join(', ')}]`);
  }

  /** 64-d features of images in [0, 1] (pass `range: [-1, 1]` for tanh generator output). */
  features(images: tf.Tensor4D, { range = [0, 1] as [number, number] } = {}): tf.Tensor2D {
    this.check(images);
    return tf.tidy(() => {
      const x =
        range[0] === 0 && range[1] === 1 ? images : tf.div(tf.sub(images, range[0]), range[1] - range[0]);
      return this.trunk.forward(x) as tf.Tensor2D;
    });
  }

  logits(images: tf.Tensor4D, options: { range?: [number, number] } = {}): tf.Tensor2D {
    return tf.tidy(() => this.head.forward(this.features(images, options)) as tf.Tensor2D);
  }

  /** Features of many images, computed in batches so that memory stays bounded. */
  featuresOf(images: tf.Tensor4D, { range = [0, 1] as [number, number], batch = 500 } = {}): tf.Tensor2D {
    const parts: tf.Tensor2D[] = [];
    for (let s = 0; s < images.shape[0]; s += batch) {
      const n = Math.min(batch, images.shape[0] - s);
      parts.push(tf.tidy(() => this.features(tf.slice(images, [s, 0, 0, 0], [n, -1, -1, -1]), { range })));
    }
    const out = tf.concat(parts, 0);
    tf.dispose(parts);
    return out;
  }

  /** Parameters by dotted name, prefixed `trunk.` and `head.`. */
  parameters(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const [k, v] of Object.entries(this.trunk.parameters())) out[`trunk.${k}`] = v;
    for (const [k, v] of Object.entries(this.head.parameters())) out[`head.${k}`] = v;
    return out;
  }

  toBytes(metadata: Record<string, string> = this.metadata): Uint8Array {
    const entries: Record<string, TensorEntry> = {};
    for (const [name, v] of Object.entries(this.parameters()))
      entries[name] = { dtype: 'F32', shape: v.shape, data: v.dataSync() as Float32Array };
    return serializeSafetensors(entries, metadata);
  }

  /** Loads weights written by `toBytes` (the shipped file is one); throws on a missing or misshapen tensor. */
  static fromBytes(bytes: Uint8Array): Evaluator {
    const { tensors, metadata } = parseSafetensors(bytes);
    const head = tensors['head.weight'];
    if (!head) throw new Error('not an evaluator file: it has no head.weight tensor');
    const ev = new Evaluator({ classes: head.shape[1] });
    const dict: Record<string, tf.Tensor> = {};
    for (const [name, raw] of Object.entries(tensors)) {
      const { data } = decodeTensor(raw);
      dict[name] = tf.tensor(data as Float32Array, raw.shape, 'float32');
    }
    const trunk: Record<string, tf.Tensor> = {};
    const rest: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(dict)) {
      if (k.startsWith('head.')) rest[k.slice(5)] = t;
      else if (k.startsWith('trunk.')) trunk[k.slice(6)] = t;
      else throw new Error(`not an evaluator file: unexpected tensor '${k}'`);
    }
    try {
      ev.trunk.loadStateDict(trunk);
      ev.head.loadStateDict(rest);
    } catch (e) {
      ev.dispose();
      throw e;
    } finally {
      tf.dispose(Object.values(dict));
    }
    ev.metadata = metadata;
    return ev;
  }

  dispose(): void {
    this.trunk.dispose();
    this.head.dispose();
  }
}

export interface EvaluatorTrainingOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Called after every step with the running loss (progress bars). */
  onStep?: (info: { epoch: number; step: number; steps: number; loss: number }) => void;
}

/** Pixels of selected images as a [n, 28, 28, 1] tensor in [0, 1]. */
export function imagesTensor(ds: ImageDataset, idx?: ArrayLike<number>): tf.Tensor4D {
  const px = ds.rows * ds.cols;
  const n = idx ? idx.length : ds.count;
  const xs = new Float32Array(n * px);
  for (let i = 0; i < n; i++) {
    const j = idx ? idx[i]! : i;
    for (let k = 0; k < px; k++) xs[i * px + k] = ds.images[j * px + k]! / 255;
  }
  return tf.tensor4d(xs, [n, ds.rows, ds.cols, 1]);
}

/** Trains the evaluator (Adam, softmax cross-entropy) and returns it with its metadata filled in. */
export function trainEvaluator(
  train: ImageDataset,
  { epochs = 4, batchSize = 128, lr = 2e-3, seed = 0, onStep }: EvaluatorTrainingOptions = {},
): Evaluator {
  const ev = new Evaluator({ seed });
  const vars = ev.parameters();
  const opt = new Optimizer(adam(lr), vars);
  const rng = new Rng(seed + 1);
  const steps = Math.ceil(train.count / batchSize);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(train.count);
    for (let s = 0; s < steps; s++) {
      const idx = order.subarray(s * batchSize, Math.min(train.count, (s + 1) * batchSize));
      const x = imagesTensor(train, idx);
      const y = tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            Array.from(idx, (i) => train.labels[i]!),
            'int32',
          ),
          ev.classes,
        ),
      );
      const { value, grads } = valueAndGrads(
        () => tf.losses.softmaxCrossEntropy(y, ev.logits(x)) as tf.Scalar,
        vars,
      );
      opt.step(grads);
      const loss = value.dataSync()[0]!;
      tf.dispose([x, y, value, ...Object.values(grads)]);
      if (!Number.isFinite(loss))
        throw new Error(`evaluator training diverged (loss ${loss}) at epoch ${epoch + 1}`);
      onStep?.({ epoch, step: s, steps, loss });
    }
  }
  opt.dispose();
  ev.metadata = { epochs: String(epochs), batchSize: String(batchSize), lr: String(lr), seed: String(seed) };
  return ev;
}

/** Share of images whose predicted class equals the label. */
export function evaluatorAccuracy(ev: Evaluator, ds: ImageDataset, batch = 1000): number {
  let right = 0;
  for (let s = 0; s < ds.count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, ds.count - s) }, (_, i) => s + i);
    const argmax = tf.tidy(() => tf.argMax(ev.logits(imagesTensor(ds, idx)), 1));
    const pred = argmax.dataSync();
    argmax.dispose();
    idx.forEach((j, i) => {
      if (pred[i] === ds.labels[j]) right++;
    });
  }
  return right / ds.count;
}

/**
 * Classifier score (the Inception Score's formula on the evaluator): exp(E_x KL(p(y|x) || p(y))).
 * Between 1 (every sample looks alike or is unsure) and the number of classes (confident and diverse).
 */
export function classifierScore(
  ev: Evaluator,
  images: tf.Tensor4D,
  options: { range?: [number, number] } = {},
): number {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(ev.logits(images, options));
    const p = tf.exp(logp);
    const logMarginal = tf.log(tf.add(tf.mean(p, 0), 1e-12));
    const kl = tf.sum(tf.mul(p, tf.sub(logp, logMarginal)), 1);
    return Math.exp(tf.mean(kl).dataSync()[0]!);
  });
}

export interface SampleQuality {
  fd: number;
  kid: number;
  kidStdError: number;
  classifierScore: number;
  samples: number;
}

/** FD, KID and classifier score of generated images against real ones, all on the evaluator's features. */
export function sampleQuality(
  ev: Evaluator,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
  {
    realRange = [0, 1],
    fakeRange = [-1, 1],
    kid = {},
  }: {
    realRange?: [number, number];
    fakeRange?: [number, number];
    kid?: KidOptions;
  } = {},
): SampleQuality {
  const fr = ev.featuresOf(real, { range: realRange });
  const ff = ev.featuresOf(fake, { range: fakeRange });
  try {
    const fd = frechetDistance(fr, ff);
    const k = kernelDistance(fr, ff, kid);
    return {
      fd,
      kid: k.mean,
      kidStdError: k.stdError,
      classifierScore: classifierScore(ev, fake, { range: fakeRange }),
      samples: fake.shape[0],
    };
  } finally {
    tf.dispose([fr, ff]);
  }
}
