// The machine's ceiling for @lab's kernels: 128-bit multiply-adds per second on one thread, from a
// loop of independent multiply-adds that never touch memory (kernels/heap.c's fma_peak). Other
// processes share the core, so the figure is the best of many short runs (a run that was not
// preempted), not their mean.
import type { HeapKernels } from './heap-kernels.js';

/** FLOPs of one round of fma_peak: 12 multiply-adds on 4 lanes. */
export const FMA_PEAK_FLOPS_PER_ROUND = 96;

export interface FmaPeakOptions {
  /** Rounds per timed run (~2 ms each at 50 GFLOP/s). */
  rounds: number;
  /** Timed runs; the fastest counts. */
  runs: number;
  /** Clock in milliseconds. */
  now: () => number;
}

export const DEFAULT_FMA_PEAK_OPTIONS: Readonly<FmaPeakOptions> = Object.freeze({
  rounds: 1_000_000,
  runs: 30,
  now: () => performance.now(),
});

/** GFLOP/s of the fastest run of fma_peak. */
export function measureFmaPeak(
  kernels: Pick<HeapKernels, 'fma_peak'>,
  options: Partial<FmaPeakOptions> = {},
): number {
  const o = { ...DEFAULT_FMA_PEAK_OPTIONS, ...options };
  if (!Number.isInteger(o.rounds) || o.rounds < 1 || !Number.isInteger(o.runs) || o.runs < 1)
    throw new RangeError(
      `measureFmaPeak: rounds and runs must be positive integers, got ${o.rounds}, ${o.runs}`,
    );
  kernels.fma_peak(1000, 1); // compiled before timing
  let bestMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < o.runs; i++) {
    const start = o.now();
    kernels.fma_peak(o.rounds, 1 + i);
    bestMs = Math.min(bestMs, o.now() - start);
  }
  // a timer coarser than the run (a clamped browser clock) gives 0 ms: report nothing rather than infinity
  if (!(bestMs > 0)) return Number.NaN;
  return (o.rounds * FMA_PEAK_FLOPS_PER_ROUND) / bestMs / 1e6;
}
