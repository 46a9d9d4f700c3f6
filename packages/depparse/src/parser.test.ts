import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@lab/core';
import { findSharedData, maxRelativeError, relaxedSimdReachable } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatConllu, parseConllu, words } from './conllu.js';
import { extractFeatures, featureBuffers } from './features.js';
import { tableSumFma } from './kernels/table-sum.js';
import { attachmentScores } from './metrics.js';
import { Parser } from './parser.js';
import { PrecomputedScorer } from './precompute.js';
import { parseWordVectors, trainParser } from './train.js';
import { Configuration } from './transitions.js';

const ewt = (split: string) =>
  parseConllu(readFileSync(join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`), 'utf8'));

describe('the neural parser', () => {
  let train: ReturnType<typeof ewt>;
  let dev: ReturnType<typeof ewt>;
  let parser: Parser;
  let history: ReturnType<typeof trainParser>['history'];
  const tensorsAfterEpoch: number[] = [];

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
    train = ewt('train').slice(0, 600);
    dev = ewt('dev').slice(0, 200);
    const r = trainParser(train, dev, {
      epochs: 3,
      batchSize: 256,
      exploreFrom: 3,
      net: { hidden: [128], wordDim: 32 },
      seed: 1,
      onEpoch: () => tensorsAfterEpoch.push(tf.memory().numTensors),
    });
    parser = r.parser;
    history = r.history;
  }, 120_000);

  it('learns (dev UAS rises across epochs, exploration included) without leaking tensors', () => {
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(history[2]!.dev!.uas).toBeGreaterThan(history[0]!.dev!.uas);
    expect(history[2]!.dev!.uas).toBeGreaterThan(0.6);
    expect(tensorsAfterEpoch[2]).toBe(tensorsAfterEpoch[1]);
  });

  it('always outputs single-rooted, acyclic trees that the strict CoNLL-U reader accepts', () => {
    const out = parser.parse(dev);
    expect(() => parseConllu(formatConllu(out))).not.toThrow();
    out.forEach((s, i) => {
      expect(words(s).map((w) => w.form)).toEqual(words(dev[i]!).map((w) => w.form));
      expect(words(s).filter((w) => w.head === 0)).toHaveLength(1);
    });
    // non-projective gold trees (pseudo-projective decoding) and one-word sentences parse too
    const one = parseConllu('1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n\n');
    expect(words(parser.parse(one)[0]!)[0]!.head).toBe(0);
  });

  it('the precomputed first layer (WASM SIMD kernel and plain JS) scores exactly like the network', () => {
    const sentences = dev.slice(0, 23).map((s) => parser.encode(words(s))); // 23 rows: 4-row blocks and 3 left over
    const fb = featureBuffers(sentences.length);
    // features of the initial and a later configuration of each sentence
    const net = parser.networkScorer();
    let rows = 0;
    sentences.forEach((ids) => {
      const c = new Configuration(ids.words.length - 1);
      if (c.n > 2) {
        c.stack.push(c.next++);
        c.stack.push(c.next++);
        c.attach(c.s(0), c.s(1) === 0 ? c.s(0) : c.s(1), 'det');
      }
      extractFeatures(c, ids, new Int32Array(ids.words.length), fb, rows++);
    });
    parser.net.eval();
    const reference = net(fb, rows);
    for (const useKernel of [true, false]) {
      const p = new PrecomputedScorer(parser.net, { topWords: 50, useKernel });
      const got = p.scorer()(fb, rows);
      let worst = 0;
      for (let i = 0; i < got.length; i++)
        worst = Math.max(worst, Math.abs(got[i]! - reference[i]!) / (1e-3 + Math.abs(reference[i]!)));
      expect(worst).toBeLessThan(1e-3);
      p.dispose();
    }
    parser.net.train();
  });

  it('model files round-trip (float32 exactly, float16 closely) and bad files are rejected', () => {
    const reference = attachmentScores(dev, parser.parse(dev));
    const f32 = Parser.fromFiles(parser.toFiles());
    expect(attachmentScores(dev, f32.parse(dev)).las).toBe(reference.las);
    const half = parser.toFiles({ half: true });
    expect(half.weights.length).toBeLessThan(0.6 * parser.toFiles().weights.length);
    const f16 = Parser.fromFiles(half);
    expect(Math.abs(attachmentScores(dev, f16.parse(dev)).las - reference.las)).toBeLessThan(0.01);
    f32.dispose();
    f16.dispose();
    const files = parser.toFiles();
    expect(() => Parser.fromFiles({ ...files, config: '{}' })).toThrow(/not a lab parser config/);
    const other = JSON.parse(files.vocab);
    other.labels.items.push('extra');
    expect(() => Parser.fromFiles({ ...files, vocab: JSON.stringify(other) })).toThrow(/outputs/);
  });

  it('parses in batches of any size with the same result', () => {
    const a = parser.parse(dev.slice(0, 50), { batchSize: 7 });
    const b = parser.parse(dev.slice(0, 50), { batchSize: 512, precompute: false });
    expect(formatConllu(a)).toBe(formatConllu(b));
  });
});

describe('training options', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('the cosine schedule changes training (same seed, same data) and AdaGrad trains too', () => {
    const train = ewt('train').slice(0, 150);
    const run = (o: Parameters<typeof trainParser>[2]) => {
      const r = trainParser(train, undefined, {
        epochs: 2,
        batchSize: 128,
        net: { hidden: [32], wordDim: 16 },
        seed: 3,
        ...o,
      });
      r.parser.dispose();
      return r.history.map((h) => h.loss);
    };
    const constant = run({});
    const cosine = run({ lrSchedule: 'cosine' });
    expect(cosine[0]).not.toBe(constant[0]);
    expect(cosine[1]!).toBeLessThan(cosine[0]!);
    const ada = run({ optimizer: 'adagrad' });
    expect(ada[1]!).toBeLessThan(ada[0]!);
    expect(() => trainParser(train, undefined, { system: 'arc-standard', exploreFrom: 1 })).toThrow(
      /no dynamic oracle/,
    );
  });

  it('Polyak averaging keeps the moving average of the weights, leak-free', () => {
    const train = ewt('train').slice(0, 150);
    const dev = ewt('dev').slice(0, 40);
    const o: Parameters<typeof trainParser>[2] = {
      epochs: 2,
      batchSize: 128,
      net: { hidden: [32], wordDim: 16 },
      seed: 3,
    };
    const weights = (p: Parser) => {
      const params = p.net.trainableParameters();
      return params[Object.keys(params).find((k) => k.includes('hidden1'))!]!.dataSync().slice();
    };
    const last = trainParser(train, undefined, o);
    const tensors: number[] = [];
    const averaged = trainParser(train, dev, {
      ...o,
      averageDecay: 0.9,
      onEpoch: () => tensors.push(tf.memory().numTensors),
    });
    // same training (the average does not feed back), other weights kept
    expect(averaged.history.map((h) => h.loss)).toEqual(last.history.map((h) => h.loss));
    const a = weights(averaged.parser);
    const b = weights(last.parser);
    expect(maxRelativeError(a, b)).toBeGreaterThan(1e-4);
    // the dev score is that of the weights kept (the average), which parse as well as any
    expect(attachmentScores(dev, averaged.parser.parse(dev)).las).toBe(
      averaged.history[averaged.best - 1]!.dev!.las,
    );
    expect(tensors[1]).toBe(tensors[0]);
    for (const r of [last, averaged]) r.parser.dispose();
    expect(() => trainParser(train, undefined, { ...o, averageDecay: 1 })).toThrow(/averageDecay/);
  });
});

describe('pretrained word vectors', () => {
  it('reads word2vec/GloVe text with or without a header and checks the size', () => {
    const v = parseWordVectors('2 3\nThe 0.1 0.2 0.3\ndog -1 0 1\n', 3);
    expect([...v.keys()]).toEqual(['the', 'dog']);
    expect(Array.from(v.get('dog')!)).toEqual([-1, 0, 1]);
    expect(() => parseWordVectors('cat 1 2\n', 3)).toThrow(/line 1: 2 values, expected 3/);
    expect(() => parseWordVectors('cat 1 x 2\n', 3)).toThrow(/not a number/);
  });
});

describe('the WASM kernel', () => {
  it('the committed module matches a fresh clang build (skipped without clang)', () => {
    const script = fileURLToPath(new URL('../scripts/build-kernels.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('loads its FMA build (relaxed SIMD, enabled by initBackend under Node)', async () => {
    await initBackend();
    expect(tableSumFma()).toBe(relaxedSimdReachable());
  });
});
