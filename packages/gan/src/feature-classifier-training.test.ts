import { type ImageDataset, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Evaluator } from './feature-classifier.js';
import { evaluatorAccuracy, trainEvaluator } from './feature-classifier-training.js';
import { imagesTensor } from './images.js';

// A synthetic two-class set instead of Fashion-MNIST (feature-classifier.test.ts uses the real data):
// class 0 lights the top half of a 28x28 image, class 1 the bottom half, with some noise.
function halves(count: number, size = 28): ImageDataset {
  const images = new Uint8Array(count * size * size);
  const labels = new Uint8Array(count);
  let s = 7;
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const lit = y < size / 2 === (labels[i] === 0);
        images[(i * size + y) * size + x] = (lit ? 200 : 20) + (s >>> 27);
      }
  }
  return { images, labels, count, rows: size, cols: size };
}

describe('trainEvaluator and evaluatorAccuracy', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('learns the two-class set in a few steps, reports every step, and records its settings', () => {
    const data = halves(16);
    const before = tf.memory().numTensors;
    const steps: string[] = [];
    const ev = trainEvaluator(data, {
      epochs: 2,
      batchSize: 8,
      lr: 5e-3,
      seed: 3,
      onStep: ({ epoch, step, steps: n, loss }) => {
        expect(Number.isFinite(loss)).toBe(true);
        steps.push(`${epoch}.${step}/${n}`);
      },
    });
    expect(steps).toEqual(['0.0/2', '0.1/2', '1.0/2', '1.1/2']);
    expect(ev.metadata).toEqual({ epochs: '2', batchSize: '8', lr: '0.005', seed: '3' });
    expect(evaluatorAccuracy(ev, halves(20))).toBe(1);
    // only the evaluator's own variables remain
    expect(tf.memory().numTensors).toBe(before + Object.keys(ev.stateDict()).length);
    ev.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluatorAccuracy counts argmax hits in any batch size', () => {
    const ev = new Evaluator({ seed: 1 });
    const data = halves(7);
    const predicted = tf.tidy(() => Array.from(tf.argMax(ev.logits(imagesTensor(data)), 1).dataSync()));
    const expected = predicted.filter((p, i) => p === data.labels[i]).length / 7;
    for (const batch of [1, 3, 1000]) expect(evaluatorAccuracy(ev, data, batch)).toBe(expected);
    // labels chosen to agree with the predictions: all right
    const agreeing = { ...data, labels: Uint8Array.from(predicted) };
    expect(evaluatorAccuracy(ev, agreeing, 2)).toBe(1);
    ev.dispose();
  });

  it('a failing step disposes the evaluator and the optimizer before rethrowing', () => {
    const wrongSize = halves(4, 27);
    const before = tf.memory().numTensors;
    expect(() => trainEvaluator(wrongSize, { epochs: 1, batchSize: 4 })).toThrow(
      'the evaluator takes [n, 28, 28, 1] images, got [4, 27, 27, 1]',
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
