// MNIST for the distill workload: the images as [n, 784] floats in [0, 1], the labels as int32, and
// the transfer set without one digit.
import { join } from 'node:path';
import { loadMnistSplit } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import { gather, type Tensor, type Tensor2D, tensor1d, tensor2d, tidy } from '@tensorflow/tfjs-core';

export interface MnistTensors {
  x: Tensor2D;
  labels: Tensor;
  /** The labels as numbers, for error counts. */
  labelArray: Int32Array;
}

/** One MNIST split from <shared data>/mnist, the first `limit` examples (all by default). */
export function loadMnist(
  split: 'train' | 'test',
  limit = Number.POSITIVE_INFINITY,
  dir?: string,
): MnistTensors {
  const set = loadMnistSplit(dir ?? join(findSharedData(), 'mnist'), split);
  const n = Math.min(set.count, limit);
  const pixels = set.rows * set.cols;
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < n * pixels; i++) x[i] = set.images[i]! / 255;
  const labelArray = Int32Array.from(set.labels.subarray(0, n));
  return { x: tensor2d(x, [n, pixels]), labels: tensor1d(labelArray, 'int32'), labelArray };
}

/** The examples at `rows` (a new tensor pair; the input stays the caller's). */
export function rowsOf(data: MnistTensors, rows: Int32Array): MnistTensors {
  return tidy(() => {
    const idx = tensor1d(rows, 'int32');
    return {
      x: gather(data.x, idx) as Tensor2D,
      labels: gather(data.labels, idx),
      labelArray: Int32Array.from(rows, (i) => data.labelArray[i]!),
    };
  });
}

/**
 * The first examples and the last `count` as two new sets; with count 0, `data` itself and null.
 * (A held-out slice of the training set, to choose settings on without looking at the test set.)
 */
export function splitLast(data: MnistTensors, count: number): [MnistTensors, MnistTensors | null] {
  const n = data.labelArray.length;
  if (!Number.isInteger(count) || count < 0 || count >= n)
    throw new RangeError(
      `splitLast: ${count} held-out examples must be a whole number below the ${n} there are`,
    );
  if (count === 0) return [data, null];
  const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
  return [rowsOf(data, range(0, n - count)), rowsOf(data, range(n - count, n))];
}

/** The examples whose label is not `omit` (a new tensor pair; the input stays the caller's). */
export function withoutClass(data: MnistTensors, omit: number): MnistTensors {
  const keep = Int32Array.from(Array.from(data.labelArray.keys()).filter((i) => data.labelArray[i] !== omit));
  return rowsOf(data, keep);
}
