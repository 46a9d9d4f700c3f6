// Metric curves as a small standalone SVG line chart.

export interface Series {
  name: string;
  values: ReadonlyArray<number>;
  /** x positions (default 0, 1, 2, ...). */
  steps?: ReadonlyArray<number>;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const esc = (s: string) =>
  s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
const fmt = (v: number) =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : v.toPrecision(3);

/** Draws each series as a polyline with axes, tick labels and a legend; non-finite points are skipped. */
export function curvesSvg(
  series: ReadonlyArray<Series>,
  { width = 640, height = 360, title = '' } = {},
): string {
  const pts = series.map((s) =>
    s.values
      .map((v, i) => [s.steps?.[i] ?? i, v] as const)
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  );
  const all = pts.flat();
  if (all.length === 0) throw new RangeError('curvesSvg: no finite points');
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const m = { l: 60, r: 20, t: title ? 30 : 12, b: 30 };
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const sy = (y: number) => height - m.b - ((y - y0) / (y1 - y0)) * (height - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (title)
    parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  parts.push(
    `<line x1="${m.l}" y1="${height - m.b}" x2="${width - m.r}" y2="${height - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${height - m.b}" stroke="#333"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    const x = x0 + ((x1 - x0) * i) / 4;
    parts.push(`<text x="${m.l - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
    parts.push(`<text x="${sx(x)}" y="${height - m.b + 14}" text-anchor="middle">${fmt(x)}</text>`);
  }
  pts.forEach((p, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const d = p.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${d}"/>`);
    parts.push(
      `<text x="${width - m.r - 4}" y="${m.t + 12 + 14 * i}" text-anchor="end" fill="${colour}">${esc(series[i]!.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
