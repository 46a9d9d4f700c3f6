// 2-D Gaussian mixtures on which mode collapse is visible, and how many of their modes a generator's
// samples cover.
import { Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

export interface ToyMixture {
  name: string;
  centers: [number, number][];
  std: number;
}

/** The 8 Gaussians on a ring of radius 2 (std 0.02), as in the unrolled-GAN and VEEGAN papers. */
export const ring8 = (radius = 2, std = 0.02): ToyMixture => ({
  name: 'ring8',
  centers: Array.from({ length: 8 }, (_, k) => [
    radius * Math.cos((2 * Math.PI * k) / 8),
    radius * Math.sin((2 * Math.PI * k) / 8),
  ]),
  std,
});

/** The 25 Gaussians on a 5x5 grid at -4..4 (std 0.05), as in the PacGAN and VEEGAN papers. */
export const grid25 = (std = 0.05): ToyMixture => ({
  name: 'grid25',
  centers: Array.from(
    { length: 25 },
    (_, k) => [-4 + 2 * (k % 5), -4 + 2 * Math.floor(k / 5)] as [number, number],
  ),
  std,
});

/** n samples from a toy mixture (uniform over modes), as an [n, 2] tensor. */
export function sampleMixture(mix: ToyMixture, n: number, seed = 0): tf.Tensor2D {
  const rng = new Rng(seed);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = mix.centers[rng.int(mix.centers.length)]!;
    out[2 * i] = c[0] + mix.std * rng.normal();
    out[2 * i + 1] = c[1] + mix.std * rng.normal();
  }
  return tf.tensor2d(out, [n, 2]);
}

export interface ModeReport {
  /** Modes with at least `minPerMode` high-quality samples. */
  modesCovered: number;
  modes: number;
  /** Share of samples within `qualityStd` standard deviations of their nearest mode. */
  highQuality: number;
  perMode: number[];
}

/** Mode coverage and sample quality on a toy mixture (defaults: within 3 std, 1% of samples per mode). */
export function modeCoverage(
  samples: tf.Tensor2D | number[][],
  mix: ToyMixture,
  { qualityStd = 3, minShare = 0.01 }: { qualityStd?: number; minShare?: number } = {},
): ModeReport {
  const pts = Array.isArray(samples) ? samples : (samples.arraySync() as number[][]);
  const perMode = new Array(mix.centers.length).fill(0);
  let good = 0;
  for (const [x, y] of pts as [number, number][]) {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    mix.centers.forEach(([cx, cy], k) => {
      const dd = Math.hypot(x - cx, y - cy);
      if (dd < bestD) [best, bestD] = [k, dd];
    });
    if (bestD <= qualityStd * mix.std) {
      good++;
      perMode[best]++;
    }
  }
  const minPerMode = Math.max(1, Math.ceil(minShare * pts.length));
  return {
    modesCovered: perMode.filter((c) => c >= minPerMode).length,
    modes: mix.centers.length,
    highQuality: good / Math.max(1, pts.length),
    perMode,
  };
}
