import { describe, expect, it } from 'vitest';
import { normals } from '../test-helpers.js';
import { calibrate, dequantize, MinMaxObserver, quantize } from './affine.js';

function maxErrorOk(x: Float32Array, shape: number[], axis?: number, dtype?: 'int8' | 'uint8') {
  const p = calibrate(x, shape, { axis, dtype });
  const q = quantize(x, shape, p);
  const back = dequantize(q, shape, p);
  const inner = axis === undefined ? 1 : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < x.length; i++) {
    const c = axis === undefined ? 0 : Math.floor(i / inner) % shape[axis]!;
    expect(q[i]).toBeGreaterThanOrEqual(p.qmin);
    expect(q[i]).toBeLessThanOrEqual(p.qmax);
    expect(Math.abs(back[i]! - x[i]!)).toBeLessThanOrEqual((p.scale[c]! / 2) * (1 + 1e-5));
  }
  return p;
}

describe('8-bit affine quantization', () => {
  it('per tensor: round-trip error at most scale / 2, zero exact', () => {
    const x = normals(1000, 2);
    x[0] = 0;
    const p = maxErrorOk(x, [1000]);
    expect(p.scale).toHaveLength(1);
    expect(dequantize(quantize([0], [1], p), [1], p)[0]).toBe(0);
    maxErrorOk(x, [1000], undefined, 'uint8');
    // all-positive data: the range is widened to include 0
    const pos = x.map(Math.abs);
    const pp = maxErrorOk(pos, [1000]);
    expect(pp.zeroPoint[0]).toBe(-128);
  });

  it('per channel (last axis of a [3, 3, 2, 4] kernel): one scale per channel, tighter on small channels', () => {
    const x = normals(72, 3);
    for (let i = 0; i < 72; i++) x[i]! *= 10 ** (i % 4) / 100; // channel c has scale 10^c / 100
    const p = maxErrorOk(x, [3, 3, 2, 4], 3);
    expect(p.scale).toHaveLength(4);
    expect(p.scale[0]! * 50).toBeLessThan(p.scale[3]!);
    // axis 0 works too
    maxErrorOk(x, [3, 3, 2, 4], 0);
  });

  it('calibrates over several batches with a min/max observer', () => {
    const obs = new MinMaxObserver();
    obs.observe([-1, 0.5]);
    obs.observe([2, 0]);
    const p = obs.params('uint8');
    expect(p.scale[0]).toBeCloseTo(3 / 255, 7);
    expect(p.zeroPoint[0]).toBe(85);
    const perChannel = new MinMaxObserver(2);
    perChannel.observe([1, -4, 3, 2]);
    expect(Array.from(perChannel.min)).toEqual([1, -4]);
    expect(Array.from(perChannel.max)).toEqual([3, 2]);
    expect(() => new MinMaxObserver().params()).toThrow(/no values/);
    expect(() => obs.observe([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    expect(() => calibrate([1, 2], [3])).toThrow(/2 values/);
    expect(() => calibrate([1, 2], [2], { axis: 1 })).toThrow(/axis/);
  });
});
