// The embedded default data set (Fashion-MNIST test split) and its class names; directories are read
// with loadMnistSplit from @lab/core/node.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ImageDataset, imageGridPng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** The directory of the embedded default data (apps/cli/data/fashion-mnist). */
export function embeddedDataDir(): string {
  // dist/lab.js and src/*.ts both sit one level below the package root
  return fileURLToPath(new URL('../data/fashion-mnist/', import.meta.url));
}

/** The images as a [count, rows, cols, 1] tensor scaled to [-1, 1] (a tanh generator's range). */
export function imagesInTanhRange(ds: ImageDataset): tf.Tensor4D {
  return tf.tidy(() =>
    tf.sub(tf.div(tf.tensor4d(ds.images, [ds.count, ds.rows, ds.cols, 1], 'float32'), 127.5), 1),
  );
}

/** Writes a batch of generated images in [-1, 1] as `samples-<step>.png` in `dir`; returns the path. */
export function writeSampleGrid(dir: string, step: number, x: tf.Tensor, name = 'samples'): string {
  const file = join(dir, `${name}-${String(step).padStart(6, '0')}.png`);
  writeFileSync(
    file,
    imageGridPng(x.dataSync(), x.shape as [number, number, number, number], { columns: 8 }),
  );
  return file;
}

/** Real data for the GAN trainers: batches gathered from an image tensor by index. */
export function realDataFrom(images: tf.Tensor): { count: number; batch(indices: Int32Array): tf.Tensor } {
  return {
    count: images.shape[0]!,
    batch: (idx) => tf.tidy(() => tf.gather(images, tf.tensor1d(idx, 'int32'))),
  };
}
