// Differentiable augmentation (DiffAugment, Zhao et al. 2020): random colour, translation and cutout
// applied to real and fake batches alike before the discriminator, so that D cannot memorise a small
// training set while the generator still receives gradients through the augmentation. Every transform
// is a product or sum with constants (translation is a product with 0/1 shift matrices), so gradients
// flow to the images. Random parameters are drawn per sample from the caller's Rng, which a
// checkpoint saves, so that a resumed run augments exactly as an uninterrupted one.
import type { Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

export interface DiffAugmentOptions {
  /** Colour strength: brightness +-0.5c, saturation x[1-c, 1+c], contrast x[1-c/2, 1+c/2]. Default 1; 0 turns colour off. */
  color?: number;
  /** Largest shift as a fraction of the image side (zero padding). Default 0.125; 0 turns it off. */
  translation?: number;
  /** Side of the zeroed square as a fraction of the image side. Default 0.5; 0 turns it off. */
  cutout?: number;
}

export const DIFF_AUGMENT_DEFAULTS: Required<DiffAugmentOptions> = {
  color: 1,
  translation: 0.125,
  cutout: 0.5,
};

export function checkDiffAugmentOptions(o: DiffAugmentOptions): Required<DiffAugmentOptions> {
  const full = { ...DIFF_AUGMENT_DEFAULTS, ...o };
  for (const [name, v] of Object.entries(full))
    if (!(Number.isFinite(v) && v >= 0 && v <= 1))
      throw new RangeError(`diffAugment.${name} must be in [0, 1], got ${v}`);
  return full;
}

const uniforms = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.next());

/** Per-sample scalars as a [B, 1, 1, 1] tensor. */
const perSample = (values: Float32Array) => tf.tensor4d(values, [values.length, 1, 1, 1]);

/** Brightness, saturation and contrast, each with one random factor per sample. */
export function colorJitter(x: tf.Tensor4D, rng: Rng, strength: number): tf.Tensor4D {
  const b = x.shape[0];
  const brightness = uniforms(rng, b).map((u) => (u - 0.5) * strength);
  const saturation = uniforms(rng, b).map((u) => 1 + (2 * u - 1) * strength);
  const contrast = uniforms(rng, b).map((u) => 1 + (u - 0.5) * strength);
  return tf.tidy(() => {
    let y: tf.Tensor = tf.add(x, perSample(brightness));
    const channelMean = tf.mean(y, 3, true);
    y = tf.add(tf.mul(tf.sub(y, channelMean), perSample(saturation)), channelMean);
    const imageMean = tf.mean(y, [1, 2, 3], true);
    return tf.add(tf.mul(tf.sub(y, imageMean), perSample(contrast)), imageMean) as tf.Tensor4D;
  });
}

/** [n, side, side] matrices S with S[i, i - shift] = 1: S @ v moves v by `shift` rows, zero-filled. */
function shiftMatrices(shifts: Int32Array, side: number, channels: number, transposed: boolean): tf.Tensor3D {
  const n = shifts.length * channels;
  const m = new Float32Array(n * side * side);
  for (let s = 0; s < shifts.length; s++)
    for (let c = 0; c < channels; c++) {
      const base = (s * channels + c) * side * side;
      for (let i = 0; i < side; i++) {
        const j = i - shifts[s]!;
        if (j >= 0 && j < side) m[base + (transposed ? j * side + i : i * side + j)] = 1;
      }
    }
  return tf.tensor3d(m, [n, side, side]);
}

/** Moves sample b down by dy[b] and right by dx[b] pixels, filling with zeros (differentiable). */
export function translate(x: tf.Tensor4D, dy: Int32Array, dx: Int32Array): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (dy.length !== b || dx.length !== b)
    throw new RangeError(`translate: ${dy.length} and ${dx.length} shifts for a batch of ${b}`);
  return tf.tidy(() => {
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c, h, w]);
    const rows = tf.matMul(shiftMatrices(dy, h, c, false), planes);
    const moved = tf.matMul(rows, shiftMatrices(dx, w, c, true));
    return tf.transpose(tf.reshape(moved, [b, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/** Zeroes a size x size square centred at (cy[b], cx[b]) of each sample (clipped at the borders). */
export function cutout(x: tf.Tensor4D, cy: Int32Array, cx: Int32Array, size: number): tf.Tensor4D {
  const [b, h, w] = x.shape;
  const mask = new Float32Array(b * h * w).fill(1);
  for (let s = 0; s < b; s++) {
    const top = cy[s]! - Math.floor(size / 2);
    const left = cx[s]! - Math.floor(size / 2);
    for (let i = Math.max(0, top); i < Math.min(h, top + size); i++)
      for (let j = Math.max(0, left); j < Math.min(w, left + size); j++) mask[(s * h + i) * w + j] = 0;
  }
  return tf.tidy(() => tf.mul(x, tf.tensor4d(mask, [b, h, w, 1])) as tf.Tensor4D);
}

const randomInts = (rng: Rng, n: number, lo: number, hi: number) =>
  Int32Array.from({ length: n }, () => lo + rng.int(hi - lo + 1));

/**
 * DiffAugment's colour, translation and cutout, in that order, with fresh random parameters per
 * sample; returns `x` itself when every strength is 0.
 */
export function diffAugment(x: tf.Tensor, rng: Rng, options: DiffAugmentOptions = {}): tf.Tensor {
  const o = checkDiffAugmentOptions(options);
  if (x.rank !== 4) throw new RangeError(`diffAugment: images must be [batch, h, w, c], got [${x.shape}]`);
  const [b, h, w] = x.shape as [number, number, number, number];
  return tf.tidy(() => {
    let y = x as tf.Tensor4D;
    if (o.color > 0) y = colorJitter(y, rng, o.color);
    if (o.translation > 0) {
      const sy = Math.round(h * o.translation);
      const sx = Math.round(w * o.translation);
      y = translate(y, randomInts(rng, b, -sy, sy), randomInts(rng, b, -sx, sx));
    }
    if (o.cutout > 0) {
      const size = Math.max(1, Math.round(Math.min(h, w) * o.cutout));
      y = cutout(y, randomInts(rng, b, 0, h - 1), randomInts(rng, b, 0, w - 1), size);
    }
    return y;
  });
}
