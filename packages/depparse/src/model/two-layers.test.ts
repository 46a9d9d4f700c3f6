// Two hidden layers (Weiss et al. 2015): a cube or relu first layer and a relu second one
// (`activation2`). The precomputed paths (WASM kernel, JS) score like the plain tfjs network; the
// setting survives the model files; a short training run learns without leaking tensors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeTensor,
  initBackend,
  MODULE_HEADER_KEY,
  parseSafetensors,
  Rng,
  serializeSafetensors,
  type TensorEntry,
} from '@lab/core';
import { findSharedData, maxRelativeError } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrecomputedScorer } from '../fast-path/precompute.js';
import { parseConllu, words } from '../text/conllu.js';
import { trainParser } from '../training/train.js';
import { Configuration, SYSTEMS } from '../transitions/transitions.js';
import { extractFeatures, featureBuffers, type SentenceIds } from './features.js';
import type { Activation } from './model.js';
import { Parser } from './parser.js';
import { Vocabulary } from './vocab.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const ewt = (split: string) =>
  parseConllu(readFileSync(join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`), 'utf8'));

function twoLayerParser(activation: Activation, activation2: Activation, seed = 1): Parser {
  const items = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const vocab = {
    words: Vocabulary.build(items('w', 120)),
    upos: Vocabulary.build(items('U', 6)),
    xpos: Vocabulary.build(items('X', 9)),
    labels: Vocabulary.build(items('l', 5)),
  };
  const parser = Parser.create(
    {
      system: 'arc-hybrid',
      pseudoProjective: false,
      net: {
        wordDim: 16,
        tagDim: 8,
        labelDim: 8,
        extraDim: 8,
        hidden: [48, 24],
        activation,
        activation2,
        dropout: 0.5,
      },
    },
    vocab,
    new Rng(seed),
  );
  // weights large enough that the activations' shapes matter (the initialisation is tiny)
  tf.tidy(() => {
    for (const v of Object.values(parser.net.parameters())) (v as tf.Variable).assign(tf.mul(v, 8));
  });
  parser.net.eval();
  return parser;
}

/** Feature rows of configurations a few random legal transitions into random sentences. */
function randomRows(parser: Parser, count: number, rng: Rng) {
  const system = SYSTEMS[parser.config.system];
  const rows = featureBuffers(count);
  for (let r = 0; r < count; r++) {
    const n = 2 + Math.floor(rng.next() * 8);
    const pick = (size: number) =>
      Int32Array.from({ length: n + 1 }, () => 3 + Math.floor(rng.next() * (size - 3)));
    const ids: SentenceIds = {
      words: pick(parser.vocab.words.size),
      upos: pick(parser.vocab.upos.size),
      xpos: pick(parser.vocab.xpos.size),
    };
    const c = new Configuration(n);
    const labels = new Int32Array(n + 1);
    for (let step = Math.floor(rng.next() * 2 * n); step > 0 && !system.isTerminal(c); step--) {
      const legal = parser.transitions.items.filter((t) => system.isLegal(c, t));
      system.apply(c, legal[Math.floor(rng.next() * legal.length)]!);
    }
    extractFeatures(c, ids, labels, rows, r);
  }
  return rows;
}

describe('two hidden layers', () => {
  it.each([
    ['cube', 'relu'],
    ['relu', 'relu'],
  ] as const)('%s then %s: the kernel and JS precomputed paths score like the tfjs network', (a1, a2) => {
    const parser = twoLayerParser(a1, a2);
    const rows = randomRows(parser, 37, new Rng(2)); // 37 rows: the kernel's 4-row blocks and 1 left over
    const net = parser.networkScorer();
    const reference = net(rows, 37).slice();
    net.dispose();
    expect(reference.every(Number.isFinite)).toBe(true);
    for (const useKernel of [true, false]) {
      // words past the 30 tabled go through the rare-word paths
      const p = new PrecomputedScorer(parser.net, { topWords: 30, useKernel });
      const got = p.scorer()(rows, 37);
      expect(maxRelativeError(got, reference), `kernel ${useKernel}`).toBeLessThan(1e-3);
      p.dispose();
    }
    // the second activation is applied: the same weights (same seed) with the first's activation differ
    const same = twoLayerParser(a1, a1);
    const other = same.networkScorer();
    const differs = maxRelativeError(other(rows, 37), reference);
    other.dispose();
    same.dispose();
    if (a1 !== a2) expect(differs).toBeGreaterThan(1e-2);
    else expect(differs).toBe(0);
    parser.dispose();
  });

  it('keeps activation2 through the model files; refuses it with one hidden layer', () => {
    const parser = twoLayerParser('cube', 'relu');
    const back = Parser.fromFiles(parser.toFiles());
    back.net.eval();
    expect(back.config.net.activation2).toBe('relu');
    const rows = randomRows(parser, 9, new Rng(4));
    const a = parser.networkScorer();
    const b = back.networkScorer();
    expect(Array.from(b(rows, 9))).toEqual(Array.from(a(rows, 9)));
    a.dispose();
    b.dispose();
    const files = parser.toFiles();
    const header = JSON.parse(parseSafetensors(files.weights).metadata[MODULE_HEADER_KEY]!);
    header.config.net.activation2 = 'sigmoid';
    const tensors: Record<string, TensorEntry> = {};
    for (const [name, raw] of Object.entries(parseSafetensors(files.weights).tensors))
      tensors[name] = { dtype: 'F32', shape: raw.shape, data: decodeTensor(raw).data as Float32Array };
    const weights = serializeSafetensors(tensors, { [MODULE_HEADER_KEY]: JSON.stringify(header) });
    expect(() => Parser.fromFiles({ ...files, weights })).toThrow(/activation2/);
    expect(() =>
      Parser.create(
        {
          system: 'arc-hybrid',
          pseudoProjective: false,
          net: {
            wordDim: 4,
            tagDim: 4,
            labelDim: 4,
            extraDim: 4,
            hidden: [8],
            activation: 'cube',
            activation2: 'relu',
            dropout: 0,
          },
        },
        parser.vocab,
      ),
    ).toThrow(/two hidden layers/);
    back.dispose();
    parser.dispose();
  });

  it('trains (smoke: 2 short epochs on 120 sentences) without leaking tensors, and parses', () => {
    const tensors: number[] = [];
    const { parser, history } = trainParser(ewt('train').slice(0, 120), undefined, {
      epochs: 2,
      batchSize: 64,
      net: {
        hidden: [32, 16],
        activation: 'cube',
        activation2: 'relu',
        wordDim: 16,
        tagDim: 8,
        labelDim: 8,
        extraDim: 8,
      },
      seed: 3,
      onEpoch: () => tensors.push(tf.memory().numTensors),
    });
    expect(history).toHaveLength(2);
    expect(history.every((h) => Number.isFinite(h.loss))).toBe(true);
    expect(history[1]!.loss).toBeLessThan(history[0]!.loss);
    expect(tensors[1]).toBe(tensors[0]);
    expect(parser.config.net.activation2).toBe('relu');
    const dev = ewt('dev').slice(0, 30);
    const out = parser.parse(dev);
    out.forEach((s) => {
      expect(words(s).filter((w) => w.head === 0)).toHaveLength(1);
    });
    parser.dispose();
  }, 300_000);
});
