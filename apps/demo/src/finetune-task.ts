// The fine-tuning page's task: the network pretrained on task A (Fashion-MNIST classes 0-4, by
// scripts/pretrain-finetune-body.mjs) loaded from the shipped safetensors, and task B (classes 5-9,
// relabelled 0-4) cut from the 3,000 shipped Fashion-MNIST test images: the first 100 images of each
// class are the pool that labelled examples are taken from, every later one is a test image.
import { Conv2d, Dense, Flatten, ReLU, Rng, Sequential } from '@lab/core';
import { type ClassifierData, loadSafetensors } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';
import type { ShippedImages } from './image-data.js';

export const TASK_B_CLASSES = ['sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'] as const;
export const POOL_PER_CLASS = 100;

/** The pretraining script's network, with fresh weights (the file supplies them). */
export function taskANet(): Sequential {
  const rng = new Rng(0);
  return new Sequential([
    new Conv2d(1, 8, 3, { stride: 2, padding: 1, rng }),
    ReLU(),
    new Conv2d(8, 16, 3, { stride: 2, padding: 1, rng }),
    ReLU(),
    Flatten(),
    new Dense(784, 64, { rng }),
    ReLU(),
    new Dense(64, 5, { rng }),
  ]);
}

/**
 * The pretrained task-A network from the shipped file. Strict: every tensor of the net must be in the
 * file with its shape and the file may hold nothing else (a WeightsMismatchError lists what differs).
 */
export function loadTaskANet(bytes: Uint8Array): Sequential {
  const net = taskANet();
  try {
    loadSafetensors(net, bytes, { layout: 'lab', strict: true });
    return net;
  } catch (e) {
    net.dispose();
    throw e;
  }
}

export interface TaskBSplit {
  /** Per class (0-4 = Fashion-MNIST 5-9), the indices into the shipped set of its pool images, in order. */
  pool: number[][];
  /** Indices of the test images (every task-B image after its class's pool). */
  test: number[];
}

/** Splits the shipped images' task-B examples into per-class pools and the test images. */
export function taskBSplit(labels: Uint8Array): TaskBSplit {
  const pool: number[][] = TASK_B_CLASSES.map(() => []);
  const test: number[] = [];
  labels.forEach((label, i) => {
    if (label < 5) return;
    const c = pool[label - 5]!;
    if (c.length < POOL_PER_CLASS) c.push(i);
    else test.push(i);
  });
  const short = pool.findIndex((c) => c.length < POOL_PER_CLASS);
  if (short >= 0)
    throw new Error(`the shipped images have only ${pool[short]!.length} of class ${short + 5} for the pool`);
  return { pool, test };
}

/** The examples at `indices` of the shipped set, images in [0, 1] as [n, 28, 28, 1], labels 0-4. */
export function examples(set: ShippedImages, indices: readonly number[]): ClassifierData {
  const x = new Float32Array(indices.length * 784);
  indices.forEach((i, k) => {
    for (let p = 0; p < 784; p++) x[k * 784 + p] = set.pixels[i * 784 + p]! / 255;
  });
  return {
    x: tf.tensor4d(x, [indices.length, 28, 28, 1]),
    labels: Int32Array.from(indices, (i) => set.labels[i]! - 5),
  };
}

/** The first `perClass` pool images of every class (the same images for every strategy). */
export function labelledIndices(split: TaskBSplit, perClass: number): number[] {
  if (!Number.isInteger(perClass) || perClass < 1 || perClass > POOL_PER_CLASS)
    throw new RangeError(
      `labels per class must be a whole number from 1 to ${POOL_PER_CLASS}, got ${perClass}`,
    );
  return split.pool.flatMap((c) => c.slice(0, perClass));
}
