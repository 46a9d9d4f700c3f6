// Test helpers for @lab packages: backend switching, closeness checks and finite-difference gradients.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setBackend, type Tensor, tensor, tidy } from '@tensorflow/tfjs-core';
import { initBackend } from '../runtime/init.js';

export type BackendName = 'cpu' | 'wasm';

/** Runs `fn` on each backend (initialising @lab once) and returns the plain results by backend. */
export async function onBackends<T>(
  backends: readonly BackendName[],
  fn: (backend: BackendName) => T | Promise<T>,
) {
  const out = {} as Record<BackendName, T>;
  for (const b of backends) {
    await initBackend({ backend: b, fallback: false });
    await setBackend(b);
    out[b] = await fn(b);
  }
  return out;
}

/** Largest |a - b| / max(1, |b|) over two equally long arrays (throws on length mismatch or NaN). */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Number.POSITIVE_INFINITY;
    const e = Math.abs(x - y) / Math.max(1, Math.abs(y));
    if (e > worst) worst = e;
  }
  return worst;
}

/** Throws with the worst index when `actual` and `expected` differ by more than `tol` (relative, floor 1). */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol = 1e-4,
  what = 'values',
): void {
  const err = maxRelativeError(actual, expected);
  if (!(err <= tol)) throw new Error(`${what}: max relative error ${err.toExponential(3)} exceeds ${tol}`);
}

/**
 * Central finite differences of a scalar function of one tensor, in float64 on the host: perturbs
 * each of up to `maxEntries` coordinates (spread over the tensor) by +-eps.
 */
export function numericGradient(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  { eps = 1e-2, maxEntries = 64 }: { eps?: number; maxEntries?: number } = {},
): { indices: number[]; values: number[] } {
  const base = x.dataSync().slice();
  const n = base.length;
  const step = Math.max(1, Math.floor(n / maxEntries));
  const indices: number[] = [];
  const values: number[] = [];
  const evalAt = (data: Float32Array) => tidy(() => f(tensor(data, x.shape, 'float32')).dataSync()[0]!);
  for (let i = 0; i < n; i += step) {
    const plus = base.slice();
    plus[i] = plus[i]! + eps;
    const minus = base.slice();
    minus[i] = minus[i]! - eps;
    indices.push(i);
    values.push((evalAt(plus as Float32Array) - evalAt(minus as Float32Array)) / (2 * eps));
  }
  return { indices, values };
}

/**
 * `n` values in [-1, 1) from a linear congruential generator: the same on every backend and run, and
 * cheap enough for the kernels' large test inputs (a `seed` of 0 counts as 1).
 */
export function seededValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A float32 tensor of `shape` filled with seededValues. */
export function seededTensor(shape: number[], seed: number): Tensor {
  return tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/**
 * The shared data directory (Fashion-MNIST, MNIST, UD EWT): $LAB_DATA_DIR, or the first
 * `shared/data` found beside the working directory or one of its ancestors. Node only.
 */
export function findSharedData(start = process.cwd()): string {
  const fromEnv = process.env.LAB_DATA_DIR;
  if (fromEnv) return resolve(fromEnv);
  let dir = resolve(start);
  for (;;) {
    for (const candidate of [join(dir, 'shared', 'data'), join(dir, '..', 'shared', 'data')]) {
      if (existsSync(candidate)) return candidate;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('shared/data not found; set LAB_DATA_DIR');
    dir = up;
  }
}

/**
 * Whether initBackend can enable relaxed SIMD in this Node (it reaches V8's flag through
 * process.getBuiltinModule, Node 20.16+): the FMA kernels are then the ones bound.
 */
export function relaxedSimdReachable(): boolean {
  return typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function';
}
