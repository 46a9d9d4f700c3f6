// Hostile input for the CoNLL-U reader: every truncation of a small valid file, random bytes, and
// generated rows full of wrong values. Whatever comes in, the reader returns well-formed sentences
// or throws a ConlluError (lenient reading never throws): no other error, no hang, no wrong tree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConlluError, type ConlluSentence, decodeText, formatConllu, parseConllu, words } from '../index.js';

// every word attaches to the last one (the root), so a sentence cut after any row is not a tree
const valid = `# sent_id = a
# text = Zürich's café, naïvely.
1-2\tZürich's\t_\t_\t_\t_\t_\t_\t_\t_
1\tZürich\tZürich\tPROPN\tNNP\tNumber=Sing\t5\tnmod\t5:nmod\t_
2\t's\t's\tPART\tPOS\t_\t5\tcase\t5:case\t_
3\tcafé\tcafé\tNOUN\tNN\tNumber=Sing\t5\tobj\t5:obj\tSpaceAfter=No
3.1\tis\tbe\tAUX\tVBZ\t_\t_\t_\t5:cop\t_
4\t,\t,\tPUNCT\t,\t_\t5\tpunct\t5:punct\t_
5\tnaïvely\tnaïvely\tADV\tRB\t_\t0\troot\t0:root\tSpaceAfter=No

# sent_id = b
1\t日本\t日本\tPROPN\tNNP\t_\t2\tnsubj\t_\t_
2\t🙂\t🙂\tSYM\tNFP\t_\t0\troot\t_\t_

`;

/** What every sentence the strict reader returns satisfies. */
function expectWellFormed(sentences: ConlluSentence[]): void {
  for (const s of sentences) {
    const ws = words(s);
    expect(ws.length).toBeGreaterThan(0);
    expect(ws.map((w) => w.id)).toEqual(ws.map((_, i) => String(i + 1)));
    expect(ws.every((w) => Number.isInteger(w.head) && w.head >= 0 && w.head <= ws.length)).toBe(true);
    expect(ws.filter((w) => w.head === 0)).toHaveLength(1);
  }
  // what was read writes out and reads back the same (line numbers aside)
  const again = parseConllu(formatConllu(sentences));
  expect(again.map((s) => s.rows)).toEqual(sentences.map((s) => s.rows));
}

/** The result of reading `bytes` strictly: sentences, or the ConlluError (anything else fails). */
function readStrict(bytes: Uint8Array): ConlluSentence[] | ConlluError {
  try {
    return parseConllu(decodeText(bytes));
  } catch (e) {
    if (e instanceof ConlluError) return e;
    throw e;
  }
}

describe('the CoNLL-U reader on hostile input', () => {
  const bytes = new TextEncoder().encode(valid);
  const full = parseConllu(valid);

  it('reads a file cut at any byte as an error or as the whole sentences before the cut', () => {
    expect(full).toHaveLength(2);
    let errors = 0;
    for (let k = 0; k <= bytes.length; k++) {
      const got = readStrict(bytes.subarray(0, k));
      if (got instanceof ConlluError) {
        errors++;
        expect(got.line).toBeGreaterThanOrEqual(1);
        continue;
      }
      // silent success only where the cut leaves whole sentences
      expect(got, `cut at ${k}`).toEqual(full.slice(0, got.length));
      expectWellFormed(got);
    }
    // every cut inside a sentence is an error: only the cuts at or after a sentence's last row are not
    expect(errors).toBeGreaterThan(bytes.length - 10);
  });

  it('refuses random bytes with a ConlluError, and lenient reading of them never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        const got = readStrict(b);
        if (!(got instanceof ConlluError)) expectWellFormed(got);
        const lenient = parseConllu(new TextDecoder().decode(b), { lenient: true, unparsed: true });
        expect(Array.isArray(lenient)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reads rows of wrong values (prototype names, huge and non-finite numbers) as errors or trees', () => {
    const value = fc.oneof(
      fc.constantFrom(
        '_',
        '0',
        '1',
        '2',
        '3',
        '-1',
        '1e3',
        '0x1',
        'NaN',
        'Infinity',
        '__proto__',
        'constructor',
        'toString',
        '99999999999999999999',
        '1-2',
        '2-3',
        '1.1',
        '0.1',
        '',
        ' ',
        'a b',
        '\u0000',
        '\r',
        '#',
      ),
      fc.string({ maxLength: 4 }),
    );
    const rowArb = fc.oneof(
      { weight: 4, arbitrary: fc.array(value, { minLength: 10, maxLength: 10 }) },
      { weight: 1, arbitrary: fc.array(value, { minLength: 0, maxLength: 12 }) },
    );
    const sentence = fc
      .array(rowArb, { minLength: 1, maxLength: 5 })
      .map((rows) => rows.map((r) => `${r.join('\t')}\n`).join(''));
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 3 }), fc.boolean(), (sentences, unparsed) => {
        const text = sentences.join('\n');
        let got: ConlluSentence[] | undefined;
        try {
          got = parseConllu(text, { unparsed });
        } catch (e) {
          expect(e).toBeInstanceOf(ConlluError);
        }
        if (got && !unparsed) expectWellFormed(got);
        const warnings: ConlluError[] = [];
        const lenient = parseConllu(text, { lenient: true, unparsed, warnings });
        expect(warnings.every((w) => w instanceof ConlluError)).toBe(true);
        if (got) expect(warnings).toEqual([]);
        for (const s of lenient) expect(words(s).every((w, i) => w.id === String(i + 1))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('prototype names are plain values: a word may be called __proto__ or constructor', () => {
    const text = `1\t__proto__\tconstructor\ttoString\thasOwnProperty\t_\t2\tdep\t_\t_\n2\tconstructor\t_\tX\tX\t_\t0\troot\t_\t_\n\n`;
    const [s] = parseConllu(text);
    expect(words(s!).map((w) => [w.form, w.lemma, w.upos, w.xpos])).toEqual([
      ['__proto__', 'constructor', 'toString', 'hasOwnProperty'],
      ['constructor', '_', 'X', 'X'],
    ]);
    expect(formatConllu([s!])).toBe(text);
  });
});
