// Error measures of the precision bench: a float32 result against a float64 reference.

export interface ErrorFigures {
  /** ||x - ref||_2 / ||ref||_2 (the absolute norm when the reference is all zeros). */
  relErr: number;
  /** max_i |x_i - ref_i|. */
  maxAbs: number;
}

/** Relative L2 error and largest absolute error of `x` against `ref`, accumulated in float64. */
export function errorFigures(x: ArrayLike<number>, ref: ArrayLike<number>): ErrorFigures {
  if (x.length !== ref.length)
    throw new RangeError(`errorFigures: ${x.length} values against a reference of ${ref.length}`);
  let diffSq = 0;
  let refSq = 0;
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - ref[i]!;
    if (Number.isNaN(d)) return { relErr: Number.NaN, maxAbs: Number.NaN };
    diffSq += d * d;
    refSq += ref[i]! * ref[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  const relErr = refSq > 0 ? Math.sqrt(diffSq / refSq) : Math.sqrt(diffSq);
  return { relErr, maxAbs };
}

/** A float64 value sent as two float32 arrays (high part and remainder): their sum in float64. */
export function joinHiLo(hi: Float32Array, lo: Float32Array): Float64Array {
  if (hi.length !== lo.length)
    throw new RangeError(`joinHiLo: high part of ${hi.length} values, remainder of ${lo.length}`);
  const out = new Float64Array(hi.length);
  for (let i = 0; i < hi.length; i++) out[i] = hi[i]! + lo[i]!;
  return out;
}

/** ours / peer's relative error; 1 when both are exact, null when only ours is off (no ratio). */
export function errorRatio(ours: number, peer: number): number | null {
  if (peer > 0) return ours / peer;
  return ours === 0 ? 1 : null;
}
