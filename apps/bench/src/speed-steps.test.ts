import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { median, timeSteps, WARMUP_ITERS } from './speed-steps.js';
import type { Workload } from './workloads.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

describe('median', () => {
  it('middle value of an odd count, mean of the middle two of an even count, unsorted input kept', () => {
    const xs = [5, 1, 4];
    expect(median(xs)).toBe(4);
    expect(xs).toEqual([5, 1, 4]);
    expect(median([10, 2, 8, 4])).toBe(6);
    expect(median([7])).toBe(7);
    // numeric, not lexicographic, order
    expect(median([10, 9, 100])).toBe(10);
  });
});

describe('timeSteps', () => {
  const workload = (leakFrom: number): Workload & { calls: number; kept: tf.Tensor[] } => {
    const w = {
      name: 'fake',
      flops: 1,
      calls: 0,
      kept: [] as tf.Tensor[],
      step() {
        w.calls++;
        const t = tf.scalar(w.calls);
        if (w.calls > leakFrom) w.kept.push(t);
        else t.dispose();
      },
      dispose() {
        tf.dispose(w.kept);
      },
    };
    return w;
  };

  it('runs the warm-up steps untimed, then the timed ones, and counts tensors the timed ones leave', () => {
    const clean = workload(Number.POSITIVE_INFINITY);
    const r = timeSteps(clean, 4);
    expect(clean.calls).toBe(WARMUP_ITERS + 4);
    expect(r.leaked).toBe(0);
    expect(Number.isFinite(r.ms) && r.ms >= 0).toBe(true);
    // leaks during the warm-up do not count, leaks in the timed steps do
    const leaky = workload(1);
    expect(timeSteps(leaky, 5).leaked).toBe(5);
    leaky.dispose();
  });
});
