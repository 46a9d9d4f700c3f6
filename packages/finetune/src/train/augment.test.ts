import { initBackend } from '@lab/core';
import { memory, tensor4d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomShift, shiftImages } from './augment.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

// one 3x3 image with a single lit pixel at row 1, column 0
const dot = () => tensor4d([0, 0, 0, 1, 0, 0, 0, 0, 0], [1, 3, 3, 1]);
const lit = (values: ArrayLike<number>) => Array.from(values).indexOf(1);

describe('augmentation', () => {
  it('shifts right and down by (dx, dy) and mirrors left-right', () => {
    const x = dot();
    const shifted = shiftImages(x, [{ dx: 2, dy: 1, flip: false }]);
    expect(lit(shifted.dataSync())).toBe(2 * 3 + 2); // row 2, column 2
    const mirrored = shiftImages(x, [{ dx: 0, dy: 0, flip: true }]);
    expect(lit(mirrored.dataSync())).toBe(1 * 3 + 2); // row 1, column 2
    const gone = shiftImages(x, [{ dx: -1, dy: 0, flip: false }]);
    expect(Array.from(gone.dataSync())).toEqual(new Array(9).fill(0)); // shifted out, zeros in
    const two = shiftImages(tensor4d([...dot().dataSync(), ...dot().dataSync()], [2, 3, 3, 1]), [
      { dx: 0, dy: -1, flip: false },
      { dx: 1, dy: 1, flip: false },
    ]);
    const [first, second] = [two.dataSync().slice(0, 9), two.dataSync().slice(9)];
    expect([lit(first), lit(second)]).toEqual([0 * 3 + 0, 2 * 3 + 1]); // each image its own shift
    two.dispose();
    for (const t of [x, shifted, mirrored, gone]) t.dispose();
  });

  it('randomShift keeps shapes, is the identity at maxShift 0, moves pixels otherwise, leaks nothing', () => {
    const x = tensor4d(
      Array.from({ length: 8 * 5 * 5 }, (_, i) => i % 7),
      [8, 5, 5, 1],
    );
    const tensors = memory().numTensors;
    const same = randomShift({ maxShift: 0 })(x);
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    const moved = randomShift({ maxShift: 2, flip: true, seed: 1 })(x);
    expect(moved.shape).toEqual([8, 5, 5, 1]);
    expect(Array.from(moved.dataSync())).not.toEqual(Array.from(x.dataSync()));
    same.dispose();
    moved.dispose();
    expect(memory().numTensors).toBe(tensors);
    expect(() => randomShift({ maxShift: -1 })).toThrow(/maxShift/);
    x.dispose();
  });
});
