// Loading image classification data: the embedded Fashion-MNIST test split or an IDX directory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ImageDataset, imageDatasetFromIdx } from '@lab/core';

/** The directory of the embedded default data (apps/cli/data/fashion-mnist). */
export function embeddedDataDir(): string {
  // dist/lab.js and src/*.ts both sit one level below the package root
  return fileURLToPath(new URL('../data/fashion-mnist/', import.meta.url));
}

const SPLITS = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

function readMaybeGz(dir: string, base: string): Uint8Array {
  for (const name of [`${base}.gz`, base]) {
    const p = join(dir, name);
    if (existsSync(p)) return readFileSync(p);
  }
  throw new Error(`${dir}: neither ${base}.gz nor ${base} exists`);
}

/** Reads one split ('train' or 'test') of an MNIST-layout directory. */
export function loadSplit(dir: string, split: keyof typeof SPLITS): ImageDataset {
  const [images, labels] = SPLITS[split];
  return imageDatasetFromIdx(readMaybeGz(dir, images), readMaybeGz(dir, labels));
}

export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
