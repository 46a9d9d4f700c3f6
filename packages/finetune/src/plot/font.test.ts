import { describe, expect, it } from 'vitest';
import { GLYPH_HEIGHT, GLYPH_WIDTH, textPixels, textWidth } from './font.js';

/** The pixels as rows of '#' and ' ' (width w, GLYPH_HEIGHT rows). */
function render(pixels: [number, number][], w: number): string[] {
  const rows = Array.from({ length: GLYPH_HEIGHT }, () => Array<string>(w).fill(' '));
  for (const [x, y] of pixels) rows[y]![x] = '#';
  return rows.map((r) => r.join(''));
}

describe('pixel font', () => {
  it('draws glyphs 3 wide with one blank column between them', () => {
    // '1', '-' and '7' as their glyph rows, joined by a blank column
    expect(render(textPixels('1-7'), textWidth('1-7'))).toEqual([
      ' #      ###',
      '##        #',
      ' #  ###   #',
      ' #       # ',
      '###      # ',
    ]);
  });

  it('is case-insensitive and draws unknown characters as blanks', () => {
    expect(textPixels('AbC')).toEqual(textPixels('abc'));
    const withUnknown = textPixels('1?1');
    expect(withUnknown.filter(([x]) => x >= 4 && x < 8)).toEqual([]);
    expect(withUnknown.filter(([x]) => x >= 8).map(([x, y]) => [x - 8, y])).toEqual(textPixels('1'));
    expect(textPixels(' ')).toEqual([]);
  });

  it('every pixel lies inside the text box', () => {
    const text = '0123456789 abcdefghijklmnopqrstuvwxyz.,:-+/%()=_';
    const w = textWidth(text);
    const px = textPixels(text);
    expect(px.length).toBeGreaterThan(text.length * 3);
    for (const [x, y] of px) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(w);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThan(GLYPH_HEIGHT);
      expect(x % (GLYPH_WIDTH + 1)).toBeLessThan(GLYPH_WIDTH); // never in a gap column
    }
  });

  it('textWidth: n glyphs and n - 1 gaps, 0 for no text', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('a')).toBe(3);
    expect(textWidth('ab')).toBe(7);
  });
});
