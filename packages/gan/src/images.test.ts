import { type ImageDataset, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagesTensor } from './images.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

// three 2x3 images: image i has pixels 10 i + k
const ds: ImageDataset = {
  images: Uint8Array.from({ length: 18 }, (_, j) => 10 * Math.floor(j / 6) + (j % 6)),
  labels: Uint8Array.of(0, 1, 2),
  count: 3,
  rows: 2,
  cols: 3,
};
const pixels = (i: number) => Array.from({ length: 6 }, (_, k) => Math.fround((10 * i + k) / 255));

describe('imagesTensor', () => {
  it('all images as [n, rows, cols, 1] scaled to [0, 1]', () => {
    const t = imagesTensor(ds);
    expect(t.shape).toEqual([3, 2, 3, 1]);
    expect(Array.from(t.dataSync())).toEqual([...pixels(0), ...pixels(1), ...pixels(2)]);
    t.dispose();
    const white = imagesTensor({ ...ds, images: new Uint8Array(18).fill(255) });
    expect(Math.min(...white.dataSync())).toBe(1);
    white.dispose();
  });

  it('selected images in the order given, repeats included; none gives an empty batch', () => {
    const t = imagesTensor(ds, [2, 0, 2]);
    expect(t.shape).toEqual([3, 2, 3, 1]);
    expect(Array.from(t.dataSync())).toEqual([...pixels(2), ...pixels(0), ...pixels(2)]);
    const one = imagesTensor(ds, Int32Array.of(1));
    expect(Array.from(one.dataSync())).toEqual(pixels(1));
    const none = imagesTensor(ds, []);
    expect(none.shape).toEqual([0, 2, 3, 1]);
    tf.dispose([t, one, none]);
  });
});
