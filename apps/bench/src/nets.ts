// The W1/W2 networks of ../shared/BENCHMARKS.md, layer for layer.
import {
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  Dropout,
  Flatten,
  LeakyReLU,
  ReLU,
  Reshape,
  type Rng,
  Sequential,
  Tanh,
} from '@lab/core';

export const Z = 100;
export const BATCH = 64;

/** G: Dense(100 -> 7*7*256, no bias) BN ReLU -> 7x7x256 -> ConvT(256->128, 5, s1) BN ReLU -> ConvT(128->64, 5, s2) BN ReLU -> ConvT(64->1, 5, s2) tanh. */
export function dcganGenerator(rng: Rng): Sequential {
  return new Sequential(
    [
      new Dense(Z, 7 * 7 * 256, { bias: false, rng }),
      new BatchNorm(7 * 7 * 256),
      ReLU(),
      Reshape([7, 7, 256]),
      new ConvTranspose2d(256, 128, 5, { stride: 1, bias: false, rng }),
      new BatchNorm(128),
      ReLU(),
      new ConvTranspose2d(128, 64, 5, { stride: 2, bias: false, rng }),
      new BatchNorm(64),
      ReLU(),
      new ConvTranspose2d(64, 1, 5, { stride: 2, bias: false, rng }),
      Tanh(),
    ],
    'G',
  );
}

/** D: Conv(1->64, 5, s2) LeakyReLU(0.2) Dropout -> Conv(64->128, 5, s2) LeakyReLU(0.2) Dropout -> Flatten -> Dense(6272 -> 1). */
export function dcganDiscriminator(rng: Rng, dropout: number): Sequential {
  const layers = [
    new Conv2d(1, 64, 5, { stride: 2, rng }),
    LeakyReLU(0.2),
    ...(dropout > 0 ? [new Dropout(dropout, { rng })] : []),
    new Conv2d(64, 128, 5, { stride: 2, rng }),
    LeakyReLU(0.2),
    ...(dropout > 0 ? [new Dropout(dropout, { rng })] : []),
    Flatten(),
    new Dense(128 * 7 * 7, 1, { rng }),
  ];
  return new Sequential(layers, 'D');
}

/** Forward FLOPs (2 per multiply-add) of G and D for one batch of 64, for GFLOP/s figures. */
export function dcganForwardFlops(): { g: number; d: number } {
  const b = BATCH;
  const g =
    2 * b * (Z * 7 * 7 * 256 + 7 * 7 * 128 * 256 * 25 + 14 * 14 * 64 * 128 * 25 + 28 * 28 * 1 * 64 * 25);
  const d = 2 * b * (14 * 14 * 64 * 1 * 25 + 7 * 7 * 128 * 64 * 25 + 6272);
  return { g, d };
}
