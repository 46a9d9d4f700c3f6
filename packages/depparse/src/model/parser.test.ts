import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, Rng, valueAndGrads } from '@lab/core';
import { findSharedData, maxRelativeError, relaxedSimdReachable } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachmentScores } from '../evaluation/metrics.js';
import { tableSumFma } from '../fast-path/kernels/table-sum.js';
import { PrecomputedScorer } from '../fast-path/precompute.js';
import { formatConllu, parseConllu, words } from '../text/conllu.js';
import { namedOptimizer } from '../training/optimizer.js';
import { parseWordVectors, projectUnseenWords, trainParser } from '../training/train.js';
import { Configuration } from '../transitions/transitions.js';
import { extractFeatures, featureBuffers, type SentenceIds } from './features.js';
import { contextLayout, DEFAULT_NET, featureTensors, ParserNet } from './model.js';
import { Parser } from './parser.js';
import { normalizeWord, Vocabulary } from './vocab.js';

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
  }, 600_000);

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
    const scale = reference.reduce((m: number, v: number) => Math.max(m, Math.abs(v)), 0);
    // words past the 50 tabled: rows cached per (word, position) as they occur (all of them, the
    // first 7 then multiplied on the fly, none), scored twice so the second call reads the cache
    const settings = [
      { useKernel: true },
      { useKernel: true, rareCacheRows: 7 },
      { useKernel: true, rareCacheRows: 0 },
      { useKernel: false },
    ];
    for (const setting of settings) {
      const p = new PrecomputedScorer(parser.net, { topWords: 50, ...setting });
      const score = p.scorer();
      for (let call = 0; call < 2; call++) {
        const got = score(fb, rows);
        // float32 rounding scales with the logits' magnitude (up to ~20 here), not with each logit: a
        // logit near 0 that is a sum of large terms is off by ~1e-6 in both paths, so the floor is
        // 1e-4 of the largest logit
        let worst = 0;
        for (let i = 0; i < got.length; i++)
          worst = Math.max(
            worst,
            Math.abs(got[i]! - reference[i]!) / (1e-4 * scale + Math.abs(reference[i]!)),
          );
        expect(worst).toBeLessThan(1e-3);
      }
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
    expect(() => Parser.fromFiles({ ...files, config: '{}' })).toThrow(/config.json: system: must be one of/);
    const other = JSON.parse(files.vocab);
    other.labels.items.push('extra');
    other.labels.counts.push(1);
    expect(() => Parser.fromFiles({ ...files, vocab: JSON.stringify(other) })).toThrow(
      /vocab.json: labels.items: \d+ items .* but weights.safetensors lab.module.config.net.labels is/,
    );
  });

  it('parses in batches of any size with the same result', () => {
    const a = parser.parse(dev.slice(0, 50), { batchSize: 7 });
    const b = parser.parse(dev.slice(0, 50), { batchSize: 512, precompute: false });
    expect(formatConllu(a)).toBe(formatConllu(b));
  });
});

describe('the sentence-context encoder', () => {
  let train: ReturnType<typeof ewt>;
  let dev: ReturnType<typeof ewt>;
  let parser: Parser;
  let history: ReturnType<typeof trainParser>['history'];
  const tensorsAfterEpoch: number[] = [];
  const context = { dim: 16, layers: 2, width: 3, dropout: 0.2 };

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
    train = ewt('train').slice(0, 600);
    dev = ewt('dev').slice(0, 200);
    const r = trainParser(train, dev, {
      epochs: 3,
      batchSize: 256,
      exploreFrom: 3,
      net: { hidden: [128], wordDim: 32, context },
      seed: 1,
      onEpoch: () => tensorsAfterEpoch.push(tf.memory().numTensors),
    });
    parser = r.parser;
    history = r.history;
  }, 600_000);

  it('trains its encoder with the parser (exploration included) without leaking tensors', () => {
    expect(history[2]!.dev!.uas).toBeGreaterThan(history[0]!.dev!.uas);
    expect(history[2]!.dev!.uas).toBeGreaterThan(0.6);
    expect(tensorsAfterEpoch[2]).toBe(tensorsAfterEpoch[1]);
    // the encoder gets a gradient through the context table
    const ids = train.slice(0, 4).map((s) => parser.encode(words(s)));
    const fb = featureBuffers(ids.length);
    ids.forEach((x, i) => {
      extractFeatures(configAfterTwoShifts(x), x, new Int32Array(x.words.length), fb, i);
    });
    const layout = contextLayout(ids, parser.net.config);
    const f = featureTensors(fb, ids.length, { layout, slots: [0, 1, 2, 3] });
    parser.net.eval();
    const { value, grads } = valueAndGrads(
      () => tf.sum(parser.net.logits(f, parser.net.contextTable(ids, layout))) as tf.Scalar,
      { first: parser.net.contextLayers[0]!.weight, out: parser.net.contextOut!.weight },
    );
    parser.net.train();
    for (const g of Object.values(grads)) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), ...Object.values(f)]);
  });

  it("a sentence's context vectors do not depend on the batch around it", () => {
    const ids = dev.slice(0, 5).map((s) => parser.encode(words(s)));
    parser.net.eval(); // no dropout
    const together = parser.net.contextTable(ids);
    const alone = parser.net.contextTable([ids[3]!]);
    parser.net.train();
    const layout = contextLayout(ids, parser.net.config);
    const n = ids[3]!.words.length;
    const a = tf.slice(together, [layout.starts[3]!, 0], [n, context.dim]);
    const b = tf.slice(alone, [0, 0], [n, context.dim]);
    expect(maxRelativeError(a.dataSync() as Float32Array, b.dataSync() as Float32Array)).toBeLessThan(1e-5);
    expect(Math.max(...(a.dataSync() as Float32Array))).toBeGreaterThan(0);
    tf.dispose([together, alone, a, b]);
  });

  it('the precomputed scorer (kernel and JS) scores exactly like the network, batch by batch', () => {
    const sentences = dev.slice(0, 23).map((s) => parser.encode(words(s)));
    expectScorersAgree(parser, sentences);
    expect(() => parser.networkScorer()).toThrow(/batch of sentences/);
    // another shape: 2 positions (s0, b0), 3 convolutions with other channels, weights large enough
    // that the context moves the scores
    const other = Parser.create(
      {
        system: 'arc-hybrid',
        pseudoProjective: true,
        net: {
          ...DEFAULT_NET,
          hidden: [64],
          context: { dim: 12, layers: 3, width: 5, channels: 8, positions: 2 },
        },
      },
      parser.vocab,
      new Rng(3),
    );
    for (const l of [...other.net.contextLayers, other.net.contextOut!]) {
      const w = tf.mul(l.weight, 8);
      l.weight.assign(w);
      w.dispose();
    }
    expect(other.net.contextOut!.weight.shape).toEqual([24, 64]);
    expectScorersAgree(other, sentences);
    other.dispose();
  });

  it('parses the same in any batch size, precomputed or not, and round-trips through its files', () => {
    const a = parser.parse(dev, { batchSize: 7 });
    const b = parser.parse(dev, { batchSize: 256 });
    const c = parser.parse(dev, { precompute: false });
    expect(formatConllu(a)).toBe(formatConllu(b));
    expect(formatConllu(a)).toBe(formatConllu(c));
    const copy = Parser.fromFiles(parser.toFiles());
    expect(copy.config.net.context).toEqual(context);
    expect(formatConllu(copy.parse(dev))).toBe(formatConllu(a));
    copy.dispose();
  });

  it('rejects bad settings and distillation into it', () => {
    expect(() => new ParserNet({ ...netSizes(train), context: { dim: 8, layers: 1, width: 2 } })).toThrow(
      /odd width/,
    );
    expect(() =>
      trainParser(train.slice(0, 20), undefined, { epochs: 1, net: { context }, teachers: [parser] }),
    ).toThrow(/context encoder/);
  });
});

/** A small net's sizes for `train` (vocabulary counts do not matter to these tests). */
function netSizes(_train: unknown) {
  return {
    words: 100,
    upos: 20,
    xpos: 60,
    labels: 50,
    transitions: 95,
    wordDim: 32,
    tagDim: 20,
    labelDim: 20,
    extraDim: 16,
    hidden: [128],
    activation: 'cube' as const,
    dropout: 0.5,
  };
}

/** The precomputed scorer (context encoder in the kernel, in tfjs, all in JS) against the network. */
function expectScorersAgree(parser: Parser, sentences: SentenceIds[]): void {
  // rows in another order than the sentences: the slots say which is which
  const order = sentences.map((_, i) => (i * 7) % sentences.length);
  const rows = featureBuffers(sentences.length);
  order.forEach((s, r) => {
    extractFeatures(
      configAfterTwoShifts(sentences[s]!),
      sentences[s]!,
      new Int32Array(sentences[s]!.words.length),
      rows,
      r,
    );
  });
  parser.net.eval();
  const net = parser.networkScorer(sentences);
  const reference = net(rows, order.length, order).slice();
  net.dispose();
  // the context must matter: the same rows scored as if from other sentences differ
  const moved = parser.networkScorer(sentences);
  const elsewhere = moved(
    rows,
    order.length,
    order.map((s) => (s + 1) % sentences.length),
  );
  moved.dispose();
  expect(maxRelativeError(elsewhere, reference)).toBeGreaterThan(1e-3);
  for (const [useKernel, useContextKernel] of [
    [true, true],
    [true, false],
    [false, false],
  ] as const) {
    // words past the 50 tabled go through the rare-word paths
    const p = new PrecomputedScorer(parser.net, { topWords: 50, useKernel, useContextKernel });
    expect(() => p.scorer()).toThrow(/batch of sentences/);
    const score = p.scorer(sentences);
    expect(() => score(rows, order.length)).toThrow(/slots/);
    const got = score(rows, order.length, order);
    let worst = 0;
    for (let i = 0; i < got.length; i++)
      worst = Math.max(worst, Math.abs(got[i]! - reference[i]!) / (1e-3 + Math.abs(reference[i]!)));
    expect(worst).toBeLessThan(1e-3);
    p.dispose();
  }
  parser.net.train();
}

function configAfterTwoShifts(ids: { words: Int32Array }): Configuration {
  const c = new Configuration(ids.words.length - 1);
  if (c.n > 2) {
    c.stack.push(c.next++);
    c.stack.push(c.next++);
    c.attach(c.s(0), c.s(1) === 0 ? c.s(0) : c.s(1), 'det');
  }
  return c;
}

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
    const cosine = run({ optimizer: namedOptimizer({ schedule: 'cosine' }) });
    expect(cosine[0]).not.toBe(constant[0]);
    expect(cosine[1]!).toBeLessThan(cosine[0]!);
    const ada = run({ optimizer: namedOptimizer({ name: 'adagrad' }) });
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
  it('distillation: targets follow the teachers by their weight, leak-free; teachers must match', () => {
    const train = ewt('train').slice(0, 150);
    const o: Parameters<typeof trainParser>[2] = {
      epochs: 2,
      batchSize: 128,
      net: { hidden: [32], wordDim: 16 },
      seed: 3,
    };
    // a teacher whose output bias alone decides: it always prefers one right arc
    const teacher = trainParser(train, undefined, { ...o, epochs: 1 }).parser;
    const items = teacher.transitions.items;
    const favourite = items.findIndex((t) => t.move === 'right' && t.label === 'det');
    const { weight, bias } = teacher.net.output;
    tf.tidy(() => {
      weight.assign(tf.zerosLike(weight));
      const b = new Float32Array(items.length);
      b[favourite] = 20;
      bias!.assign(tf.tensor1d(b));
    });
    teacher.invalidate();
    // the student's mean probability of that transition in configurations of training sentences
    const fb = featureBuffers(40);
    const sentences = train.slice(0, 40);
    const probabilityOfFavourite = (student: Parser) => {
      sentences.forEach((s, row) => {
        const ids = student.encode(words(s));
        const c = new Configuration(ids.words.length - 1);
        c.stack.push(c.next++);
        extractFeatures(c, ids, new Int32Array(ids.words.length), fb, row);
      });
      student.net.eval();
      const y = student.networkScorer()(fb, sentences.length);
      const T = items.length;
      let sum = 0;
      for (let r = 0; r < sentences.length; r++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < T; k++) max = Math.max(max, y[r * T + k]!);
        let z = 0;
        for (let k = 0; k < T; k++) z += Math.exp(y[r * T + k]! - max);
        sum += Math.exp(y[r * T + favourite]! - max) / z;
      }
      return sum / sentences.length;
    };
    const probability = (teacherWeight: number) => {
      const tensors: number[] = [];
      const r = trainParser(train, undefined, {
        ...o,
        optimizer: namedOptimizer({ lr: 0.01 }),
        teachers: [teacher],
        teacherWeight,
        onEpoch: () => tensors.push(tf.memory().numTensors),
      });
      expect(tensors[1]).toBe(tensors[0]);
      const p = probabilityOfFavourite(r.parser);
      r.parser.dispose();
      return p;
    };
    expect(probability(0)).toBeLessThan(0.1);
    const half = probability(0.5);
    expect(half).toBeGreaterThan(0.3);
    expect(half).toBeLessThan(0.7);
    expect(probability(1)).toBeGreaterThan(0.9);
    // a teacher with another vocabulary reads other ids: refused by name
    const other = trainParser(train, undefined, { ...o, epochs: 1, minWordCount: 1 }).parser;
    expect(() => trainParser(train, undefined, { ...o, teachers: [other] })).toThrow(/words vocabulary/);
    expect(() => trainParser(train, undefined, { ...o, teachers: [teacher], teacherWeight: 2 })).toThrow(
      /teacherWeight/,
    );
    for (const p of [teacher, other]) p.dispose();
  });
});

describe('pretrained word vectors', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('a vocabulary extends by the items it lacks, counted from a stream', () => {
    const v = Vocabulary.build(['a', 'b', 'a', 'c'], 1);
    const x = v.extend(['b', 'd', 'e', 'd'], ['d', 'x', 'd']);
    expect(x.items.slice(3)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(x.counts.slice(3)).toEqual([2, 1, 1, 2, 0]);
    expect(x.id('b')).toBe(v.id('b'));
    expect(v.extend(['a', 'c'])).toBe(v);
  });

  it('pretrainedVocabulary gives ids to the words the vectors know that training saw too rarely', () => {
    const train = ewt('train').slice(0, 120);
    const dim = 8;
    const rng = new Rng(5);
    const vector = () => Float32Array.from({ length: dim }, () => rng.normal());
    // a word training never sees, one it sees once (below minWordCount), one it sees often
    const once = train
      .flatMap((s) => words(s))
      .map((w) => normalizeWord(w.form))
      .find((w, _, all) => all.filter((x) => x === w).length === 1)!;
    const vectors = new Map<string, Float32Array>([
      ['zyzzyva', vector()],
      [once, vector()],
      ['the', vector()],
    ]);
    for (let i = 0; i < 40; i++) vectors.set(`unseen${i}`, vector());
    const o: Parameters<typeof trainParser>[2] = {
      epochs: 1,
      batchSize: 128,
      net: { hidden: [32], wordDim: dim },
      pretrained: vectors,
      seed: 2,
    };
    const plain = trainParser(train, undefined, o).parser;
    expect(plain.vocab.words.has('zyzzyva')).toBe(false);
    expect(plain.vocab.words.has(once)).toBe(false);
    const { parser } = trainParser(train, undefined, { ...o, pretrainedVocabulary: 3 });
    const words_ = parser.vocab.words;
    expect(words_.size).toBe(plain.vocab.words.size + 2); // the third is a training word already
    expect(words_.counts[words_.id('zyzzyva')]).toBe(0);
    expect(words_.counts[words_.id(once)]).toBe(1);
    expect(() =>
      trainParser(train, undefined, { ...o, pretrained: undefined, pretrainedVocabulary: 3 }),
    ).toThrow(/needs pretrained vectors/);
    expect(() => trainParser(train, undefined, { ...o, pretrainedVocabulary: -1 })).toThrow(RangeError);
    plain.dispose();
    parser.dispose();
  });

  it('projects unseen words with the least-squares map from pretrained to trained rows', () => {
    const train = ewt('train').slice(0, 150);
    const dim = 6;
    const rng = new Rng(9);
    const base = trainParser(train, undefined, {
      epochs: 1,
      batchSize: 128,
      net: { hidden: [16], wordDim: dim },
    });
    const { items, counts } = base.parser.vocab.words;
    // trained rows that are an exact linear image of the vectors: the map is recovered, so an
    // unseen word's row becomes its vector's image too
    const A = Float32Array.from({ length: dim * dim }, () => rng.normal());
    const image = (x: Float32Array) =>
      Float32Array.from({ length: dim }, (_, j) => x.reduce((s, xi, i) => s + xi * A[i * dim + j]!, 0));
    const vectors = new Map<string, Float32Array>();
    const E = base.parser.net.wordEmbedding.weight;
    const rows = E.dataSync().slice() as Float32Array;
    items.forEach((w, id) => {
      if (id < 3 || counts[id]! < 2) return;
      const x = Float32Array.from({ length: dim }, () => rng.normal());
      vectors.set(w, x);
      rows.set(image(x), id * dim);
    });
    const newWord = Float32Array.from({ length: dim }, () => rng.normal());
    vectors.set('zyzzyva', newWord);
    const parser = new Parser(
      base.parser.config,
      { ...base.parser.vocab, words: base.parser.vocab.words.extend(['zyzzyva']) },
      new ParserNet({ ...base.parser.config.net, words: items.length + 1 }),
    );
    const grown = new Float32Array((items.length + 1) * dim);
    grown.set(rows);
    const t = tf.tensor2d(grown, [items.length + 1, dim]);
    parser.net.wordEmbedding.weight.assign(t);
    t.dispose();
    expect(projectUnseenWords(parser, vectors)).toBe(1);
    const got = parser.net.wordEmbedding.weight.dataSync().slice(items.length * dim);
    expect(maxRelativeError(got, image(newWord))).toBeLessThan(1e-2);
    base.parser.dispose();
    parser.dispose();
  });

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
    const script = fileURLToPath(new URL('../../scripts/build-kernels.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('loads its FMA build (relaxed SIMD, enabled by initBackend under Node)', async () => {
    await initBackend();
    expect(tableSumFma()).toBe(relaxedSimdReachable());
  });
});
