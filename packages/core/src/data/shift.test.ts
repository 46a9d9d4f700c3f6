import { memory, tensor3d, tensor4d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { randomShift, shiftImages } from './shift.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

describe('shiftImages', () => {
  it('moves a 2x2 two-channel image by whole pixels, zeros filling in, each channel alike', () => {
    // pixel (r, c) holds channels [10r + c, -(10r + c)] + 1 so none is zero
    const values = [1, -1, 2, -2, 11, -11, 12, -12];
    const x = tensor4d(values, [1, 2, 2, 2]);
    const right = shiftImages(x, [{ dx: 1, dy: 0, flip: false }]);
    expect(Array.from(right.dataSync())).toEqual([0, 0, 1, -1, 0, 0, 11, -11]);
    const up = shiftImages(x, [{ dx: 0, dy: -1, flip: false }]);
    expect(Array.from(up.dataSync())).toEqual([11, -11, 12, -12, 0, 0, 0, 0]);
    const mirrored = shiftImages(x, [{ dx: 0, dy: 0, flip: true }]);
    expect(Array.from(mirrored.dataSync())).toEqual([2, -2, 1, -1, 12, -12, 11, -11]);
    for (const t of [x, right, up, mirrored]) t.dispose();
  });

  it('refuses a batch that is not [n, h, w, c] or a shift count that is not n', () => {
    const flat = tensor4d([1, 2, 3, 4], [2, 1, 2, 1]);
    expect(() => shiftImages(flat, [{ dx: 0, dy: 0, flip: false }])).toThrow(
      /shiftImages: 2 images but 1 shifts/,
    );
    const rank3 = tensor3d([1, 2, 3, 4], [2, 2, 1]);
    expect(() => shiftImages(rank3, [])).toThrow(
      /shiftImages: images must be \[n, h, w, c\], got \[2, 2, 1\]/,
    );
    flat.dispose();
    rank3.dispose();
  });
});

describe('randomShift', () => {
  it('draws each image its own shift within maxShift, reproducibly from the seed', () => {
    // 64 copies of a 5x5 image lit at its centre: after a shift of at most 1 the lit pixel stays
    // within the centre's 3x3 neighbourhood, and with 64 draws every one of the 9 places is hit
    const one = Array.from({ length: 25 }, (_, i) => (i === 12 ? 1 : 0));
    const x = tensor4d(Array.from({ length: 64 }, () => one).flat(), [64, 5, 5, 1]);
    const tensors = memory().numTensors;
    const out = randomShift({ maxShift: 1, seed: 3 })(x);
    const v = out.dataSync();
    const places = new Set<number>();
    for (let i = 0; i < 64; i++) {
      const image = Array.from(v.slice(i * 25, (i + 1) * 25));
      expect(image.reduce((a, b) => a + b, 0)).toBe(1);
      const at = image.indexOf(1);
      const [r, c] = [Math.floor(at / 5), at % 5];
      expect(Math.abs(r - 2) <= 1 && Math.abs(c - 2) <= 1).toBe(true);
      places.add(at);
    }
    expect(places.size).toBe(9);
    const again = randomShift({ maxShift: 1, seed: 3 })(x);
    expect(Array.from(again.dataSync())).toEqual(Array.from(v));
    out.dispose();
    again.dispose();
    expect(memory().numTensors).toBe(tensors);
    expect(() => randomShift({ maxShift: 1.5 })).toThrow(
      /randomShift: maxShift must be a whole number >= 0, got 1.5/,
    );
    x.dispose();
  });
});
