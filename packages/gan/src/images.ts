// Images of an IDX data set as tensors.
import type { ImageDataset } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Pixels of selected images (all, without `idx`) as a [n, rows, cols, 1] tensor in [0, 1]. */
export function imagesTensor(ds: ImageDataset, idx?: ArrayLike<number>): tf.Tensor4D {
  const px = ds.rows * ds.cols;
  const n = idx ? idx.length : ds.count;
  const xs = new Float32Array(n * px);
  for (let i = 0; i < n; i++) {
    const j = idx ? idx[i]! : i;
    for (let k = 0; k < px; k++) xs[i * px + k] = ds.images[j * px + k]! / 255;
  }
  return tf.tensor4d(xs, [n, ds.rows, ds.cols, 1]);
}
