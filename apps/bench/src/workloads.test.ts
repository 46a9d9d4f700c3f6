// W3 as the speed bench builds it: its FLOP count worked out here from the layer sizes, and steps that
// leak nothing. W1's and W2's counts are flops.ts's (flops.test.ts); their steps are the benchmark.
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lenet300 } from './workloads.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('workloads', () => {
  it("counts W3's FLOPs as PyTorch performs them: no input gradient for the first layer", () => {
    const w = lenet300(0);
    const layers = [
      [784, 300],
      [300, 100],
      [100, 10],
    ] as const;
    const macs = (l: readonly [number, number]) => 128 * l[0] * l[1];
    const forward = layers.reduce((a, l) => a + macs(l), 0);
    const weightGrads = forward;
    const inputGrads = macs(layers[1]) + macs(layers[2]);
    expect(w.flops).toBe(2 * (forward + weightGrads + inputGrads));
    w.dispose();
  });

  it('takes W3 steps with a flat tensor count after the first (its momentum buffers), freeing all on dispose', () => {
    const before = tf.memory().numTensors;
    const w = lenet300(1);
    const made = tf.memory().numTensors;
    w.step();
    const after1 = tf.memory().numTensors;
    w.step();
    expect(tf.memory().numTensors).toBe(after1);
    expect(after1 - made).toBeLessThanOrEqual(6); // momentum buffers, one per parameter, on the first step
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
