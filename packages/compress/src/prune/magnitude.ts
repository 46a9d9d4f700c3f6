// Magnitude pruning (Han et al. 2015): a connection is kept when |w| > threshold. The threshold is
// quality x std of the layer's weights, or the magnitude that reaches a target sparsity per layer or
// over all layers at once (global). Computed on the CPU in float64 so ties and thresholds are exact.
import { cast, type Tensor, tensor, tidy, type Variable, where, zerosLike } from '@tensorflow/tfjs-core';

export type PruneCriterion =
  /** Han et al.: threshold = quality x std of each layer's weights. */
  | { kind: 'quality'; quality: number | Readonly<Record<string, number>> }
  /** The smallest-magnitude fraction of each layer (a number for all, or per layer). */
  | { kind: 'sparsity'; sparsity: number | Readonly<Record<string, number>> }
  /** The smallest-magnitude fraction of all layers together. */
  | { kind: 'global'; sparsity: number };

export interface PruneRow {
  name: string;
  size: number;
  kept: number;
  sparsity: number;
  threshold: number;
}

/** Standard deviation (population) of the values. */
export function standardDeviation(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return Math.sqrt(ss / n);
}

function checkFraction(x: number, what: string): void {
  if (!(x >= 0 && x <= 1)) throw new RangeError(`${what} must be in [0, 1], got ${x}`);
}

/**
 * Keep-mask (1 keep, 0 prune) removing exactly round(sparsity x n) of the smallest magnitudes
 * (ties broken by position, so the count is exact).
 */
export function sparsityMask(values: ArrayLike<number>, sparsity: number): Uint8Array {
  checkFraction(sparsity, 'sparsity');
  const n = values.length;
  const prune = Math.round(sparsity * n);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => Math.abs(values[a]!) - Math.abs(values[b]!) || a - b,
  );
  const mask = new Uint8Array(n).fill(1);
  for (let i = 0; i < prune; i++) mask[order[i]!] = 0;
  return mask;
}

/** Keep-mask of |w| > threshold. */
export function thresholdMask(values: ArrayLike<number>, threshold: number): Uint8Array {
  if (!(threshold >= 0)) throw new RangeError(`threshold must be >= 0, got ${threshold}`);
  return Uint8Array.from({ length: values.length }, (_, i) => (Math.abs(values[i]!) > threshold ? 1 : 0));
}

/** The largest pruned magnitude of a mask (0 when nothing is pruned): the threshold it implies. */
function impliedThreshold(values: ArrayLike<number>, mask: Uint8Array): number {
  let t = 0;
  for (let i = 0; i < mask.length; i++) if (!mask[i]) t = Math.max(t, Math.abs(values[i]!));
  return t;
}

function perLayer<T>(x: T | Readonly<Record<string, T>>, name: string, what: string): T {
  if (typeof x !== 'object' || x === null) return x as T;
  if (!Object.hasOwn(x, name)) throw new Error(`${what}: no value for layer '${name}'`);
  return (x as Record<string, T>)[name]!;
}

/** Keep-masks (as 0/1 arrays) for each weight under a criterion. */
export function magnitudeMasks(
  weights: Readonly<Record<string, ArrayLike<number>>>,
  criterion: PruneCriterion,
): Record<string, { mask: Uint8Array; threshold: number }> {
  const out: Record<string, { mask: Uint8Array; threshold: number }> = {};
  if (criterion.kind === 'global') {
    checkFraction(criterion.sparsity, 'sparsity');
    const names = Object.keys(weights);
    const all = new Float64Array(names.reduce((a, k) => a + weights[k]!.length, 0));
    let o = 0;
    for (const k of names) for (let i = 0; i < weights[k]!.length; i++) all[o++] = weights[k]![i]!;
    const mask = sparsityMask(all, criterion.sparsity);
    const threshold = impliedThreshold(all, mask);
    o = 0;
    for (const k of names) {
      const n = weights[k]!.length;
      out[k] = { mask: mask.slice(o, o + n), threshold };
      o += n;
    }
    return out;
  }
  for (const [k, w] of Object.entries(weights)) {
    if (criterion.kind === 'quality') {
      const q = perLayer(criterion.quality, k, 'quality');
      if (!(q >= 0)) throw new RangeError(`quality for '${k}' must be >= 0, got ${q}`);
      const threshold = q * standardDeviation(w);
      out[k] = { mask: thresholdMask(w, threshold), threshold };
    } else {
      const mask = sparsityMask(w, perLayer(criterion.sparsity, k, 'sparsity'));
      out[k] = { mask, threshold: impliedThreshold(w, mask) };
    }
  }
  return out;
}

/**
 * Prunes variables in place and returns their float32 keep-masks (for `keepPruned`; the caller
 * owns and disposes them) with a report row per layer. Pruned weights become +0 exactly.
 * A `previous` mask set is respected: once pruned, a weight stays pruned.
 */
export function pruneWeights(
  weights: Readonly<Record<string, Variable>>,
  criterion: PruneCriterion,
  previous?: Readonly<Record<string, Tensor>>,
): { masks: Record<string, Tensor>; rows: PruneRow[] } {
  const values: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(weights)) values[k] = v.dataSync() as Float32Array;
  const computed = magnitudeMasks(values, criterion);
  const masks: Record<string, Tensor> = {};
  const rows: PruneRow[] = [];
  for (const [k, v] of Object.entries(weights)) {
    const { mask, threshold } = computed[k]!;
    const prev = previous?.[k]?.dataSync();
    if (prev) for (let i = 0; i < mask.length; i++) if (prev[i] === 0) mask[i] = 0;
    const m = tensor(Float32Array.from(mask), v.shape, 'float32');
    const pruned = tidy(() => where(cast(m, 'bool'), v, zerosLike(v)));
    v.assign(pruned);
    pruned.dispose();
    masks[k] = m;
    const kept = mask.reduce((a, b) => a + b, 0);
    rows.push({ name: k, size: mask.length, kept, sparsity: 1 - kept / mask.length, threshold });
  }
  return { masks, rows };
}

/** Fraction of exact zeros in each tensor, and overall. */
export function sparsityOf(weights: Readonly<Record<string, Tensor>>): {
  perLayer: Record<string, number>;
  overall: number;
} {
  const perLayer: Record<string, number> = {};
  let zeros = 0;
  let total = 0;
  for (const [k, v] of Object.entries(weights)) {
    const d = v.dataSync();
    let z = 0;
    for (let i = 0; i < d.length; i++) if (d[i] === 0) z++;
    perLayer[k] = d.length ? z / d.length : 0;
    zeros += z;
    total += d.length;
  }
  return { perLayer, overall: total ? zeros / total : 0 };
}
