import { describe, expect, it } from 'vitest';
import { errorFigures, errorRatio, joinHiLo } from './precision-error.js';
import { convOutputShape, precisionOps } from './precision-ops.js';

describe('precision error figures', () => {
  it('gives the relative L2 error and the largest absolute error', () => {
    // diff (0, 0.3, -0.4): norm 0.5; reference (3, 4, 0): norm 5
    const e = errorFigures([3, 4.3, -0.4], [3, 4, 0]);
    expect(e.relErr).toBeCloseTo(0.1, 12);
    expect(e.maxAbs).toBeCloseTo(0.4, 12);
    expect(errorFigures([1, 2], [1, 2])).toEqual({ relErr: 0, maxAbs: 0 });
  });

  it('falls back to the absolute norm for an all-zero reference and flags NaN', () => {
    expect(errorFigures([3, 4], [0, 0]).relErr).toBeCloseTo(5, 12);
    expect(errorFigures([Number.NaN, 1], [1, 1]).relErr).toBeNaN();
    expect(() => errorFigures([1], [1, 2])).toThrow(/1 values against a reference of 2/);
  });

  it('rebuilds a float64 value from its float32 high part and remainder', () => {
    const x = 1 / 3;
    const hi = Float32Array.of(x);
    const lo = Float32Array.of(x - hi[0]!);
    const joined = joinHiLo(hi, lo)[0]!;
    expect(Math.abs(joined - x)).toBeLessThan(1e-14);
    expect(Math.abs(hi[0]! - x)).toBeGreaterThan(1e-9); // the high part alone is float32
    expect(() => joinHiLo(new Float32Array(2), new Float32Array(1))).toThrow(RangeError);
  });

  it('divides ours by the peer, with no ratio when only ours is off', () => {
    expect(errorRatio(3e-7, 1e-7)).toBeCloseTo(3, 12);
    expect(errorRatio(0, 0)).toBe(1);
    expect(errorRatio(1e-7, 0)).toBeNull();
  });
});

describe('precision op list', () => {
  const ops = precisionOps();
  const byName = (name: string) => ops.find((o) => o.op === name)!;

  it('covers every op kind of W1 and W2 once or more, with unique names', () => {
    const kinds = new Set(ops.map((o) => o.kind));
    for (const k of [
      'conv',
      'convTranspose',
      'dense',
      'batchNorm',
      'leakyRelu',
      'dropout',
      'bce',
      'wasserstein',
      'gradientPenalty',
      'adam',
    ])
      expect(kinds.has(k as never)).toBe(true);
    expect(new Set(ops.map((o) => o.op)).size).toBe(ops.length);
  });

  it("chains the generator's shapes from z to a 28x28 image", () => {
    const fc = byName('dense G.fc');
    expect(convOutputShape(fc)).toEqual([64, 7 * 7 * 256]);
    expect(byName('batchNorm1d G.bn0')).toMatchObject({ x: [64, 12544] });
    const c1 = byName('convT G.c1');
    expect(c1.kind === 'convTranspose' && c1.x).toEqual([64, 7, 7, 256]);
    expect(convOutputShape(c1)).toEqual([64, 7, 7, 128]);
    expect(convOutputShape(byName('convT G.c2'))).toEqual([64, 14, 14, 64]);
    expect(convOutputShape(byName('convT G.c3'))).toEqual([64, 28, 28, 1]);
    expect(byName('batchNorm2d G.bn1')).toMatchObject({ x: [64, 7, 7, 128] });
    expect(byName('batchNorm2d G.bn2')).toMatchObject({ x: [64, 14, 14, 64] });
  });

  it("chains the discriminator's shapes from an image to one logit", () => {
    expect(convOutputShape(byName('conv D.c1'))).toEqual([64, 14, 14, 64]);
    const c2 = byName('conv D.c2');
    expect(c2.kind === 'conv' && c2.x).toEqual([64, 14, 14, 64]);
    expect(convOutputShape(c2)).toEqual([64, 7, 7, 128]);
    expect(convOutputShape(byName('dense D.fc'))).toEqual([64, 1]);
    expect(byName('dense D.fc')).toMatchObject({ x: [64, 6272] });
    expect(byName('gradientPenalty D')).toMatchObject({ images: [64, 28, 28, 1], width: 64 });
  });

  it("uses W1's and W2's Adam hyper-parameters", () => {
    expect(byName('adam W1')).toMatchObject({ lr: 2e-4, b1: 0.5, b2: 0.999 });
    expect(byName('adam W2')).toMatchObject({ lr: 1e-4, b1: 0, b2: 0.9 });
    expect(() => convOutputShape(byName('adam W1'))).toThrow(/not a conv or dense op/);
  });
});
