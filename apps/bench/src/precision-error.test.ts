// precision-error.ts's edge cases beyond precision.test.ts: infinities, empty inputs, a NaN in the
// reference, typed-array inputs and the ratio at zero.
import { describe, expect, it } from 'vitest';
import { errorFigures, errorRatio, joinHiLo } from './precision-error.js';

describe('errorFigures', () => {
  it('is zero for empty inputs and infinite when a value overflows', () => {
    expect(errorFigures([], [])).toEqual({ relErr: 0, maxAbs: 0 });
    const inf = errorFigures(Float32Array.of(Number.POSITIVE_INFINITY, 1), Float64Array.of(1, 1));
    expect(inf).toEqual({ relErr: Number.POSITIVE_INFINITY, maxAbs: Number.POSITIVE_INFINITY });
  });

  it('flags a NaN in the reference as in the result, and infinity against infinity', () => {
    expect(errorFigures([1, 2], [1, Number.NaN]).maxAbs).toBeNaN();
    expect(errorFigures([Number.POSITIVE_INFINITY], [Number.POSITIVE_INFINITY]).relErr).toBeNaN();
  });

  it('accumulates in float64: differences below float32 resolution beside 1 still count', () => {
    // x - ref = 2^-30 in each of 4 entries: a float32 sum of squares would lose it beside 1
    const ref = Float64Array.of(1, 1, 1, 1);
    const x = Float64Array.from(ref, (v) => v + 2 ** -30);
    const e = errorFigures(x, ref);
    expect(e.maxAbs).toBe(2 ** -30);
    expect(e.relErr).toBeCloseTo(2 ** -30, 20);
  });
});

describe('joinHiLo and errorRatio', () => {
  it('joins empty arrays and keeps the sign of each part', () => {
    expect(joinHiLo(new Float32Array(0), new Float32Array(0))).toEqual(new Float64Array(0));
    expect(Array.from(joinHiLo(Float32Array.of(-1, 2), Float32Array.of(2 ** -40, -(2 ** -40))))).toEqual([
      -1 + 2 ** -40,
      2 - 2 ** -40,
    ]);
    expect(() => joinHiLo(new Float32Array(1), new Float32Array(3))).toThrow(
      'joinHiLo: high part of 1 values, remainder of 3',
    );
  });

  it('gives 0 when ours is exact and the peer is not', () => {
    expect(errorRatio(0, 1e-7)).toBe(0);
    expect(errorRatio(2, 4)).toBe(0.5);
  });
});
