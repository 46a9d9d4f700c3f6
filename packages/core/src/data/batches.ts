// Batching, shuffling and train/validation splits over in-memory datasets (index-based, so any
// storage works: typed arrays, images, sentences).
import type { Rng } from '../random/rng.js';

export interface BatchOptions {
  batchSize: number;
  /** Shuffle each pass with this Rng (reproducible); omit for file order. */
  rng?: Rng;
  /** Drop the last, smaller batch. Default false. */
  dropLast?: boolean;
}

/** Yields arrays of example indices, one batch at a time, for one pass over `count` examples. */
export function* batchIndices(
  count: number,
  { batchSize, rng, dropLast = false }: BatchOptions,
): Generator<Int32Array> {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const order = rng ? rng.permutation(count) : Int32Array.from({ length: count }, (_, i) => i);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    if (dropLast && end - start < batchSize) return;
    yield order.subarray(start, end);
  }
}

/** Maps each batch of indices through `gather` (for example to build tensors); the caller disposes them. */
export function* batches<T>(
  count: number,
  gather: (indices: Int32Array) => T,
  options: BatchOptions,
): Generator<T> {
  for (const idx of batchIndices(count, options)) yield gather(idx);
}

/**
 * Splits indices 0..count-1 into training and validation parts; `validation` is a fraction in (0, 1)
 * or a count. Shuffled with `rng` when given (stratification is the caller's choice of indices).
 */
export function trainValidationSplit(
  count: number,
  validation: number,
  rng?: Rng,
): { train: Int32Array; validation: Int32Array } {
  const nValid = validation > 0 && validation < 1 ? Math.round(count * validation) : validation;
  if (!Number.isInteger(nValid) || nValid < 0 || nValid > count) {
    throw new RangeError(
      `validation must be a fraction in (0, 1) or a count in [0, ${count}], got ${validation}`,
    );
  }
  const order = rng ? rng.permutation(count) : Int32Array.from({ length: count }, (_, i) => i);
  return { validation: order.slice(0, nValid), train: order.slice(nValid) };
}
