// The word rows that the kernel scorer builds as (word, position) pairs occur are bitwise the rows of
// the whole-vocabulary table tfjs computed before (so parses are unchanged), and the shipped model
// parses EWT dev to the same CoNLL-U, byte for byte, as before the tables became lazy.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, Rng } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_POSITIONS } from '../model/features.js';
import { ParserNet } from '../model/model.js';
import { Parser } from '../model/parser.js';
import { decodeText, formatConllu, parseConllu } from '../text/conllu.js';
import { TableSumKernel } from './kernels/table-sum.js';
import { LazyRows } from './lazy-rows.js';
import { firstLayerTables } from './precompute-tables.js';

/** SHA-256 of `lab parse` of EWT dev with the shipped model before the lazy tables (batch 512). */
const DEV_PARSE_SHA256 = '0638b28b1472fabc63d76e9631f992da8d7e72f702da64a79b9934be3b13ad50';

function devFile(): string | undefined {
  try {
    const path = join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-dev.conllu');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

describe('LazyRows', () => {
  it('builds rows bitwise equal to the tfjs table, in any order, each once', () => {
    const net = new ParserNet(
      {
        words: 300,
        upos: 5,
        xpos: 6,
        labels: 7,
        transitions: 9,
        wordDim: 64,
        tagDim: 4,
        labelDim: 4,
        extraDim: 4,
        hidden: [128],
        activation: 'cube',
        dropout: 0,
      },
      new Rng(3),
    );
    const full = firstLayerTables(net, 300);
    const lazy = firstLayerTables(net, 300, { wordRows: false });
    expect(lazy.words.length).toBe(0);
    const k = new TableSumKernel();
    const base = k.alloc(4);
    const rows = new LazyRows(k, {
      keys: TOKEN_POSITIONS * 300,
      capacity: 100,
      width: 128,
      base,
      embedding: k.put(lazy.wordEmb),
      weights: k.put(lazy.w1Words),
      dim: 64,
    });
    const rng = new Rng(5);
    const seen = new Map<number, number>();
    for (let round = 0; round < 4; round++) {
      rows.reserve(40);
      for (let i = 0; i < 40; i++) {
        const id = Math.floor(rng.next() * 300);
        const p = Math.floor(rng.next() * TOKEN_POSITIONS);
        const at = rows.row(p * 300 + id, p, id);
        if (seen.size < 100 || seen.has(p * 300 + id)) {
          expect(at).toBeGreaterThanOrEqual(0);
          if (seen.has(p * 300 + id)) expect(at).toBe(seen.get(p * 300 + id));
          seen.set(p * 300 + id, at);
        } else expect(at).toBe(-1); // past the capacity
      }
      rows.build();
    }
    expect(rows.size).toBe(Math.min(100, seen.size));
    for (const [key, at] of seen) {
      const got = k.f32(base + 4 * at, 128);
      const want = full.words.subarray(key * 128, (key + 1) * 128);
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(got.some((v) => v !== 0)).toBe(true);
    }
    net.dispose();
  });
});

const dev = devFile();
describe('the shipped model with lazy tables', () => {
  it.skipIf(!dev)(
    'parses EWT dev to the same bytes as with whole tables',
    () => {
      const dir = fileURLToPath(new URL('../../models/en_ewt/', import.meta.url));
      const read = (f: string) => readFileSync(join(dir, f));
      const parser = Parser.fromFiles({
        weights: read('weights.safetensors'),
        vocab: read('vocab.json').toString(),
        config: read('config.json').toString(),
      });
      const gold = parseConllu(decodeText(readFileSync(dev!)), { unparsed: true });
      const out = formatConllu(parser.parse(gold, { batchSize: 512 }));
      parser.dispose();
      expect(createHash('sha256').update(out).digest('hex')).toBe(DEV_PARSE_SHA256);
    },
    120_000,
  );
});
