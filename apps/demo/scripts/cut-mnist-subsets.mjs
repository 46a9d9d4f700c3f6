#!/usr/bin/env node
// Cuts the MNIST images the compression page ships: the first 1,000 test images (every stage is scored
// on them) and the first 2,000 training images (the retraining after pruning), raw 28x28 bytes
// gzip-compressed, and their labels, into assets/. Run once; the output is committed.
//
//   node apps/demo/scripts/cut-mnist-subsets.mjs [--data ../shared/data/mnist]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadMnistSplit } from '@lab/core/node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--data');
const dataDir = at > 0 ? process.argv[at + 1] : join(root, '..', '..', '..', 'shared', 'data', 'mnist');

for (const [split, count] of [
  ['test', 1000],
  ['train', 2000],
]) {
  const ds = loadMnistSplit(dataDir, split);
  const base = join(root, 'assets', `mnist-${split}-${count}`);
  writeFileSync(`${base}-images.bin.gz`, gzipSync(ds.images.subarray(0, count * 784), { level: 9 }));
  writeFileSync(`${base}-labels.bin`, ds.labels.subarray(0, count));
  console.log(`wrote ${base}-images.bin.gz and -labels.bin (${count} ${split} images)`);
}
