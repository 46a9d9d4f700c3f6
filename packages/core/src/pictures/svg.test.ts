import { describe, expect, it } from 'vitest';
import { curvesSvg } from './svg.js';

/** The [x, y] points of each polyline. */
const polylines = (svg: string) =>
  [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) =>
    m[1]!.split(' ').map((p) => p.split(',').map(Number)),
  );
const labels = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('curvesSvg', () => {
  it('maps the data box onto the plot area (margins 60, 20, 12, 30 without a title)', () => {
    const svg = curvesSvg([{ name: 'a', values: [0, 10], steps: [100, 200] }], { width: 280, height: 142 });
    expect(svg).toContain('width="280" height="142"');
    // x 100..200 -> 60..260, y 0..10 -> 112..12
    expect(polylines(svg)).toEqual([
      [
        [60, 112],
        [260, 12],
      ],
    ]);
  });

  it('one series per colour, all series sharing the axes; the title moves the top margin', () => {
    const svg = curvesSvg(
      [
        { name: 'train', values: [1, 2, 3] },
        { name: 'test', values: [3, 1] },
      ],
      { width: 140, height: 130, title: 'loss' },
    );
    const [train, test] = polylines(svg);
    expect(train!.map((p) => p[0])).toEqual([60, 90, 120]);
    expect(test![0]).toEqual([60, 30]); // y = 3 at the top of the plot, 30 under the title
    expect(train![0]![1]).toBe(100);
    expect(svg).toContain('stroke="#1f77b4"');
    expect(svg).toContain('stroke="#d62728"');
    expect(labels(svg)).toEqual(expect.arrayContaining(['loss', 'train', 'test']));
  });

  it('widens a flat or single-point range instead of dividing by zero', () => {
    const svg = curvesSvg([{ name: 'flat', values: [5] }]);
    const [[point]] = polylines(svg) as [[number[]]];
    expect(point!.every(Number.isFinite)).toBe(true);
    // y range 4..6, x range 0..1: the point at x = 0 (left), y = 5 (middle)
    expect(point).toEqual([60, (360 - 30 + 12) / 2]);
    expect(labels(svg)).toEqual(expect.arrayContaining(['4.00', '6.00', '0.00', '1.00']));
  });

  it('formats ticks: three significant digits, exponents for large and tiny values', () => {
    expect(labels(curvesSvg([{ name: 'x', values: [0, 2000] }]))).toEqual(
      expect.arrayContaining(['0.00', '2.00e+3', '500']),
    );
    expect(labels(curvesSvg([{ name: 'x', values: [0.001, 0.005] }]))).toEqual(
      expect.arrayContaining(['1.00e-3', '5.00e-3']),
    );
  });

  it('escapes names and titles, skips non-finite points and steps, and refuses no finite points', () => {
    const svg = curvesSvg(
      [{ name: 'a & "b"', values: [1, Number.POSITIVE_INFINITY, 2], steps: [0, 1, Number.NaN] }],
      {
        title: '<x>',
      },
    );
    expect(svg).toContain('a &amp; &quot;b&quot;');
    expect(svg).toContain('&lt;x&gt;');
    expect(polylines(svg)[0]).toHaveLength(1);
    expect(() => curvesSvg([{ name: 'a', values: [Number.NaN] }])).toThrow('curvesSvg: no finite points');
    expect(() => curvesSvg([])).toThrow(RangeError);
  });
});
