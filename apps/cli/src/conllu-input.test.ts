// The input of `lab parse`: files and standard input within a size limit, CoNLL-U or plain text read
// strictly (an error naming input, line and column) or leniently (warnings on stderr and a count),
// and the format guess.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  detectFormat,
  MAX_INPUT_BYTES,
  MAX_INPUT_BYTES_LIMIT,
  readInput,
  readInputFile,
  readSentences,
} from './conllu-input.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-conllu-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (id: number, form: string, head: number | '_', rel: string) =>
  `${id}\t${form}\t_\tX\t_\t_\t${head}\t${rel}\t_\t_`;
const GOOD = `${row(1, 'Hello', 0, 'root')}\n${row(2, 'world', 1, 'obj')}\n\n`;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('limits', () => {
  it('default to 256 MiB, and at most the longest string V8 makes', () => {
    expect(MAX_INPUT_BYTES).toBe(256 * 2 ** 20);
    expect(MAX_INPUT_BYTES_LIMIT).toBe(2 ** 29 - 24);
  });
});

describe('readInputFile and readInput', () => {
  it('reads a file within the limit and refuses one over it, naming file, size, limit and option', async () => {
    const p = join(dir, 'in.conllu');
    writeFileSync(p, GOOD);
    expect(new TextDecoder().decode(readInputFile(p))).toBe(GOOD);
    expect(() => readInputFile(p, 10)).toThrow(
      new RegExp(`${p}.*${GOOD.length}.*10.*--max-input-bytes raises it`),
    );
    const r = await readInput(p, 1000);
    expect(r.name).toBe(p);
    expect(r.bytes.length).toBe(GOOD.length);
    await expect(readInput(join(dir, 'missing'))).rejects.toThrow(`${join(dir, 'missing')}: no such file`);
  });

  it('takes "-" or no path as standard input, given as a string or bytes, within the limit', async () => {
    for (const input of [undefined, '-']) {
      const r = await readInput(input, 100, 'abc');
      expect(r.name).toBe('standard input');
      expect(Array.from(r.bytes)).toEqual([97, 98, 99]);
    }
    expect(Array.from((await readInput('-', 3, Uint8Array.from([1, 2, 3]))).bytes)).toEqual([1, 2, 3]);
    await expect(readInput(undefined, 2, 'abc')).rejects.toThrow(
      'standard input: more than the limit of 2 bytes; --max-input-bytes raises it',
    );
  });
});

describe('readSentences', () => {
  let stderr: MockInstance;
  beforeEach(() => {
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());
  const written = () => stderr.mock.calls.map((c) => String(c[0])).join('');

  it('reads CoNLL-U strictly without a word on stderr', () => {
    const { sentences, warnings } = readSentences(bytes(GOOD + GOOD), 'in.conllu');
    expect(sentences.map((s) => s.rows.length)).toEqual([2, 2]);
    expect(warnings).toEqual([]);
    expect(written()).toBe('');
  });

  it('strictly, the first problem is an error naming the input and the line', () => {
    const bad = `${GOOD}${row(1, 'Bad', 5, 'root')}\n\n`;
    expect(() => readSentences(bytes(bad), 'in.conllu')).toThrow(/^in\.conllu: .*line 4/);
    expect(() => readSentences(bytes(''), 'empty.conllu')).toThrow('empty.conllu: no sentences in the input');
    // HEAD "_" is only allowed for parser input
    const unparsed = `${row(1, 'Hi', '_', '_')}\n\n`;
    expect(() => readSentences(bytes(unparsed), 'x')).toThrow(/^x: /);
    expect(readSentences(bytes(unparsed), 'x', { unparsed: true }).sentences).toHaveLength(1);
  });

  it('leniently, warns about each problem, skips the sentence and counts at the end', () => {
    const bad = `${GOOD}${row(1, 'Bad', 5, 'root')}\n\n${GOOD}`;
    const { sentences, warnings } = readSentences(bytes(bad), 'in.conllu', { lenient: true });
    expect(sentences).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.skipped).toBe(true);
    const lines = written().trim().split('\n');
    expect(lines[0]).toMatch(/^warning: in\.conllu: line 4/);
    expect(lines[1]).toBe('in.conllu: 1 warning, 1 sentence skipped');
  });

  it('leniently, an empty input is a warning, not an error', () => {
    const { sentences, warnings } = readSentences(bytes('\n'), 'e', { lenient: true });
    expect(sentences).toEqual([]);
    expect(warnings.map((w) => w.detail)).toEqual(['no sentences in the input']);
    expect(written()).toMatch(/e: 1 warning, 0 sentences skipped\n$/);
  });

  it('enforces maxWords in CoNLL-U and in text, with the hint on the error', () => {
    const three = `${row(1, 'a', 0, 'root')}\n${row(2, 'b', 1, 'dep')}\n${row(3, 'c', 1, 'dep')}\n\n`;
    expect(() =>
      readSentences(bytes(three), 'in', { maxWords: 2, maxWordsHint: '--max-words raises it' }),
    ).toThrow(/^in: .*the limit per sentence.*; --max-words raises it$/);
    const text = 'one two three\nfour five\n';
    expect(() => readSentences(bytes(text), 't', { format: 'text', maxWords: 2 })).toThrow(
      /^t: .*3 tokens: more than 2 words, the limit per sentence/,
    );
    const lenient = readSentences(bytes(text), 't', { format: 'text', maxWords: 2, lenient: true });
    expect(lenient.sentences.map((s) => s.rows.map((r) => r.form))).toEqual([['four', 'five']]);
    expect(written()).toMatch(/t: 1 warning, 1 sentence skipped/);
  });

  it("reads plain text one sentence per line, and guesses the format with 'auto'", () => {
    const text = 'The cat sleeps.\n\nDogs bark\n';
    const { sentences } = readSentences(bytes(text), 't', { format: 'text' });
    expect(sentences.map((s) => s.rows.map((r) => r.form))).toEqual([
      ['The', 'cat', 'sleeps', '.'],
      ['Dogs', 'bark'],
    ]);
    expect(readSentences(bytes(text), 't', { format: 'auto' }).sentences).toHaveLength(2);
    expect(readSentences(bytes(GOOD), 't', { format: 'auto' }).sentences[0]!.rows).toHaveLength(2);
  });
});

describe('detectFormat', () => {
  it('reads .conllu paths, tab and space separated rows as CoNLL-U, and anything else as text', () => {
    expect(detectFormat('hello world', 'x.conllu')).toBe('conllu');
    expect(detectFormat(`# sent_id = 1\n${row(1, 'Hi', 0, 'root')}\n`)).toBe('conllu');
    expect(detectFormat("1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n")).toBe('conllu');
    expect(detectFormat('1 Hi _ X _ _ 0 root _ _\n')).toBe('conllu');
    expect(detectFormat('1 Hi _ X _ _ x root _ _\n')).toBe('text');
    expect(detectFormat('1 Hi there\n')).toBe('text');
    expect(detectFormat('The cat sleeps.\n', 'x.txt')).toBe('text');
    expect(detectFormat('  \n\n')).toBe('text');
    expect(detectFormat('# only a comment\n')).toBe('conllu');
  });
});
