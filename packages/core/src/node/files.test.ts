import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSharedData } from '../testing/index.js';
import { loadMnistSplit, writeFileAtomic } from './files.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node file helpers', () => {
  it('loads MNIST and Fashion-MNIST splits from their directories', () => {
    const mnist = loadMnistSplit(join(findSharedData(), 'mnist'), 'test');
    expect([mnist.count, mnist.rows, mnist.cols]).toEqual([10000, 28, 28]);
    const perDigit = new Array(10).fill(0);
    for (const l of mnist.labels) perDigit[l]++;
    expect(perDigit).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const train = loadMnistSplit(join(findSharedData(), 'fashion-mnist'), 'train');
    expect(train.count).toBe(60000);
    expect(() => loadMnistSplit(dir, 'test')).toThrow(
      /neither t10k-images-idx3-ubyte.gz nor t10k-images-idx3-ubyte exists/,
    );
  });
  it('writes atomically and leaves no temporary file behind', () => {
    const p = join(dir, 'x.bin');
    writeFileAtomic(p, 'first');
    writeFileAtomic(p, Uint8Array.from([1, 2, 3]));
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    expect(readdirSync(dir).filter((f) => f.includes('x.bin'))).toEqual(['x.bin']);
  });
});
