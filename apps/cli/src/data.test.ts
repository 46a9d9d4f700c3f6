import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageDataset, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDataDir, imagesInTanhRange, realDataFrom, writeSampleGrid } from './data.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));
const dir = mkdtempSync(join(tmpdir(), 'lab-cli-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli data helpers', () => {
  it('embeddedDataDir is the package data directory holding the Fashion-MNIST test split', () => {
    const d = embeddedDataDir();
    expect(d.replaceAll('\\', '/')).toMatch(/apps\/cli\/data\/fashion-mnist\/$/);
    expect(existsSync(join(d, 't10k-images-idx3-ubyte.gz'))).toBe(true);
  });

  it('imagesInTanhRange maps 0..255 onto -1..1 as [count, rows, cols, 1], no tensor left', () => {
    const ds: ImageDataset = {
      images: Uint8Array.of(0, 255, 51, 204),
      labels: Uint8Array.of(0),
      count: 1,
      rows: 2,
      cols: 2,
    };
    const before = tf.memory().numTensors;
    const x = imagesInTanhRange(ds);
    expect(x.shape).toEqual([1, 2, 2, 1]);
    const v = Array.from(x.dataSync());
    [-1, 1, -0.6, 0.6].forEach((e, i) => {
      expect(v[i]).toBeCloseTo(e, 6);
    });
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('writeSampleGrid writes a PNG named by the zero-padded step', () => {
    const x = tf.fill([2, 3, 3, 1], 0.5);
    const file = writeSampleGrid(dir, 42, x);
    expect(file).toBe(join(dir, 'samples-000042.png'));
    expect(Array.from(readFileSync(file).subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(writeSampleGrid(dir, 1234567, x, 'fakes')).toBe(join(dir, 'fakes-1234567.png'));
    x.dispose();
  });

  it('realDataFrom gathers batches by index and counts the images', () => {
    const images = tf.tensor4d([0, 1, 2, 3, 4, 5], [3, 2, 1, 1]);
    const data = realDataFrom(images);
    expect(data.count).toBe(3);
    const before = tf.memory().numTensors;
    const b = data.batch(Int32Array.of(2, 0, 2));
    expect(b.shape).toEqual([3, 2, 1, 1]);
    expect(Array.from(b.dataSync())).toEqual([4, 5, 0, 1, 4, 5]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });
});
