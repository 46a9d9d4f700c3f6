// One-dimensional k-means (Lloyd) for weight sharing, with the three initialisations Han et al.
// compare: linear (evenly spaced over [min, max]), density (evenly spaced over the CDF) and Forgy
// (k distinct weights at random).
import { Rng } from '@lab/core';

export type KMeansInit = 'linear' | 'density' | 'forgy';

export interface KMeansOptions {
  init?: KMeansInit;
  /** Randomness for Forgy. Default Rng(0). */
  rng?: Rng;
  /** Default 100; stops earlier when no assignment changes. */
  maxIterations?: number;
}

export interface KMeansResult {
  /** Ascending float32 centroids (fewer than k when there are fewer distinct values). */
  centroids: Float32Array;
  /** Index of each value's nearest centroid. */
  assignments: Int32Array;
  iterations: number;
}

/** Initial centroids (ascending) for k clusters of the values. */
export function initialCentroids(
  values: ArrayLike<number>,
  k: number,
  init: KMeansInit,
  rng: Rng = new Rng(0),
): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const distinct = Array.from(new Set(sorted));
  if (distinct.length <= k) return Float64Array.from(distinct);
  const n = sorted.length;
  const lo = sorted[0]!;
  const hi = sorted[n - 1]!;
  if (init === 'linear') return Float64Array.from({ length: k }, (_, i) => lo + ((hi - lo) * i) / (k - 1));
  if (init === 'density') {
    // the inverse CDF at evenly spaced probabilities (i + 0.5) / k
    return Float64Array.from(
      { length: k },
      (_, i) => sorted[Math.min(n - 1, Math.floor(((i + 0.5) / k) * n))]!,
    );
  }
  // Forgy: k distinct observed values, chosen uniformly (partial Fisher-Yates over the distinct set)
  const pool = distinct.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return Float64Array.from(pool.slice(0, k)).sort();
}

/** Index of the nearest of ascending centroids (binary search on midpoints; ties go low). */
function nearest(centroids: Float64Array | Float32Array, x: number): number {
  let lo = 0;
  let hi = centroids.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= (centroids[mid]! + centroids[mid + 1]!) / 2) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function kmeans1d(values: ArrayLike<number>, k: number, options: KMeansOptions = {}): KMeansResult {
  const { init = 'linear', rng = new Rng(0), maxIterations = 100 } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kmeans1d: k must be a positive integer, got ${k}`);
  if (!['linear', 'density', 'forgy'].includes(init))
    throw new RangeError(`kmeans1d: unknown init '${init}'`);
  const n = values.length;
  const assignments = new Int32Array(n);
  if (n === 0) return { centroids: new Float32Array(0), assignments, iterations: 0 };
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(values[i]!)) throw new RangeError(`kmeans1d: value ${i} is ${values[i]}`);
  const c = initialCentroids(values, k, init, rng);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = iterations === 0;
    for (let i = 0; i < n; i++) {
      const a = nearest(c, values[i]!);
      if (a !== assignments[i]) changed = true;
      assignments[i] = a;
    }
    if (!changed) break;
    const sum = new Float64Array(c.length);
    const count = new Float64Array(c.length);
    for (let i = 0; i < n; i++) {
      sum[assignments[i]!]! += values[i]!;
      count[assignments[i]!]!++;
    }
    // an empty cluster keeps its centroid; means stay ordered, so the binary search remains valid
    for (let j = 0; j < c.length; j++) if (count[j]! > 0) c[j] = sum[j]! / count[j]!;
  }
  const centroids = Float32Array.from(c);
  for (let i = 0; i < n; i++) assignments[i] = nearest(centroids, values[i]!);
  return { centroids, assignments, iterations };
}
