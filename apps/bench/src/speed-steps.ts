// The timed part of a speed workload, shared by both runtimes: Node (speed.ts) and the Chromium page
// (chromium-page.ts) run the same warm-up and timed iterations of the same workload code.
import * as tf from '@tensorflow/tfjs-core';
import type { Workload } from './workloads.js';

/** Untimed iterations before the timed ones (compilation, first allocations, caches). */
export const WARMUP_ITERS = 3;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface TimedSteps {
  /** Median ms per timed iteration. */
  ms: number;
  /** Tensors left behind by the timed iterations (0 when the step is leak-free). */
  leaked: number;
}

/** Runs WARMUP_ITERS untimed steps, then `iters` timed ones. */
export function timeSteps(w: Workload, iters: number): TimedSteps {
  for (let i = 0; i < WARMUP_ITERS; i++) w.step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const started = performance.now();
    w.step();
    times.push(performance.now() - started);
  }
  return { ms: median(times), leaked: tf.memory().numTensors - before };
}
