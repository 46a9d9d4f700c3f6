// The adversarial page's logic in Node: the assets' checks (with fetch answered from memory), one
// image as floats, the prediction, and FGSM/PGD on the shipped classifier staying inside the epsilon
// ball without leaving a tensor behind.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  attack,
  CLASSES,
  classify,
  loadAdversarialAssets,
  predicted,
  type Samples,
  sampleImage,
} from './adversarial.js';

const weights = readFileSync(
  createRequire(import.meta.url).resolve('@lab/gan/assets/fashion-mnist-evaluator.safetensors'),
);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** fetch answering from `files` by the URL's end; 404 for anything else. */
function serve(files: Record<string, Uint8Array>) {
  vi.stubGlobal('fetch', async (url: string) => {
    const name = Object.keys(files).find((f) => url.endsWith(f));
    return name === undefined
      ? new Response(null, { status: 404 })
      : new Response(files[name]! as BodyInit, { status: 200 });
  });
}

const images = (n: number) => Uint8Array.from({ length: n * 784 }, (_, i) => (i * 7) % 256);

describe('loadAdversarialAssets', () => {
  it('loads the classifier and the images with their labels', async () => {
    serve({
      'fashion-mnist-evaluator.safetensors': weights,
      'test-images.bin': images(2),
      'test-labels.bin': Uint8Array.of(3, 9),
    });
    const { classifier, samples } = await loadAdversarialAssets('/x/');
    expect(samples.count).toBe(2);
    expect(Array.from(samples.labels)).toEqual([3, 9]);
    classifier.dispose();
  });

  it('names the file and what is wrong: HTTP status, image bytes, a label past the classes', async () => {
    serve({ 'fashion-mnist-evaluator.safetensors': weights, 'test-images.bin': images(1) });
    await expect(loadAdversarialAssets('/x/')).rejects.toThrow(
      '/x/data/fashion-mnist-test-labels.bin: HTTP 404',
    );
    serve({
      'fashion-mnist-evaluator.safetensors': weights,
      'test-images.bin': images(1),
      'test-labels.bin': Uint8Array.of(1, 2),
    });
    await expect(loadAdversarialAssets()).rejects.toThrow(
      'data/fashion-mnist-test-images.bin has 784 bytes, expected 2 x 784',
    );
    serve({
      'fashion-mnist-evaluator.safetensors': weights,
      'test-images.bin': images(2),
      'test-labels.bin': Uint8Array.of(1, 10),
    });
    await expect(loadAdversarialAssets()).rejects.toThrow(
      'data/fashion-mnist-test-labels.bin: label 1 is 10, not a class 0-9',
    );
  });
});

describe('images and predictions', () => {
  it('gives image i as 784 floats in [0, 1]', () => {
    const samples: Samples = { images: images(2), labels: Uint8Array.of(0, 1), count: 2 };
    const x = sampleImage(samples, 1);
    expect(x).toHaveLength(784);
    expect(x[0]).toBeCloseTo(((784 * 7) % 256) / 255, 6);
    expect(x[783]).toBeCloseTo(((1567 * 7) % 256) / 255, 6);
  });

  it('predicts the most probable class, the first of equals', () => {
    expect(predicted([0.1, 0.5, 0.2])).toBe(1);
    expect(predicted([0.3, 0.3, 0.1])).toBe(0);
    expect(CLASSES).toHaveLength(10);
  });
});

describe('attack', () => {
  it('keeps FGSM and PGD within epsilon and [0, 1], changes nothing at epsilon 0, and leaks nothing', async () => {
    serve({
      'fashion-mnist-evaluator.safetensors': weights,
      'test-images.bin': images(1),
      'test-labels.bin': Uint8Array.of(0),
    });
    const { classifier } = await loadAdversarialAssets();
    const image = sampleImage({ images: images(1), labels: Uint8Array.of(0), count: 1 }, 0);
    const before = tf.memory().numTensors;
    const probs = classify(classifier, image);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const kind of ['fgsm', 'pgd'] as const) {
      const r = attack(classifier, image, 0, { kind, epsilon: 0.05, steps: 3 });
      expect(r.linf).toBeLessThanOrEqual(0.05 + 1e-6);
      expect(r.linf).toBeGreaterThan(0);
      expect(r.adversarial.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(r.before).toEqual(probs);
      expect(r.linf).toBe(Math.max(...Array.from(r.adversarial, (v, k) => Math.abs(v - image[k]!))));
    }
    const none = attack(classifier, image, 0, { kind: 'fgsm', epsilon: 0 });
    expect(none.linf).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    classifier.dispose();
  });
});
