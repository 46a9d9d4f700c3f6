// Weight initialisers. Each draws from an Rng so that one seed fixes every initial weight.
import { type DataType, type Tensor, tensor } from '@tensorflow/tfjs-core';
import type { Rng } from '../random/rng.js';

export type Initializer = (shape: number[], rng: Rng) => Tensor;

/** fan_in, fan_out as PyTorch computes them (dense [in, out]; conv [kh, kw, in, out]). */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length < 2) return [shape[0] ?? 1, shape[0] ?? 1];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

function fill(shape: number[], draw: () => number, dtype: DataType = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = draw();
  return tensor(data, shape, dtype);
}

export const zeros: Initializer = (shape) => fill(shape, () => 0);
export const ones: Initializer = (shape) => fill(shape, () => 1);
/** N(0, sigma^2). */
export const normal =
  (sigma = 0.02): Initializer =>
  (shape, rng) =>
    fill(shape, () => sigma * rng.normal());
/** U(-a, a). */
export const uniform =
  (a: number): Initializer =>
  (shape, rng) =>
    fill(shape, () => (2 * rng.next() - 1) * a);
/** Glorot (Xavier) uniform: U(-sqrt(6 / (fan_in + fan_out)), +). */
export const glorotUniform: Initializer = (shape, rng) => {
  const [fi, fo] = fans(shape);
  return uniform(Math.sqrt(6 / (fi + fo)))(shape, rng);
};
/** He (Kaiming) normal for ReLU nets: N(0, 2 / fan_in). */
export const heNormal: Initializer = (shape, rng) => {
  const [fi] = fans(shape);
  return normal(Math.sqrt(2 / fi))(shape, rng);
};
/** PyTorch's default for Linear and Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt 5). */
export const torchDefault: Initializer = (shape, rng) => {
  const [fi] = fans(shape);
  return uniform(1 / Math.sqrt(fi))(shape, rng);
};
