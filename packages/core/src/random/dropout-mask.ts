// tfjs's dropout draws its uniforms one by one from a seeded alea generator in JavaScript (about
// 25 ns each) and then needs four more kernels to turn them into a mask. W1's discriminator drops
// 3.6M activations per iteration and the parser 131k per batch, so @lab draws the mask from its own
// fast stream (mulberry32 seeded once per call) and applies it with one multiply. The mask is one
// kernel where the backend has it (kernels/fused/bernoulli-mask.ts: SIMD on wasm).
import type { Tensor } from '@tensorflow/tfjs-core';
import { bernoulliMask } from '../kernels/fused/bernoulli-mask.js';
import { tensorFromView } from '../runtime/copy.js';
import { labRuntime } from '../runtime/lab-runtime.js';
import { Rng } from './rng.js';

// masks are written into the runtime's scratch memory and copied into the tensor, so that no array
// per call becomes garbage (up to 4M values; larger masks get their own array)
const SCRATCH_LIMIT = 1 << 22;

/** Inverted-dropout mask of `shape`: 1 / (1 - rate) with probability 1 - rate, else 0. */
export function dropoutMask(shape: readonly number[], rate: number, seed: number): Tensor {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  const n = shape.reduce((a, b) => a * b, 1);
  const keep = 1 - rate;
  const scale = 1 / keep;
  const fused = bernoulliMask({ shape: [...shape], p: keep, value: scale, seed });
  if (fused) return fused;
  const values = n <= SCRATCH_LIMIT ? labRuntime().scratchFloats(n) : new Float32Array(n);
  new Rng(seed).fillBernoulli(values, keep, scale);
  return tensorFromView(values, [...shape]);
}
