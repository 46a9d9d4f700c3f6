// Small deterministic fixtures shared by the tests (not exported by the package).
import { Rng } from '@lab/core';

/** n pseudo-random normal values (float32) from a seed. */
export function normals(n: number, seed = 1, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** Float32 bit patterns, to compare arrays bit for bit. */
export function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
