import { describe, expect, it } from 'vitest';
import { ConlluError, decodeText, formatConllu, parseConllu, readConllu, words } from '../index.js';

const row = (id: string, form: string, head: string, rel = 'dep', upos = 'X', xpos = 'X') =>
  `${id}\t${form}\t_\t${upos}\t${xpos}\t_\t${head}\t${rel}\t_\t_`;
const two = `${row('1', 'Hi', '0', 'root')}\n${row('2', 'there', '1')}\n\n`;

/** The ConlluError `f` throws (fails the test if it throws anything else or nothing). */
function conlluError(f: () => unknown): ConlluError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConlluError);
    return e as ConlluError;
  }
  throw new Error('expected a ConlluError, nothing was thrown');
}

describe('strict CoNLL-U reading', () => {
  it('names the line and column of each problem', () => {
    const cases: [string, number, number | undefined, RegExp][] = [
      [
        `${row('1', 'Hi', '0', 'root')}\n2 there _ X X _ 1 dep _ _\n\n`,
        2,
        undefined,
        /separated by spaces, not tabs/,
      ],
      ['1\tfoo\n', 1, undefined, /expected 10 tab-separated columns, found 2/],
      [`${row('1', 'Hi', '0', 'root').replace('\tX\t', '\t\t')}\n\n`, 1, 4, /empty field/],
      [`${row('1', 'Hi', '0', 'root')}\n${row('3', 'there', '1')}\n\n`, 2, 1, /found 3 where 2 belongs/],
      [`${row('1', 'Hi', '0', 'root')}\n${row('2', 'there', '7')}\n\n`, 2, 7, /HEAD 7 of word 2 is beyond/],
      [`${row('1', 'Hi', '-1', 'root')}\n\n`, 1, 7, /bad HEAD "-1"/],
      [`${row('1', 'Hi', '1e0', 'root')}\n\n`, 1, 7, /bad HEAD "1e0"/],
      [`${row('01', 'Hi', '0', 'root')}\n\n`, 1, 1, /bad ID "01"/],
      [`${row('1', 'Hi', '0', 'root', 'IN TJ')}\n\n`, 1, 4, /space in "IN TJ"/],
      [`${row('1', 'H\u0000i', '0', 'root')}\n\n`, 1, 2, /control character U\+0000/],
      [`${row('1', 'Hi', '_', 'root')}\n\n`, 1, 7, /bad HEAD "_"/],
      [`${row('2-1', 'Hi', '_')}\n${row('1', 'Hi', '0', 'root')}\n\n`, 1, 1, /does not run forwards/],
      [`${row('1-2', 'Hi', '_')}\n${row('1', 'Hi', '0', 'root')}\n\n`, 1, 1, /ends at word 2 of 1/],
      [`${row('1', 'Hi', '0', 'root')}\n# late\n\n`, 2, undefined, /comment line inside a sentence/],
      ['# only a comment\n\n', 1, undefined, /a sentence without words/],
      [two.slice(0, -2), 2, undefined, /no line break \(a truncated file\?\)/],
    ];
    for (const [text, line, column, message] of cases) {
      const e = conlluError(() => parseConllu(text));
      expect(e.message, text).toMatch(message);
      expect([e.line, e.column], text).toEqual([line, column]);
    }
  });

  it('reads CRLF line ends and a byte-order mark like LF', () => {
    const crlf = `\uFEFF${two}${two}`.replace(/\n/g, '\r\n');
    const read = parseConllu(crlf);
    expect(read).toHaveLength(2);
    expect(formatConllu(read)).toBe(two + two);
  });

  it('accepts HEAD "_" throughout a sentence only as unparsed input, and never mixed', () => {
    const unparsed = `${row('1', 'Hi', '_', '_')}\n${row('2', 'there', '_', '_')}\n\n`;
    expect(() => parseConllu(unparsed)).toThrow(ConlluError);
    const [s] = parseConllu(unparsed, { unparsed: true });
    expect(words(s!).map((w) => w.head)).toEqual([-1, -1]);
    expect(formatConllu([s!])).toBe(unparsed);
    const mixed = `${row('1', 'Hi', '0', 'root')}\n${row('2', 'there', '_', '_')}\n\n`;
    expect(conlluError(() => parseConllu(mixed, { unparsed: true })).message).toMatch(
      /line 2, column 7 \(HEAD\): HEAD "_" in a sentence whose other words have heads/,
    );
  });

  it('limits the words of a sentence', () => {
    const long = `${Array.from({ length: 6 }, (_, i) => row(String(i + 1), 'w', i === 0 ? '0' : '1')).join('\n')}\n\n`;
    expect(parseConllu(long, { maxWords: 6 })).toHaveLength(1);
    const e = conlluError(() => parseConllu(long, { maxWords: 5 }));
    expect([e.line, e.detail]).toEqual([
      6,
      'the sentence starting at line 1 has more than 5 words, the limit per sentence',
    ]);
  });

  it('lenient reading warns about every problem and skips only the sentences it cannot use', () => {
    const text = [
      `${row('1', 'A', '0', 'root')}\n2 b _ X X _ 1 dep _ _\n${row('3', 'c', '1')}\n3 d\n`, // unreadable rows
      `${row('1', 'E', '0', 'root')}\n${row('2', 'f', '0', 'root')}\n`, // two roots: kept
      `${row('1', 'G', '0', 'root')}\n${row('2', 'h', '9')}\n`, // head out of range
      `${row('1', 'I', '0', 'root')}\n`,
    ].join('\n');
    const seen: ConlluError[] = [];
    const warnings: ConlluError[] = [];
    const read = parseConllu(`${text}\n`, { lenient: true, warnings, onWarning: (w) => seen.push(w) });
    expect(read.map((s) => words(s)[0]!.form)).toEqual(['E', 'I']);
    expect(seen).toEqual(warnings);
    expect(warnings.map((w) => [w.line, w.skipped])).toEqual([
      [2, false],
      [4, false],
      [1, true],
      [6, false],
      [10, true],
    ]);
    expect(warnings.every((w) => w instanceof ConlluError)).toBe(true);
  });

  it('refuses binary and non-UTF-8 bytes, naming the line', () => {
    const bytes = (...b: number[]) => Uint8Array.from(b);
    const text = new TextEncoder().encode(two);
    expect(decodeText(text)).toBe(two);
    const cases: [Uint8Array, RegExp][] = [
      [
        Uint8Array.from([...text.subarray(0, 30), 0, ...text.subarray(30)]),
        /line 2: binary data: NUL byte at offset 30/,
      ],
      [bytes(0x41, 0x0a, 0xff), /line 2: not UTF-8 text \(byte 0xff at offset 2\)/],
      [bytes(0xc3), /not UTF-8 text \(byte 0xc3 at offset 0\)/], // a sequence cut short
      [bytes(0xc0, 0x80), /not UTF-8/], // overlong NUL
      [bytes(0xed, 0xa0, 0x80), /not UTF-8/], // a UTF-16 surrogate
      [bytes(0x1b, 0x5b), /control character 0x1b at offset 0/],
    ];
    for (const [b, message] of cases) expect(conlluError(() => decodeText(b)).message).toMatch(message);
    expect(decodeText(new TextEncoder().encode('naïve 日本 🙂\r\n'))).toBe('naïve 日本 🙂\r\n');
  });

  it('streams with the same strictness: not UTF-8 and a missing last line break are errors', async () => {
    const read = async (chunks: (string | Uint8Array)[], lenient = false) => {
      const out = [];
      for await (const s of readConllu(chunks, { lenient })) out.push(s);
      return out;
    };
    await expect(read([new TextEncoder().encode(two), Uint8Array.from([0xff, 0x0a])])).rejects.toThrow(
      /line 4: not UTF-8 text/,
    );
    await expect(read([two.slice(0, -2)])).rejects.toThrow(/line 2: the last line has no line break/);
    expect(await read([two.slice(0, -2)], true)).toHaveLength(1);
    expect(await read([two.replace(/\n/g, '\r\n')])).toHaveLength(1);
  });
});
