// The plotting helpers' geometry on a recording stand-in for a canvas (Node has none): bar heights
// against the top, curves broken at non-finite or off-range values, series scaled to their range, and
// image grids mapped from [-1, 1] to grey levels.
import { describe, expect, it } from 'vitest';
import { drawBars, drawCurves, drawImageGrid, drawSeries } from './plot.js';

type Call = [string, ...unknown[]];

/** A canvas whose 2D context records every method call (and image data puts). */
function recorder(width: number, height: number) {
  const calls: Call[] = [];
  const ctx = new Proxy(
    {
      createImageData: (w: number, h: number) => ({
        width: w,
        height: h,
        data: new Uint8ClampedArray(4 * w * h),
      }),
    } as Record<string, unknown>,
    {
      get(target, key: string) {
        if (key in target) return target[key];
        return (...args: unknown[]) => calls.push([key, ...args]);
      },
      set(target, key: string, value) {
        target[key] = value;
        return true;
      },
    },
  );
  const canvas = { width, height, getContext: () => ctx } as unknown as HTMLCanvasElement;
  return { canvas, calls, of: (name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1)) };
}

describe('drawBars', () => {
  it('draws one bar per bin with height p / top of the plot (less 4 px), insetting later series', () => {
    const r = recorder(40, 104);
    drawBars(r.canvas, [{ p: [0.5, 1, 0.25, 0], colour: 'red' }], 1);
    expect(r.of('clearRect')).toEqual([[0, 0, 40, 104]]);
    // w = 10: x = 10 i + 2, width 6, height p * 100
    expect(r.of('fillRect')).toEqual([
      [2, 54, 6, 50],
      [12, 4, 6, 100],
      [22, 79, 6, 25],
      [32, 104, 6, 0],
    ]);
    const two = recorder(40, 104);
    drawBars(
      two.canvas,
      [
        { p: [1], colour: 'a' },
        { p: [0.5], colour: 'b' },
      ],
      2,
    );
    // one bin of width 40: the second series is inset by 40 / 4 = 10
    expect(two.of('fillRect')).toEqual([
      [2, 54, 36, 50],
      [12, 79, 26, 25],
    ]);
  });
});

describe('drawCurves', () => {
  it('lifts the pen over non-finite values and those past ±50, and labels each curve', () => {
    const r = recorder(5, 100);
    // x = 0, 1, 2, 3, 4: the curve is 1, NaN, 1000, 3, 4
    const ys: Record<number, number> = { 0: 1, 1: Number.NaN, 2: 1000, 3: 3, 4: 4 };
    drawCurves(r.canvas, [{ f: (x) => ys[x]!, colour: 'blue', label: 'f(u)' }], 0, 4);
    // after the axis (moveTo, lineTo): the curve starts at x 0, restarts at x 3 and draws on to x 4
    const moves = r.of('moveTo').slice(1);
    const lines = r.of('lineTo').slice(1);
    expect(moves.map((m) => m[0])).toEqual([0, 3]);
    expect(lines.map((l) => l[0])).toEqual([4]);
    // y range [0, 4] padded by 5%: y = 4 sits at 100 - (4.2 / 4.4) 100
    expect(lines[0]![1]).toBeCloseTo(100 - (4.2 / 4.4) * 100, 9);
    expect(r.of('fillText')[0]).toEqual(['f(u)', 6, 14]);
  });

  it('draws a vertical axis only when x = 0 is inside the range', () => {
    const inside = recorder(11, 10);
    drawCurves(inside.canvas, [], -1, 1);
    expect(inside.of('moveTo')).toHaveLength(2);
    const outside = recorder(11, 10);
    drawCurves(outside.canvas, [], 0.01, 4);
    expect(outside.of('moveTo')).toHaveLength(1);
  });
});

describe('drawSeries', () => {
  it('writes only the title when there is nothing finite to draw', () => {
    const r = recorder(200, 100);
    drawSeries(r.canvas, [{ values: [Number.NaN], colour: 'x', label: 'a' }], 'empty');
    expect(r.of('fillText')).toEqual([['empty', 6, 94]]);
    expect(r.of('lineTo')).toEqual([]);
  });

  it('places points by their xs over the range of the values, breaking at NaN', () => {
    const r = recorder(250, 140);
    drawSeries(r.canvas, [{ values: [1, Number.NaN, 3, 5], xs: [10, 20, 30, 40], colour: 'c', label: 's' }]);
    // x: 40 + (x - 10) / 30 * 200; y: range [1, 5] padded by 8%: 20 + (1 - (y - 0.68) / 4.64) * 100
    const X = (x: number) => 40 + ((x - 10) / 30) * 200;
    const Y = (y: number) => 20 + (1 - (y - 0.68) / 4.64) * 100;
    const moves = r.of('moveTo').slice(2); // after the two grid lines
    expect(moves[0]![0]).toBeCloseTo(X(10), 9);
    expect(moves[0]![1]).toBeCloseTo(Y(1), 9);
    expect(moves[1]![0]).toBeCloseTo(X(30), 9); // the pen was lifted at NaN
    const lines = r.of('lineTo').slice(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toBeCloseTo(X(40), 9);
    expect(lines[0]![1]).toBeCloseTo(Y(5), 9);
  });
});

describe('drawImageGrid', () => {
  it('sizes the canvas to the grid and maps [-1, 1] to 0..255, clamping beyond', () => {
    const r = recorder(0, 0);
    const pixels = new Float32Array(3 * 784);
    pixels[0] = -1;
    pixels[1] = 1;
    pixels[2] = 0;
    pixels[784 + 29] = 5; // image 1, row 1, column 1
    pixels[2 * 784] = -3; // image 2, first pixel
    drawImageGrid(r.canvas, pixels, 3, 2);
    expect([r.canvas.width, r.canvas.height]).toEqual([56, 56]);
    const [image] = r.of('putImageData')[0] as [{ data: Uint8ClampedArray }];
    const grey = (x: number, y: number) => image.data[(y * 56 + x) * 4];
    expect([grey(0, 0), grey(1, 0), grey(2, 0)]).toEqual([0, 255, 128]);
    expect(grey(28 + 1, 1)).toBe(255);
    expect(grey(0, 28)).toBe(0);
    expect(image.data[3]).toBe(255); // opaque
    expect(image.data[(28 * 56 + 28) * 4 + 3]).toBe(0); // the empty fourth cell stays transparent
  });
});
