import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../random/rng.js';
import { initBackend } from '../../runtime/init.js';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { BERNOULLI_MASK, bernoulliMask } from './bernoulli-mask.js';

// The kernel must give Rng.fillBernoulli's bits on both backends: the SIMD lanes (four states a
// step, each from its index) against the serial stream, over lengths around the vector width, seeds
// at the 32-bit edges, and p at 0, 1 and between.

function reference(n: number, p: number, value: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  new Rng(seed).fillBernoulli(out, p, value);
  return out;
}

describe('LabBernoulliMask (dropout masks in one kernel)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('runs on the SIMD heap kernels in the wasm test backend', () => {
    tf.setBackend('wasm');
    expect(labRuntime().heapKernels()).not.toBeNull();
  });

  it.each(['cpu', 'wasm'])('%s: the bits of Rng.fillBernoulli, no tensor left', (b) => {
    tf.setBackend(b);
    const before = tf.memory().numTensors;
    for (const n of [1, 3, 4, 5, 7, 8, 9, 1001])
      for (const seed of [0, 1, 123456789, 2 ** 31 - 1, 2 ** 32 - 1, -5])
        for (const [p, value] of [
          [0.7, 1 / 0.7],
          [0.5, -2],
          [0, 3],
          [1, 1],
          [0.999, 0.25],
        ] as const) {
          const m = bernoulliMask({ shape: [n], p, value, seed })!;
          expect(Array.from(m.dataSync()), `n ${n} seed ${seed} p ${p}`).toEqual(
            Array.from(reference(n, p, value, seed)),
          );
          m.dispose();
        }
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['cpu', 'wasm'])('%s: keeps about p of a large mask, shaped as asked; empty shapes work', (b) => {
    tf.setBackend(b);
    const m = bernoulliMask({ shape: [64, 14, 14, 3], p: 0.7, value: 2, seed: 9 })!;
    expect(m.shape).toEqual([64, 14, 14, 3]);
    const v = m.dataSync();
    const kept = v.filter((x) => x === 2).length;
    expect(v.filter((x) => x !== 0 && x !== 2)).toHaveLength(0);
    expect(Math.abs(kept / v.length - 0.7)).toBeLessThan(0.01);
    const e = bernoulliMask({ shape: [0, 3], p: 0.5, value: 1, seed: 1 })!;
    expect(e.shape).toEqual([0, 3]);
    tf.dispose([m, e]);
  });

  it('refuses p outside [0, 1] and bad shapes', () => {
    tf.setBackend('wasm');
    const run = (attrs: object) => () =>
      tf.engine().runKernel(BERNOULLI_MASK, {}, attrs as unknown as tf.NamedAttrMap);
    expect(run({ shape: [2], p: 1.5, value: 1, seed: 0 })).toThrow(/p must be in \[0, 1\]/);
    expect(run({ shape: [2], p: Number.NaN, value: 1, seed: 0 })).toThrow(/p must be/);
    expect(run({ shape: [2.5], p: 0.5, value: 1, seed: 0 })).toThrow(/bad shape/);
  });
});
