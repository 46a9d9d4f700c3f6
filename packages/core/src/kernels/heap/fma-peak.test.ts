import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { FMA_PEAK_FLOPS_PER_ROUND, measureFmaPeak } from './fma-peak.js';

describe('the FMA peak microbenchmark', () => {
  it('reports the fastest run in GFLOP/s (a fake kernel and clock)', () => {
    const times = [0, 5, 5, 7, 7, 9]; // runs of 5, 2 and 2 ms after the warm-up call
    let t = 0;
    const now = () => times[t++]!;
    const calls: number[] = [];
    const gflops = measureFmaPeak(
      {
        fma_peak: (n) => {
          calls.push(n);
          return 0;
        },
      },
      { rounds: 1000, runs: 3, now },
    );
    expect(calls).toEqual([1000, 1000, 1000, 1000]);
    expect(gflops).toBeCloseTo((1000 * FMA_PEAK_FLOPS_PER_ROUND) / 2 / 1e6, 12);
  });
  it('rejects bad options and reports NaN for a clock too coarse to time a run', () => {
    const k = { fma_peak: () => 0 };
    expect(() => measureFmaPeak(k, { runs: 0 })).toThrow(RangeError);
    expect(() => measureFmaPeak(k, { rounds: 1.5 })).toThrow(RangeError);
    expect(measureFmaPeak(k, { runs: 2, now: () => 0 })).toBeNaN();
  });
  it("measures a positive, finite figure on the wasm backend's heap kernels", async () => {
    await initBackend({ backend: 'wasm', fallback: false });
    const peak = labRuntime(tf.backend()).fmaPeakGflops();
    expect(peak).not.toBeNull();
    expect(peak!).toBeGreaterThan(0);
    expect(Number.isFinite(peak!)).toBe(true);
    expect(labRuntime(tf.backend()).fmaPeakGflops()).toBe(peak); // measured once per runtime
  });
});
