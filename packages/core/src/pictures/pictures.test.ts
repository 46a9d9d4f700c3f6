import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { imageGridPng } from './png.js';
import { curvesSvg } from './svg.js';

describe('pictures', () => {
  it('tiles images into a PNG grid with the right size and pixel values', () => {
    // two 2x2 grey images in [-1, 1]
    const px = [-1, 1, 0, 1, 1, 1, 1, -1];
    const png = decode(imageGridPng(px, [2, 2, 2, 1], { columns: 2, padding: 1 }));
    expect([png.width, png.height, png.channels]).toEqual([7, 4, 1]);
    const at = (x: number, y: number) => png.data[y * png.width + x];
    expect([at(1, 1), at(2, 1), at(1, 2)]).toEqual([0, 255, 128]);
    expect(at(4, 1)).toBe(255);
    expect(at(5, 2)).toBe(0);
    expect(() => imageGridPng([1, 2, 3], [1, 2, 2, 1])).toThrow(/do not fill/);
  });
  it('draws coloured frames as RGB', () => {
    const png = decode(imageGridPng([0, 0, 0, 0], [1, 2, 2, 1], { padding: 1, frames: [[0, 255, 0]] }));
    expect(png.channels).toBe(3);
    expect(Array.from(png.data.slice(0, 3))).toEqual([0, 255, 0]);
  });
  it('draws curves as SVG and skips non-finite points', () => {
    const svg = curvesSvg([{ name: 'loss <train>', values: [3, 2, Number.NaN, 1] }], { title: 'loss' });
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('loss &lt;train&gt;');
    expect((svg.match(/points="([^"]+)"/)?.[1] ?? '').split(' ')).toHaveLength(3);
  });
});
