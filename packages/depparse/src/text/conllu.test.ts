import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import { describe, expect, it } from 'vitest';
import {
  type ConlluError,
  type ConlluSentence,
  formatConllu,
  parseConllu,
  readConllu,
  words,
} from '../index.js';

const small = `# sent_id = 1
# text = Don't go.
1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_
1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t3:aux\t_
2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t3:advmod\t_
3\tgo\tgo\tVERB\tVB\t_\t0\troot\t0:root\tSpaceAfter=No
3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t3:conj\t_
4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t3:punct\t_

`;

describe('CoNLL-U', () => {
  it('keeps multiword ranges and empty nodes and round-trips exactly', () => {
    const [s] = parseConllu(small);
    expect(words(s!).map((w) => w.form)).toEqual(['Do', "n't", 'go', '.']);
    expect(s!.rows.map((r) => r.kind)).toEqual(['multiword', 'word', 'word', 'word', 'empty', 'word']);
    expect(formatConllu(parseConllu(small))).toBe(small);
  });
  it('reports errors with line numbers', () => {
    expect(() => parseConllu('1\ta\tb\n\n')).toThrow(/line 1: expected 10 tab-separated columns, found 3/);
    const noRoot = '1\ta\t_\tX\t_\t_\t2\tdep\t_\t_\n2\tb\t_\tX\t_\t_\t1\tdep\t_\t_\n\n';
    expect(() => parseConllu(noRoot)).toThrow(/no root/);
    const twoRoots = '1\ta\t_\tX\t_\t_\t0\troot\t_\t_\n2\tb\t_\tX\t_\t_\t0\troot\t_\t_\n\n';
    expect(() => parseConllu(twoRoots)).toThrow(/2 roots/);
    const cycle =
      '1\ta\t_\tX\t_\t_\t0\troot\t_\t_\n2\tb\t_\tX\t_\t_\t3\tdep\t_\t_\n3\tc\t_\tX\t_\t_\t2\tdep\t_\t_\n\n';
    expect(() => parseConllu(cycle)).toThrow(/cycle/);
    expect(() => parseConllu('1\ta\t_\tX\t_\t_\tx\troot\t_\t_\n\n')).toThrow(
      /line 1, column 7 \(HEAD\): bad HEAD/,
    );
    const warnings: ConlluError[] = [];
    expect(parseConllu(twoRoots, { lenient: true, warnings })).toHaveLength(1);
    expect(warnings[0]?.line).toBe(1);
  });
  it('round-trips the UD English EWT files byte for byte', () => {
    const dir = join(findSharedData(), 'ud', 'en_ewt');
    for (const split of ['train', 'dev', 'test']) {
      const text = readFileSync(join(dir, `en_ewt-ud-${split}.conllu`), 'utf8');
      const parsed = parseConllu(text);
      expect(parsed.length).toBeGreaterThan(2000);
      expect(formatConllu(parsed) === text, split).toBe(true);
    }
  });
});

describe('streaming CoNLL-U', () => {
  it('yields the same sentences from chunks of any size, with file line numbers in errors', async () => {
    const text = readFileSync(join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-dev.conllu'), 'utf8');
    const whole = parseConllu(text);
    const bytes = new TextEncoder().encode(text);
    const chunks = function* () {
      for (let i = 0; i < bytes.length; i += 4093) yield bytes.subarray(i, i + 4093); // splits UTF-8 sequences too
    };
    const streamed: ConlluSentence[] = [];
    for await (const s of readConllu(chunks())) streamed.push(s);
    expect(streamed.length).toBe(whole.length);
    expect(formatConllu(streamed)).toBe(text);
    expect(streamed.map((s) => s.line)).toEqual(whole.map((s) => s.line));
    const bad =
      '1\tA\ta\tX\tX\t_\t0\troot\t_\t_\n\n1\tB\tb\tX\tX\t_\t2\tdep\t_\t_\n2\tC\tc\tX\tX\t_\tx\troot\t_\t_\n\n';
    const read = async () => {
      for await (const _ of readConllu([bad.slice(0, 7), bad.slice(7)])) void _;
    };
    await expect(read()).rejects.toThrow(/line 4, column 7 \(HEAD\): bad HEAD/);
  });
});
