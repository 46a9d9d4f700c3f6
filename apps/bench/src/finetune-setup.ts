// W6 `finetune` (../shared/BENCHMARKS.md): the network and the data. The convnet is the peer's
// (../shared/peers/torch_finetune_peer.py): conv32-pool-conv64-pool-fc128 and a linear head; task A is
// Fashion-MNIST classes 0-4, task B classes 5-9 (labels shifted to 0-4).
import { type ImageDataset, Rng, type Sequential } from '@lab/core';
import { type ClassifierData, transferConvnet } from '@lab/finetune';
import { tensor4d } from '@tensorflow/tfjs-core';

/** The layers that own parameters, input side first: conv1, conv2, fc, head (their Sequential indices). */
export const LAYER_INDICES = [0, 3, 7, 9] as const;
/** The transferable depth: the layers below the head. */
export const DEPTH = 3;

/** conv32-conv64-fc128 with a `classes`-way head (@lab/finetune's W6 network). */
export const convnet = (classes = 5, seed = 0): Sequential => transferConvnet(classes, seed);

/** Indices of the examples whose label is in [from, to), in file order. */
export function indicesOfClasses(labels: ArrayLike<number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= from && labels[i]! < to) out.push(i);
  return out;
}

/**
 * `k` examples of each class in [from, to), drawn without replacement with `seed` (all of them when
 * k is 'all'), class by class.
 */
export function pickPerClass(
  labels: ArrayLike<number>,
  from: number,
  to: number,
  k: number | 'all',
  seed: number,
): number[] {
  const rng = new Rng(seed);
  const out: number[] = [];
  for (let c = from; c < to; c++) {
    const pool = indicesOfClasses(labels, c, c + 1);
    if (k === 'all') {
      out.push(...pool);
      continue;
    }
    if (k > pool.length) throw new RangeError(`class ${c} has ${pool.length} examples, fewer than ${k}`);
    const order = rng.permutation(pool.length);
    for (let i = 0; i < k; i++) out.push(pool[order[i]!]!);
  }
  return out;
}

/** The examples at `indices` as [n, 28, 28, 1] floats in [0, 1] with labels minus `offset`. */
export function classifierData(ds: ImageDataset, indices: readonly number[], offset: number): ClassifierData {
  const size = ds.rows * ds.cols;
  const pixels = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  indices.forEach((idx, i) => {
    for (let p = 0; p < size; p++) pixels[i * size + p] = ds.images[idx * size + p]! / 255;
    labels[i] = ds.labels[idx]! - offset;
  });
  return { x: tensor4d(pixels, [indices.length, ds.rows, ds.cols, 1]), labels };
}
