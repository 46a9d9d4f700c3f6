import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { dropoutMask } from './dropout-mask.js';

describe('dropoutMask', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['cpu', 'wasm'])('is 0 or 1/(1-rate) at about 1-rate of the places, seeded (%s)', (backend) => {
    tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const m = dropoutMask([4, 50, 10], 0.3, 11);
    expect(m.shape).toEqual([4, 50, 10]);
    expect(m.dtype).toBe('float32');
    const v = m.dataSync();
    const scale = Math.fround(1 / 0.7);
    expect(v.filter((x) => x !== 0 && x !== scale).length).toBe(0);
    const kept = v.filter((x) => x === scale).length;
    // 2000 Bernoulli(0.7) draws: mean 1400, sd 20.5
    expect(kept).toBeGreaterThan(1400 - 100);
    expect(kept).toBeLessThan(1400 + 100);
    const same = dropoutMask([4, 50, 10], 0.3, 11);
    const other = dropoutMask([4, 50, 10], 0.3, 12);
    expect(Array.from(same.dataSync())).toEqual(Array.from(v));
    expect(Array.from(other.dataSync())).not.toEqual(Array.from(v));
    // the scratch memory the masks are drawn in is reused: an earlier mask must not change
    expect(Array.from(m.dataSync())).toEqual(Array.from(v));
    tf.dispose([m, same, other]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rate 0 keeps everything; a scalar shape gives one value', () => {
    tf.setBackend('cpu');
    const all = dropoutMask([3, 2], 0, 1);
    expect(Array.from(all.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    const s = dropoutMask([], 0.5, 1);
    expect(s.shape).toEqual([]);
    expect([0, 2]).toContain(s.dataSync()[0]);
    tf.dispose([all, s]);
  });

  it('rejects a rate outside [0, 1) with a RangeError naming the rate', () => {
    for (const rate of [1, -0.1, 1.5, Number.NaN])
      expect(() => dropoutMask([2], rate, 1)).toThrow(
        new RangeError(`dropout rate must be in [0, 1), got ${rate}`),
      );
  });
});
