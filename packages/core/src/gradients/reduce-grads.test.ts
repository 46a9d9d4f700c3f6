import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { reduceGradConfigs } from './reduce-grads.js';
import { tfjsGradConfigs } from './tfjs/gradients.js';

// The replacements must give tfjs's own gradients bit for bit (they only make the ones differently
// and divide before spreading), on every axis pattern, and stay differentiable.

const stock = (name: string) => tfjsGradConfigs.find((g) => g.kernelName === name)!;
const ours = (name: string) => reduceGradConfigs.find((g) => g.kernelName === name)!;

const cases: { shape: number[]; axis: number[] }[] = [
  { shape: [5, 3, 3, 7], axis: [0, 1, 2] }, // batch norm's leading axes, odd sizes
  { shape: [6, 13], axis: [1] }, // trailing
  { shape: [3, 5, 4], axis: [1] }, // middle
  { shape: [4, 9], axis: [0, 1] }, // everything
  { shape: [7], axis: [0] },
];

function values(n: number): number[] {
  // uneven values so that a division by the count rounds differently from value to value
  return Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3) * (1 + i / 3));
}

describe('Sum and Mean gradients without a JavaScript ones()', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['cpu', 'wasm'])('%s: the same bits as tfjs-core 4.22 gradients, no tensor left', (b) => {
    tf.setBackend(b);
    const before = tf.memory().numTensors;
    for (const name of ['Sum', 'Mean'])
      for (const { shape, axis } of cases) {
        const x = tf.tensor(values(shape.reduce((a, s) => a * s, 1)), shape);
        const kept = shape.filter((_, i) => !axis.includes(i));
        const dy = tf.tensor(
          values(kept.reduce((a, s) => a * s, 1)).map((v) => v * 3.1 + 0.7),
          kept,
        );
        const attrs = { axis, keepDims: false } as unknown as tf.NamedAttrMap;
        const want = tf.tidy(() => stock(name).gradFunc(dy, [x], attrs).x!());
        const got = tf.tidy(() => ours(name).gradFunc(dy, [x], attrs).x!());
        expect(got.shape).toEqual(shape);
        expect(got.dtype).toBe('float32');
        expect(Array.from(got.dataSync()), `${name} ${shape} over ${axis}`).toEqual(
          Array.from(want.dataSync()),
        );
        tf.dispose([x, dy, want, got]);
      }
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['cpu', 'wasm'])('%s: registered by initBackend, with a working second derivative', (b) => {
    tf.setBackend(b);
    for (const name of ['Sum', 'Mean']) expect(tf.getGradient(name)!.gradFunc).toBe(ours(name).gradFunc);
    // f(x) = mean over axis 0 of x^3, summed: f' = 3 x^2 / n; the gradient of sum(f') is 6 x / n
    const x = tf.tensor2d([
      [1, -2, 0.5],
      [3, 0.25, -1],
    ]);
    const f = (t: tf.Tensor) => tf.sum(tf.mean(tf.pow(t, 3), 0));
    const first = tf.grad(f)(x);
    const second = tf.grad((t: tf.Tensor) => tf.sum(tf.grad(f)(t)))(x);
    const xs = Array.from(x.dataSync());
    const close = (got: ArrayLike<number>, want: number[]) => {
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    };
    close(
      first.dataSync(),
      xs.map((v) => (3 * v * v) / 2),
    );
    close(
      second.dataSync(),
      xs.map((v) => (6 * v) / 2),
    );
    tf.dispose([x, first, second]);
  });
});
