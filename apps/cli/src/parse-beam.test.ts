// `lab parse --beam N`: the option reader's range, and a beam parse of EWT dev sentences with the
// shipped model (single-rooted trees; width 1 is the greedy parse).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import { formatConllu, parseConllu, words } from '@lab/depparse';
import { describe, expect, it } from 'vitest';
import { parseBeamOption, parseRun } from './parse.js';

describe('lab parse --beam', () => {
  it('reads widths 1-64 and refuses anything else with a message naming the option', () => {
    expect(parseBeamOption('1')).toBe(1);
    expect(parseBeamOption(' 8 ')).toBe(8);
    expect(parseBeamOption('64')).toBe(64);
    for (const bad of ['0', '65', '-1', '1.5', '', ' ', 'eight', '1e9', 'NaN', 'Infinity', '0x10'])
      expect(() => parseBeamOption(bad), bad).toThrow(/--beam must be an integer in \[1, 64\]/);
  });

  it('parses with the shipped model at width 4 (trees, same words) and width 1 as greedily', async () => {
    const dev = parseConllu(
      readFileSync(join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-dev.conllu'), 'utf8'),
    ).slice(0, 40);
    const input = formatConllu(dev);
    const base = {
      format: 'conllu' as const,
      retag: false,
      batchSize: 16,
      backend: 'wasm' as const,
      quiet: true,
    };
    const greedy = await parseRun(base, input);
    const beam1 = await parseRun({ ...base, beam: 1 }, input);
    const beam4 = await parseRun({ ...base, beam: 4 }, input);
    expect(beam1.conllu).toBe(greedy.conllu);
    const parsed = parseConllu(beam4.conllu);
    expect(parsed).toHaveLength(40);
    parsed.forEach((s, i) => {
      expect(words(s).map((w) => w.form)).toEqual(words(dev[i]!).map((w) => w.form));
      expect(words(s).filter((w) => w.head === 0)).toHaveLength(1);
    });
    await expect(parseRun({ ...base, beam: 65 }, input)).rejects.toThrow(
      /--beam must be an integer in \[1, 64\]/,
    );
    await expect(parseRun({ ...base, beam: 0.5 }, input)).rejects.toThrow(/--beam/);
  }, 120_000);
});
