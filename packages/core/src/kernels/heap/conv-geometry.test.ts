import { describe, expect, it } from 'vitest';
import { type ConvGeometry, convKernelArgs, packedFloats } from './conv-geometry.js';

const geometry = (over: Partial<ConvGeometry> = {}): ConvGeometry => ({
  n: 2,
  h: 9,
  w: 7,
  ci: 3,
  oh: 5,
  ow: 4,
  co: 10,
  kh: 3,
  kw: 2,
  sh: 2,
  sw: 2,
  dh: 1,
  dw: 1,
  top: 1,
  left: 0,
  ...over,
});

describe('packedFloats', () => {
  it('rounds the output channels up to whole panels of 8', () => {
    expect(packedFloats(geometry({ co: 10 }))).toBe(16 * 3 * 2 * 3);
    expect(packedFloats(geometry({ co: 8 }))).toBe(8 * 18);
    expect(packedFloats(geometry({ co: 1 }))).toBe(8 * 18);
    expect(packedFloats(geometry({ co: 17, kh: 1, kw: 1, ci: 5 }))).toBe(24 * 5);
  });
});

describe('convKernelArgs', () => {
  it('lists the pointers, then the geometry in the order of conv2d_nhwc, then the panel group', () => {
    const g = geometry();
    const args = convKernelArgs(g, 100, 200, 300, 400);
    expect(args).toHaveLength(20);
    expect(args.slice(0, 4)).toEqual([100, 200, 300, 400]);
    expect(args.slice(4, 19)).toEqual([2, 9, 7, 3, 5, 4, 10, 3, 2, 2, 2, 1, 1, 1, 0]);
    // K = 18: a panel of 18 * 8 floats is 576 bytes, 455 of them fit in 256 KiB
    expect(args[19]).toBe(Math.floor((256 * 1024) / (18 * 8 * 4)));
  });

  it('groups at least one panel, however large the filter', () => {
    const huge = geometry({ kh: 5, kw: 5, ci: 4096 });
    expect(convKernelArgs(huge, 0, 0, 0, 0)[19]).toBe(1);
    // exactly 256 KiB per panel: K = 8192
    expect(convKernelArgs(geometry({ kh: 1, kw: 1, ci: 8192 }), 0, 0, 0, 0)[19]).toBe(1);
    expect(convKernelArgs(geometry({ kh: 1, kw: 1, ci: 4096 }), 0, 0, 0, 0)[19]).toBe(2);
  });
});
