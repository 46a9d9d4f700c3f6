// A 3x5 pixel font for chart labels (digits, letters, a little punctuation), so a PNG chart can say
// what it shows without a font renderer. Each glyph is 5 rows of 3 columns, '#' lit.
const GLYPHS: Record<string, string> = {
  '0': '###|# #|# #|# #|###',
  '1': ' # |## | # | # |###',
  '2': '###|  #|###|#  |###',
  '3': '###|  #|###|  #|###',
  '4': '# #|# #|###|  #|  #',
  '5': '###|#  |###|  #|###',
  '6': '###|#  |###|# #|###',
  '7': '###|  #|  #| # | # ',
  '8': '###|# #|###|# #|###',
  '9': '###|# #|###|  #|###',
  a: ' # |# #|###|# #|# #',
  b: '## |# #|## |# #|## ',
  c: ' ##|#  |#  |#  | ##',
  d: '## |# #|# #|# #|## ',
  e: '###|#  |## |#  |###',
  f: '###|#  |## |#  |#  ',
  g: ' ##|#  |# #|# #| ##',
  h: '# #|# #|###|# #|# #',
  i: '###| # | # | # |###',
  j: '  #|  #|  #|# #| # ',
  k: '# #|# #|## |# #|# #',
  l: '#  |#  |#  |#  |###',
  m: '# #|###|###|# #|# #',
  n: '## |# #|# #|# #|# #',
  o: ' # |# #|# #|# #| # ',
  p: '## |# #|## |#  |#  ',
  q: ' # |# #|# #|## | ##',
  r: '## |# #|## |# #|# #',
  s: ' ##|#  | # |  #|## ',
  t: '###| # | # | # | # ',
  u: '# #|# #|# #|# #|###',
  v: '# #|# #|# #|# #| # ',
  w: '# #|# #|###|###|# #',
  x: '# #|# #| # |# #|# #',
  y: '# #|# #| # | # | # ',
  z: '###|  #| # |#  |###',
  '.': '   |   |   |   | # ',
  ',': '   |   |   | # |#  ',
  ':': '   | # |   | # |   ',
  '-': '   |   |###|   |   ',
  '+': '   | # |###| # |   ',
  '/': '  #|  #| # |#  |#  ',
  '%': '# #|  #| # |#  |# #',
  '(': ' # |#  |#  |#  | # ',
  ')': ' # |  #|  #|  #| # ',
  '=': '   |###|   |###|   ',
  _: '   |   |   |   |###',
  ' ': '   |   |   |   |   ',
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

/** The lit pixels of `text` (x, y from its top-left; one column between letters); unknown characters draw as blanks. */
export function textPixels(text: string): [number, number][] {
  const out: [number, number][] = [];
  [...text.toLowerCase()].forEach((ch, k) => {
    const rows = (GLYPHS[ch] ?? GLYPHS[' ']!).split('|');
    rows.forEach((row, y) => {
      for (let x = 0; x < GLYPH_WIDTH; x++) if (row[x] === '#') out.push([k * (GLYPH_WIDTH + 1) + x, y]);
    });
  });
  return out;
}

/** Width in font pixels of `text`. */
export const textWidth = (text: string) => Math.max(0, text.length * (GLYPH_WIDTH + 1) - 1);
