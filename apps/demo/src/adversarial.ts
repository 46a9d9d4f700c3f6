// Adversarial examples against the Fashion-MNIST classifier that ships with @lab/gan (its evaluator
// network): FGSM and PGD from @lab/gan on one image, the prediction before and after.
import { Evaluator, FASHION_MNIST_CLASSES, fgsm, pgd } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';

/** The class names, in label order. */
export const CLASSES = FASHION_MNIST_CLASSES;

const PIXELS = 28 * 28;

export interface Samples {
  /** count x 784 grey levels, 0..255. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** The classifier and the test images the build copies next to the page. */
export async function loadAdversarialAssets(
  base = './',
): Promise<{ classifier: Evaluator; samples: Samples }> {
  const [weights, images, labels] = await Promise.all([
    fetchBytes(`${base}models/fashion-mnist-evaluator.safetensors`),
    fetchBytes(`${base}data/fashion-mnist-test-images.bin`),
    fetchBytes(`${base}data/fashion-mnist-test-labels.bin`),
  ]);
  if (images.length !== labels.length * PIXELS)
    throw new Error(
      `data/fashion-mnist-test-images.bin has ${images.length} bytes, expected ${labels.length} x ${PIXELS}`,
    );
  for (let i = 0; i < labels.length; i++)
    if (labels[i]! >= CLASSES.length)
      throw new Error(`data/fashion-mnist-test-labels.bin: label ${i} is ${labels[i]}, not a class 0-9`);
  return { classifier: Evaluator.fromBytes(weights), samples: { images, labels, count: labels.length } };
}

/** Image i as 784 floats in [0, 1]. */
export function sampleImage(samples: Samples, i: number): Float32Array {
  return Float32Array.from(samples.images.subarray(i * PIXELS, (i + 1) * PIXELS), (v) => v / 255);
}

export type AttackKind = 'fgsm' | 'pgd';

export interface AttackResult {
  label: number;
  /** Class probabilities before and after the attack. */
  before: number[];
  after: number[];
  adversarial: Float32Array;
  /** max |adversarial - image|: at most epsilon. */
  linf: number;
}

const argmax = (p: ArrayLike<number>) => Array.from(p).reduce((b, v, i, a) => (v > a[b]! ? i : b), 0);
export const predicted = argmax;

/** Class probabilities of one image (784 floats in [0, 1]). */
export function classify(classifier: Evaluator, image: Float32Array): number[] {
  return tf.tidy(() =>
    Array.from(tf.softmax(classifier.logits(tf.tensor4d(image, [1, 28, 28, 1]))).dataSync()),
  );
}

/** Attacks one image with its true label; every tensor it makes is disposed. */
export function attack(
  classifier: Evaluator,
  image: Float32Array,
  label: number,
  {
    kind,
    epsilon,
    steps = 10,
    seed = 0,
  }: { kind: AttackKind; epsilon: number; steps?: number; seed?: number },
): AttackResult {
  const logits = (x: tf.Tensor) => classifier.logits(x as tf.Tensor4D);
  const adversarial = tf.tidy(() => {
    const x = tf.tensor4d(image, [1, 28, 28, 1]);
    const y = tf.tensor1d([label], 'int32');
    const adv =
      kind === 'fgsm' ? fgsm(logits, x, y, { epsilon }) : pgd(logits, x, y, { epsilon, steps, seed });
    return adv.dataSync() as Float32Array;
  });
  let linf = 0;
  for (let k = 0; k < image.length; k++) linf = Math.max(linf, Math.abs(adversarial[k]! - image[k]!));
  return {
    label,
    before: classify(classifier, image),
    after: classify(classifier, adversarial),
    adversarial,
    linf,
  };
}
