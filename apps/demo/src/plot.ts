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
