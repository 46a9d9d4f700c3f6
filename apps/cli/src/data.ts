// The embedded default data set (Fashion-MNIST test split) and its class names; directories are read
// with loadMnistSplit from @lab/core/node.
import { fileURLToPath } from 'node:url';

/** The directory of the embedded default data (apps/cli/data/fashion-mnist). */
export function embeddedDataDir(): string {
  // dist/lab.js and src/*.ts both sit one level below the package root
  return fileURLToPath(new URL('../data/fashion-mnist/', import.meta.url));
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
