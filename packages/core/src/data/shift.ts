// Data augmentation for image batches [n, h, w, c]: each example shifted by a random whole number of
// pixels (zeros fill in) and optionally mirrored. Few labelled images overfit; shifted copies are the
// cheapest regulariser (fine-tuning's small training sets; the jittered teacher of Hinton et al.'s
// distillation experiment).

import { concat, pad, reverse, slice, type Tensor, tidy } from '@tensorflow/tfjs-core';
import { Rng } from '../random/rng.js';

/** Maps a batch of inputs to an augmented batch of the same shape (a new tensor). */
export type Augmentation = (x: Tensor) => Tensor;

export interface RandomShiftOptions {
  /** Largest shift in pixels, each axis (default 2). */
  maxShift?: number;
  /** Mirror left-right with probability 1/2 (default false). */
  flip?: boolean;
  /** Seeds the shifts. Default 0. */
  seed?: number;
}

export interface Shift {
  /** Pixels right (negative: left). */
  dx: number;
  /** Pixels down (negative: up). */
  dy: number;
  /** Mirror left-right (after the shift). */
  flip: boolean;
}

/**
 * Each image of `x` [n, h, w, c] shifted by its `shifts[i]` (zeros fill in) and mirrored if asked.
 * Done by padding and slicing (tf.image.transform's cpu kernel transforms only the first image of a batch).
 */
export function shiftImages(x: Tensor, shifts: readonly Shift[]): Tensor {
  if (x.rank !== 4)
    throw new RangeError(`shiftImages: images must be [n, h, w, c], got [${x.shape.join(', ')}]`);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  if (shifts.length !== n) throw new RangeError(`shiftImages: ${n} images but ${shifts.length} shifts`);
  const s = Math.max(0, ...shifts.map((t) => Math.max(Math.abs(t.dx), Math.abs(t.dy))));
  return tidy(() => {
    const padded =
      s > 0
        ? pad(x, [
            [0, 0],
            [s, s],
            [s, s],
            [0, 0],
          ])
        : x;
    const pieces = shifts.map(({ dx, dy, flip }, i) => {
      const piece = slice(padded, [i, s - dy, s - dx, 0], [1, h, w, c]);
      return flip ? reverse(piece, 2) : piece;
    });
    return concat(pieces, 0);
  });
}

/** An Augmentation drawing a fresh shift (and mirror) for every example of every batch. */
export function randomShift({ maxShift = 2, flip = false, seed = 0 }: RandomShiftOptions = {}): Augmentation {
  if (!Number.isInteger(maxShift) || maxShift < 0)
    throw new RangeError(`randomShift: maxShift must be a whole number >= 0, got ${maxShift}`);
  const rng = new Rng(seed);
  const draw = () => rng.int(2 * maxShift + 1) - maxShift;
  return (x) =>
    shiftImages(
      x,
      Array.from({ length: x.shape[0] ?? 0 }, () => ({
        dx: draw(),
        dy: draw(),
        flip: flip && rng.next() < 0.5,
      })),
    );
}
