import { describe, expect, it } from 'vitest';
import { textPixels, textWidth } from './font.js';
import { lineChartPixels, lineChartPng } from './line-chart.js';

const at = (px: Uint8Array, width: number, x: number, y: number) =>
  Array.from(px.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
const count = (px: Uint8Array, [r, g, b]: readonly number[]) => {
  let n = 0;
  for (let i = 0; i < px.length; i += 3) if (px[i] === r && px[i + 1] === g && px[i + 2] === b) n++;
  return n;
};

describe('line charts', () => {
  it('draws each series in its colour, with markers, on a white background', () => {
    const red = [200, 0, 0] as const;
    const blue = [0, 0, 200] as const;
    const px = lineChartPixels(
      [
        { name: 'up', x: [1, 2, 3], y: [0, 0.5, 1], colour: red },
        { name: 'down', x: [1, 2, 3], y: [1, 0.5, 0], colour: blue, dashed: true },
      ],
      { width: 300, height: 200, title: 'test' },
    );
    expect(px.length).toBe(300 * 200 * 3);
    expect(at(px, 300, 299, 199)).toEqual([255, 255, 255]);
    // a line across the plot (over 100 pixels) plus markers and the legend; the dashed one has fewer
    expect(count(px, red)).toBeGreaterThan(200);
    expect(count(px, blue)).toBeGreaterThan(100);
    expect(count(px, blue)).toBeLessThan(count(px, red));
    expect(count(px, [0, 0, 0])).toBeGreaterThan(300); // axes and text
  });

  it('encodes a PNG and refuses what it cannot draw', () => {
    const png = lineChartPng([{ name: 'a', x: [1, 10, 100], y: [0.1, 0.2, 0.3] }], { xLog: true });
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    expect(() => lineChartPixels([{ name: 'a', x: [1, 2], y: [1] }])).toThrow(/'a' has 2 x and 1 y/);
    expect(() => lineChartPixels([{ name: 'a', x: [1], y: [Number.NaN] }])).toThrow(/no finite points/);
    expect(() => lineChartPixels([{ name: 'a', x: [1], y: [1] }], { width: 10 })).toThrow(/size 10x360/);
  });

  it('spells labels in a 3x5 font', () => {
    expect(textWidth('ab')).toBe(7);
    // '1' is ' # |## | # | # |###': 8 lit pixels, the first at (1, 0)
    const one = textPixels('1');
    expect(one).toHaveLength(8);
    expect(one[0]).toEqual([1, 0]);
    expect(textPixels('A')).toEqual(textPixels('a'));
  });
});
