// Small canvas plotting helpers shared by the pages: bars of a distribution and curves y = f(x).

export interface Curve {
  f: (x: number) => number;
  colour: string;
  label: string;
}

/** Bars of one or more probability vectors over the same bins (each a colour), scaled to `top`. */
export function drawBars(
  canvas: HTMLCanvasElement,
  series: { p: ArrayLike<number>; colour: string }[],
  top: number,
): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const n = series[0]?.p.length ?? 0;
  const w = width / n;
  series.forEach(({ p, colour }, s) => {
    ctx.fillStyle = colour;
    for (let i = 0; i < n; i++) {
      const h = (p[i]! / top) * (height - 4);
      const inset = series.length > 1 ? (s * w) / (2 * series.length) : 0;
      ctx.fillRect(i * w + 2 + inset, height - h, w - 4 - inset, h);
    }
  });
}

/** Curves on [x0, x1] with y clipped to the range of their finite values (at most ±50). */
export function drawCurves(canvas: HTMLCanvasElement, curves: Curve[], x0: number, x1: number): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const xs = Array.from({ length: width }, (_, i) => x0 + ((x1 - x0) * i) / (width - 1));
  const ys = curves.map((c) => xs.map((x) => c.f(x)));
  const finite = ys.flat().filter((y) => Number.isFinite(y) && Math.abs(y) <= 50);
  let lo = Math.min(0, ...finite);
  let hi = Math.max(0, ...finite);
  if (hi - lo < 1e-9) hi = lo + 1;
  const pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  const Y = (y: number) => height - ((y - lo) / (hi - lo)) * height;
  const X = (x: number) => ((x - x0) / (x1 - x0)) * (width - 1);
  ctx.strokeStyle = '#bbb';
  ctx.beginPath();
  ctx.moveTo(0, Y(0));
  ctx.lineTo(width, Y(0));
  if (x0 < 0 && x1 > 0) {
    ctx.moveTo(X(0), 0);
    ctx.lineTo(X(0), height);
  }
  ctx.stroke();
  curves.forEach((c, k) => {
    ctx.strokeStyle = c.colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let pen = false;
    xs.forEach((x, i) => {
      const y = ys[k]![i]!;
      if (!Number.isFinite(y) || y < lo || y > hi) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(X(x), Y(y));
      else ctx.moveTo(X(x), Y(y));
      pen = true;
    });
    ctx.stroke();
    ctx.fillStyle = c.colour;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(c.label, 6, 14 + 14 * k);
  });
  ctx.fillStyle = '#888';
  ctx.fillText(`${x0.toPrecision(3)} … ${x1.toPrecision(3)}`, width - 90, height - 4);
}

export interface Series {
  values: readonly number[];
  colour: string;
  label: string;
  /** x of values[i] (default i + 1). */
  xs?: readonly number[];
}

/** Line chart of series over their x values, y from the finite values' range; labels top left. */
export function drawSeries(canvas: HTMLCanvasElement, series: readonly Series[], title = ''): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const xsOf = (s: Series) => s.xs ?? s.values.map((_, i) => i + 1);
  const xs = series.flatMap(xsOf);
  const ys = series.flatMap((s) => s.values).filter(Number.isFinite);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#555';
  ctx.fillText(title, 6, height - 6);
  if (xs.length === 0 || ys.length === 0) return;
  const x0 = Math.min(...xs);
  const x1 = Math.max(x0 + 1, ...xs);
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-9) hi = lo + 1;
  const pad = 0.08 * (hi - lo);
  lo -= pad;
  hi += pad;
  const X = (x: number) => 40 + ((x - x0) / (x1 - x0)) * (width - 50);
  const Y = (y: number) => 20 + (1 - (y - lo) / (hi - lo)) * (height - 40);
  ctx.strokeStyle = '#ddd';
  ctx.beginPath();
  for (const y of [lo + pad, hi - pad]) {
    ctx.moveTo(40, Y(y));
    ctx.lineTo(width - 10, Y(y));
  }
  ctx.stroke();
  ctx.fillStyle = '#888';
  ctx.fillText((hi - pad).toPrecision(3), 2, Y(hi - pad) + 4);
  ctx.fillText((lo + pad).toPrecision(3), 2, Y(lo + pad) + 4);
  ctx.fillText(String(Math.round(x1)), width - 40, height - 6);
  series.forEach((s, k) => {
    const sx = xsOf(s);
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    s.values.forEach((y, i) => {
      if (!Number.isFinite(y)) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(X(sx[i]!), Y(y));
      else ctx.moveTo(X(sx[i]!), Y(y));
      pen = true;
    });
    ctx.stroke();
    ctx.fillStyle = s.colour;
    ctx.fillText(s.label, 46 + 110 * k, 14);
  });
}

/** Draws images in [-1, 1] (count x 28 x 28) as a grid of `columns` on a canvas sized to fit. */
export function drawImageGrid(
  canvas: HTMLCanvasElement,
  pixels: Float32Array,
  count: number,
  columns: number,
): void {
  const rows = Math.ceil(count / columns);
  canvas.width = columns * 28;
  canvas.height = rows * 28;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let n = 0; n < count; n++) {
    const ox = (n % columns) * 28;
    const oy = Math.floor(n / columns) * 28;
    for (let p = 0; p < 784; p++) {
      const v = Math.max(0, Math.min(255, Math.round((pixels[n * 784 + p]! + 1) * 127.5)));
      const at = ((oy + Math.floor(p / 28)) * canvas.width + ox + (p % 28)) * 4;
      image.data[at] = image.data[at + 1] = image.data[at + 2] = v;
      image.data[at + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}
