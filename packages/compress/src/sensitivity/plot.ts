// Sensitivity curves as pictures: an SVG with labels (core's curvesSvg) and a PNG drawn here as
// pixels (axes, grid, one coloured line per layer) and encoded by core's imageGridPng.
import { curvesSvg, imageGridPng } from '@lab/core';
import type { SensitivityResult } from './analysis.js';

/** Line colours in layer order (the same order as the SVG legend). */
export const PLOT_COLOURS: ReadonlyArray<[number, number, number]> = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [255, 127, 14],
  [148, 103, 189],
  [140, 86, 75],
];

function curves(result: SensitivityResult) {
  const byLayer = new Map<string, { x: number[]; y: number[] }>();
  for (const r of result.rows) {
    const c = byLayer.get(r.layer) ?? { x: [], y: [] };
    c.x.push(r.sparsity);
    c.y.push(r.accuracy);
    byLayer.set(r.layer, c);
  }
  return Array.from(byLayer, ([name, c]) => ({ name, steps: c.x, values: c.y }));
}

export function sensitivitySvg(
  result: SensitivityResult,
  title = 'accuracy against sparsity per layer',
): string {
  return curvesSvg(curves(result), { title });
}

/** A PNG line chart: x = sparsity 0..1, y = accuracy over the observed range; grid every 10%. */
export function sensitivityPng(result: SensitivityResult, { width = 480, height = 320 } = {}): Uint8Array {
  const px = sensitivityPixels(result, { width, height });
  return imageGridPng(px, [1, height, width, 3], { padding: 0, range: [0, 255] });
}

/** The chart's RGB pixels (row-major, 3 bytes a pixel), before PNG encoding. */
export function sensitivityPixels(result: SensitivityResult, { width = 480, height = 320 } = {}): Uint8Array {
  if (
    !(
      Number.isInteger(width) &&
      Number.isInteger(height) &&
      width >= 64 &&
      height >= 64 &&
      width * height <= 2 ** 24
    )
  )
    throw new RangeError(`sensitivityPng: size ${width}x${height} is outside 64..4096 pixels a side`);
  const series = curves(result);
  const ys = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (ys.length === 0) throw new RangeError('sensitivityPng: no finite accuracies');
  let y0 = Math.min(...ys, result.baseline);
  let y1 = Math.max(...ys, result.baseline);
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = new Uint8Array(width * height * 3).fill(255);
  const set = (x: number, y: number, [r, g, b]: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const o = (y * width + x) * 3;
    px[o] = r!;
    px[o + 1] = g!;
    px[o + 2] = b!;
  };
  const m = 20;
  const sx = (x: number) => Math.round(m + x * (width - 2 * m));
  const sy = (y: number) => Math.round(height - m - ((y - y0) / (y1 - y0)) * (height - 2 * m));
  for (let i = 0; i <= 10; i++) {
    for (let y = m; y <= height - m; y++) set(sx(i / 10), y, i === 0 ? [0, 0, 0] : [225, 225, 225]);
    const gy = sy(y0 + ((y1 - y0) * i) / 10);
    for (let x = m; x <= width - m; x++) set(x, gy, i === 0 ? [0, 0, 0] : [225, 225, 225]);
  }
  // the baseline accuracy as a dashed grey line
  for (let x = m; x <= width - m; x++) if ((x >> 2) % 2 === 0) set(x, sy(result.baseline), [120, 120, 120]);
  series.forEach((s, k) => {
    const colour = PLOT_COLOURS[k % PLOT_COLOURS.length]!;
    const pts = s.values
      .map((v, i) => [sx(s.steps[i]!), sy(v)] as const)
      .filter(([, y]) => Number.isFinite(y));
    for (let i = 1; i < pts.length; i++) {
      const [xa, ya] = pts[i - 1]!;
      const [xb, yb] = pts[i]!;
      const n = Math.max(Math.abs(xb - xa), Math.abs(yb - ya), 1);
      for (let t = 0; t <= n; t++) {
        const x = Math.round(xa + ((xb - xa) * t) / n);
        const y = Math.round(ya + ((yb - ya) * t) / n);
        for (let dx = 0; dx < 2; dx++) for (let dy = 0; dy < 2; dy++) set(x + dx, y + dy, colour);
      }
    }
  });
  return px;
}
