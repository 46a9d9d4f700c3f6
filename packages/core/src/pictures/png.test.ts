import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { imageGridPng } from './png.js';

const pixelAt = (png: ReturnType<typeof decode>, x: number, y: number) =>
  Array.from(png.data.slice((y * png.width + x) * png.channels, (y * png.width + x + 1) * png.channels));

describe('imageGridPng', () => {
  it('lays out n images in ceil(sqrt(n)) columns by default, the last row part empty', () => {
    const px = [0.5, -0.5, 1]; // three 1x1 images
    const png = decode(imageGridPng(px, [3, 1, 1, 1], { padding: 2, background: 7 }));
    // 2 columns, 2 rows: 2 * (1 + 2) + 2 = 8 pixels each way
    expect([png.width, png.height, png.channels]).toEqual([8, 8, 1]);
    expect(pixelAt(png, 2, 2)).toEqual([Math.round(1.5 * 127.5)]);
    expect(pixelAt(png, 5, 2)).toEqual([Math.round(0.5 * 127.5)]);
    expect(pixelAt(png, 2, 5)).toEqual([255]);
    expect(pixelAt(png, 5, 5)).toEqual([7]); // no fourth image: background
    expect(pixelAt(png, 0, 0)).toEqual([7]);
  });

  it('maps the given range to 0..255, clamps outside it, and writes 0 for NaN', () => {
    const px = [0, 1, 0.5, 2, -3, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const png = decode(imageGridPng(px, [1, 1, 8, 1], { range: [0, 1], padding: 0 }));
    expect(Array.from(png.data)).toEqual([0, 255, 128, 255, 0, 0, 255, 0]);
  });

  it('keeps RGB channels in order', () => {
    const px = [-1, 0, 1, 1, -1, -1]; // 1x2 image: (0, 128, 255), (255, 0, 0)
    const png = decode(imageGridPng(px, [1, 1, 2, 3], { padding: 1 }));
    expect([png.width, png.height, png.channels]).toEqual([4, 3, 3]);
    expect(pixelAt(png, 1, 1)).toEqual([0, 128, 255]);
    expect(pixelAt(png, 2, 1)).toEqual([255, 0, 0]);
  });

  it('frames only the images given a colour, grey images then drawn as RGB', () => {
    const png = decode(
      imageGridPng([1, 1], [2, 1, 1, 1], { columns: 2, padding: 2, frames: [undefined, [255, 0, 0]] }),
    );
    expect(png.channels).toBe(3);
    expect(pixelAt(png, 2, 2)).toEqual([255, 255, 255]); // first image, grey in RGB
    expect(pixelAt(png, 1, 1)).toEqual([0, 0, 0]); // no frame around it
    expect(pixelAt(png, 4, 1)).toEqual([255, 0, 0]); // frame of the second
    expect(pixelAt(png, 6, 3)).toEqual([255, 0, 0]);
    expect(pixelAt(png, 5, 2)).toEqual([255, 255, 255]);
    // without padding there is nowhere to draw a frame
    const tight = decode(imageGridPng([1], [1, 1, 1, 1], { padding: 0, frames: [[0, 255, 0]] }));
    expect(pixelAt(tight, 0, 0)).toEqual([255, 255, 255]);
  });

  it('refuses other channel counts, a wrong length and no images', () => {
    expect(() => imageGridPng([0, 0], [1, 1, 1, 2])).toThrow('imageGridPng: channels must be 1 or 3, got 2');
    expect(() => imageGridPng([0, 0, 0], [2, 1, 1, 1])).toThrow(
      'imageGridPng: 3 values do not fill shape [2, 1, 1, 1]',
    );
    expect(() => imageGridPng([], [0, 4, 4, 1])).toThrow('imageGridPng: no images');
  });
});
