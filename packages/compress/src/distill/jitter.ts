// Hinton et al. trained their MNIST teacher on inputs "jittered by up to two pixels in any direction":
// a data set whose every batch shifts each image by its own random whole number of pixels (zeros
// fill in), drawn afresh every time a batch is asked for. Images may be flat ([n, h*w*c], as the
// MLPs take them) or [n, h, w, c]; they come back in the shape they had.
import { randomShift } from '@lab/core';
import { dispose, reshape, tidy } from '@tensorflow/tfjs-core';
import type { DistilData } from './batch-loop.js';

export interface JitterOptions {
  /** Largest shift in pixels, each axis; 0 gives the data back unchanged. */
  maxShift: number;
  /** Image height and width in pixels. */
  height: number;
  width: number;
  /** Default 1. */
  channels?: number;
  /** Seeds the shifts. Default 0. */
  seed?: number;
}

/** `data` with every image of every batch shifted by up to `maxShift` pixels each axis. */
export function jitteredData(
  data: DistilData,
  { maxShift, height, width, channels = 1, seed = 0 }: JitterOptions,
): DistilData {
  for (const [k, v] of [
    ['height', height],
    ['width', width],
    ['channels', channels],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`jitteredData: ${k} must be a whole number >= 1, got ${v}`);
  if (!Number.isInteger(maxShift) || maxShift < 0)
    throw new RangeError(`jitteredData: maxShift must be a whole number >= 0, got ${maxShift}`);
  if (maxShift === 0) return data;
  const shift = randomShift({ maxShift, seed });
  const size = height * width * channels;
  return {
    count: data.count,
    batch(indices) {
      const { x, labels } = data.batch(indices);
      const perImage = x.shape.slice(1).reduce((a, b) => a * b, 1);
      if (perImage !== size) {
        dispose([x, labels]);
        throw new RangeError(
          `jitteredData: images of [${x.shape.slice(1)}] (${perImage} values) are not ${height}x${width}x${channels}`,
        );
      }
      const shifted = tidy(() => reshape(shift(reshape(x, [-1, height, width, channels])), x.shape));
      x.dispose();
      return { x: shifted, labels };
    },
  };
}
