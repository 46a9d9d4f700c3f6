// The sensitivity plot's own drawing: the pixel size limits, the y range (flat curves, non-finite
// accuracies, the baseline), the colours per layer, and the PNG's size (analysis.test.ts checks a
// whole chart).
import { describe, expect, it } from 'vitest';
import type { SensitivityResult } from './analysis.js';
import { PLOT_COLOURS, sensitivityPixels, sensitivityPng, sensitivitySvg } from './plot.js';

const row = (layer: string, sparsity: number, accuracy: number) => ({
  layer,
  sparsity,
  accuracy,
  threshold: 0,
});

const W = 100;
const H = 80;
const M = 20; // the margin the chart leaves on each side

function pixel(px: Uint8Array, x: number, y: number): number[] {
  const o = (y * W + x) * 3;
  return [px[o]!, px[o + 1]!, px[o + 2]!];
}

function count(px: Uint8Array, [r, g, b]: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < px.length; i += 3) if (px[i] === r && px[i + 1] === g && px[i + 2] === b) n++;
  return n;
}

describe('sensitivityPixels', () => {
  it('refuses sizes below 64 or above 2^24 pixels, and fractional sizes', () => {
    const r: SensitivityResult = { baseline: 1, rows: [row('a', 0, 1)] };
    for (const [width, height] of [
      [63, 100],
      [100, 63],
      [64.5, 100],
      [4097, 4097],
    ] as const)
      expect(() => sensitivityPixels(r, { width, height })).toThrow(
        `sensitivityPng: size ${width}x${height} is outside 64..4096 pixels a side`,
      );
    expect(sensitivityPixels(r, { width: 64, height: 64 })).toHaveLength(64 * 64 * 3);
  });

  it('refuses a result without one finite accuracy', () => {
    expect(() => sensitivityPixels({ baseline: 1, rows: [] })).toThrow(/no finite accuracies/);
    expect(() => sensitivityPixels({ baseline: 1, rows: [row('a', 0, Number.NaN)] })).toThrow(/no finite/);
  });

  it('draws black axes at the margins, on a white background', () => {
    const px = sensitivityPixels({ baseline: 0.5, rows: [row('a', 0.5, 0.5)] }, { width: W, height: H });
    // the corner outside the chart is white; the x axis (bottom) and y axis (left) are black
    expect(pixel(px, 0, 0)).toEqual([255, 255, 255]);
    expect(pixel(px, M, M + 5)).toEqual([0, 0, 0]);
    expect(pixel(px, W - M - 3, H - M)).toEqual([0, 0, 0]);
  });

  it('puts a flat curve in the middle of a range widened by one each way', () => {
    // one layer at 0.7 everywhere and the baseline 0.7: y range 0.7 +- 1, so the line sits mid-height
    const px = sensitivityPixels(
      { baseline: 0.7, rows: [row('a', 0, 0.7), row('a', 1, 0.7)] },
      { width: W, height: H },
    );
    const mid = Math.round(H - M - 0.5 * (H - 2 * M));
    expect(pixel(px, 50, mid)).toEqual([...PLOT_COLOURS[0]!]);
    expect(pixel(px, 50, mid - 10)).not.toEqual([...PLOT_COLOURS[0]!]);
  });

  it('gives each layer the next colour, cycling after six, and skips non-finite points', () => {
    const layers = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
    const rows = layers.flatMap((l, k) => [row(l, 0, k), row(l, 1, k)]);
    const px = sensitivityPixels({ baseline: 0, rows }, { width: W, height: H });
    for (const colour of PLOT_COLOURS.slice(1)) expect(count(px, colour)).toBeGreaterThan(50);
    // l6 draws in l0's colour: at the top of the chart (accuracy 6 is the maximum)
    expect(pixel(px, 50, M)).toEqual([...PLOT_COLOURS[0]!]);
    // a layer whose only neighbouring points are NaN draws no line
    const gap = sensitivityPixels(
      { baseline: 0, rows: [row('a', 0, 0), row('a', 0.5, Number.NaN), row('b', 0, 1), row('b', 1, 1)] },
      { width: W, height: H },
    );
    expect(count(gap, PLOT_COLOURS[0]!)).toBe(0);
    expect(count(gap, PLOT_COLOURS[1]!)).toBeGreaterThan(50);
  });

  it('includes the baseline in the y range and draws it as a dashed grey line', () => {
    // accuracies 0.4..0.5, baseline 0.9: the baseline is the top of the range
    const px = sensitivityPixels(
      { baseline: 0.9, rows: [row('a', 0, 0.5), row('a', 1, 0.4)] },
      { width: W, height: H },
    );
    const grey = [120, 120, 120];
    const top = Array.from({ length: W }, (_, x) => pixel(px, x, M).join(','));
    expect(top.filter((p) => p === grey.join(',')).length).toBeGreaterThan(20);
    expect(top.filter((p) => p === grey.join(',')).length).toBeLessThan(W - 2 * M);
  });
});

describe('sensitivityPng and sensitivitySvg', () => {
  it('encode a PNG of the size asked for, and an SVG with one legend entry per layer', () => {
    const r: SensitivityResult = { baseline: 0.9, rows: [row('conv1', 0, 0.9), row('fc', 0, 0.8)] };
    const png = sensitivityPng(r, { width: 64, height: 96 });
    const ihdr = new DataView(png.buffer, png.byteOffset + 16, 8);
    expect([ihdr.getUint32(0), ihdr.getUint32(4)]).toEqual([64, 96]);
    const svg = sensitivitySvg(r, 'my title');
    expect(svg).toContain('my title');
    expect(svg).toContain('conv1');
    expect(svg).toContain('fc');
  });
});
