// Line charts as PNG (encoded by core's imageGridPng, i.e. fast-png): axes, a light grid, tick
// labels, one coloured polyline with markers per series and a legend, drawn as pixels. For benchmark
// plots and training curves where an image is wanted rather than an SVG.
import { imageGridPng } from '@lab/core';
import { textPixels, textWidth } from './font.js';

export type Rgb = readonly [number, number, number];

export interface ChartSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  colour?: Rgb;
  /** Drawn dashed (e.g. a reference or a peer's figures). */
  dashed?: boolean;
}

export interface LineChartOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Log-scale x axis (all x must be > 0). */
  xLog?: boolean;
  /** Tick positions and labels on x (default five even ticks). */
  xTicks?: readonly { value: number; label: string }[];
  /** y range (default the data's, padded). */
  yRange?: readonly [number, number];
  /** Size of a font pixel in image pixels (default 2). */
  textScale?: number;
}

export const CHART_COLOURS: readonly Rgb[] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [255, 127, 14],
  [148, 103, 189],
  [140, 86, 75],
  [127, 127, 127],
];

const tickText = (v: number) =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0)
    ? v.toExponential(1)
    : String(Number(v.toPrecision(3)));

/** The chart's RGB pixels, row-major, 3 bytes a pixel. */
export function lineChartPixels(series: readonly ChartSeries[], o: LineChartOptions = {}): Uint8Array {
  const { width = 560, height = 360, title = '', xLabel = '', yLabel = '', xLog = false, textScale = 2 } = o;
  if (
    !(
      Number.isInteger(width) &&
      Number.isInteger(height) &&
      width >= 160 &&
      height >= 120 &&
      width * height <= 2 ** 24
    )
  )
    throw new RangeError(`lineChart: size ${width}x${height} is outside 160x120 .. 16M pixels`);
  for (const s of series)
    if (s.x.length !== s.y.length)
      throw new RangeError(`lineChart: series '${s.name}' has ${s.x.length} x and ${s.y.length} y values`);
  const tx = (x: number) => (xLog ? Math.log10(x) : x);
  const points = series.flatMap((s) => s.x.map((x, i) => [x, s.y[i]!] as const));
  const finite = points.filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(y));
  if (finite.length === 0) throw new RangeError('lineChart: no finite points');
  let [x0, x1] = [Math.min(...finite.map((p) => tx(p[0]))), Math.max(...finite.map((p) => tx(p[0])))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = o.yRange ?? [Math.min(...finite.map((p) => p[1])), Math.max(...finite.map((p) => p[1]))];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  if (!o.yRange) {
    const padY = (y1 - y0) * 0.05;
    [y0, y1] = [y0 - padY, y1 + padY];
  }
  const px = new Uint8Array(width * height * 3).fill(255);
  const set = (x: number, y: number, c: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 3;
    px[i] = c[0];
    px[i + 1] = c[1];
    px[i + 2] = c[2];
  };
  const text = (s: string, x: number, y: number, c: Rgb = [0, 0, 0]) => {
    for (const [gx, gy] of textPixels(s))
      for (let a = 0; a < textScale; a++)
        for (let b = 0; b < textScale; b++) set(x + gx * textScale + a, y + gy * textScale + b, c);
  };
  const lineH = 7 * textScale;
  const legendW = Math.max(0, ...series.map((s) => textWidth(s.name))) * textScale + 24;
  const m = {
    l: 12 * textScale + 4 * 4 * textScale,
    r: legendW + 12,
    t: title ? 3 * lineH : lineH,
    b: 2 * lineH + 6,
  };
  const plotW = width - m.l - m.r;
  const plotH = height - m.t - m.b;
  if (plotW < 40 || plotH < 40) throw new RangeError(`lineChart: ${width}x${height} leaves no room to plot`);
  const sx = (x: number) => Math.round(m.l + ((tx(x) - x0) / (x1 - x0)) * plotW);
  const sy = (y: number) => Math.round(m.t + plotH - ((y - y0) / (y1 - y0)) * plotH);
  // grid and ticks
  const xTicks =
    o.xTicks ??
    Array.from({ length: 5 }, (_, i) => {
      const t = x0 + ((x1 - x0) * i) / 4;
      const v = xLog ? 10 ** t : t;
      return { value: v, label: tickText(v) };
    });
  const grey: Rgb = [225, 225, 225];
  for (const t of xTicks) {
    const x = sx(t.value);
    for (let y = m.t; y <= m.t + plotH; y++) set(x, y, grey);
    text(t.label, x - Math.floor((textWidth(t.label) * textScale) / 2), m.t + plotH + 4);
  }
  for (let i = 0; i <= 4; i++) {
    const v = y0 + ((y1 - y0) * i) / 4;
    const y = sy(v);
    for (let x = m.l; x <= m.l + plotW; x++) set(x, y, grey);
    const label = tickText(v);
    text(label, m.l - 4 - textWidth(label) * textScale, y - Math.floor((5 * textScale) / 2));
  }
  for (let x = m.l; x <= m.l + plotW; x++) set(x, m.t + plotH, [0, 0, 0]);
  for (let y = m.t; y <= m.t + plotH; y++) set(m.l, y, [0, 0, 0]);
  if (title) text(title, m.l, 2);
  if (xLabel) text(xLabel, m.l + Math.floor((plotW - textWidth(xLabel) * textScale) / 2), height - lineH);
  if (yLabel) text(yLabel, 4, Math.max(0, m.t - lineH));
  // series
  series.forEach((s, k) => {
    const c = s.colour ?? CHART_COLOURS[k % CHART_COLOURS.length]!;
    const pts = s.x
      .map((x, i) => [x, s.y[i]!] as const)
      .filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(y))
      .map(([x, y]) => [sx(x), sy(y)] as const);
    let drawn = 0;
    for (let i = 1; i < pts.length; i++) {
      const [ax, ay] = pts[i - 1]!;
      const [bx, by] = pts[i]!;
      const steps = Math.max(Math.abs(bx - ax), Math.abs(by - ay), 1);
      for (let t = 0; t <= steps; t++, drawn++) {
        if (s.dashed && (drawn >> 2) % 2 === 1) continue;
        const x = Math.round(ax + ((bx - ax) * t) / steps);
        const y = Math.round(ay + ((by - ay) * t) / steps);
        set(x, y, c);
        set(x, y + 1, c);
      }
    }
    for (const [x, y] of pts)
      for (let a = -2; a <= 2; a++) for (let b = -2; b <= 2; b++) set(x + a, y + b, c);
    // legend entry
    const ly = m.t + k * (lineH + 2);
    const lx = width - m.r + 8;
    for (let a = 0; a < 12; a++) for (let b = 0; b < 3; b++) set(lx + a, ly + 3 * textScale - 1 + b, c);
    text(s.name, lx + 16, ly + textScale, c);
  });
  return px;
}

/** The chart as PNG bytes. */
export function lineChartPng(series: readonly ChartSeries[], o: LineChartOptions = {}): Uint8Array {
  const { width = 560, height = 360 } = o;
  return imageGridPng(lineChartPixels(series, o), [1, height, width, 3], { padding: 0, range: [0, 255] });
}
