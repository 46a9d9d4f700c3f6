// W4 `depparse` of ../shared/BENCHMARKS.md: the parser that ships in @lab/depparse/models/en_ewt
// (the one `lab parse` uses) on EWT test with gold tokenisation and gold UPOS/XPOS/FEATS; parse speed
// on one thread; the time of one training epoch over EWT train with the shipped model's settings.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import {
  attachmentScores,
  type ConlluSentence,
  Parser,
  parseConllu,
  Tagger,
  tagAccuracy,
  trainParser,
} from '@lab/depparse';
import * as tf from '@tensorflow/tfjs-core';

export function shippedModel(): {
  parser: Parser;
  tagger: Tagger;
  dir: string;
  training: Record<string, unknown>;
} {
  const dir = dirname(createRequire(import.meta.url).resolve('@lab/depparse/models/en_ewt/config.json'));
  const read = (f: string) => readFileSync(join(dir, f));
  return {
    dir,
    parser: Parser.fromFiles({
      weights: read('weights.safetensors'),
      vocab: read('vocab.json').toString(),
      config: read('config.json').toString(),
    }),
    tagger: Tagger.fromFiles({
      weights: read('tagger.safetensors'),
      vocab: read('tagger-vocab.json').toString(),
      config: read('tagger-config.json').toString(),
    }),
    training: JSON.parse(read('training.json').toString()),
  };
}

const ewt = (split: string): ConlluSentence[] =>
  parseConllu(readFileSync(join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`), 'utf8'));

export async function depparseBench({ epoch = true, quiet = false } = {}): Promise<Record<string, unknown>> {
  const log = (s: string) => {
    if (!quiet) process.stderr.write(`${s}\n`);
  };
  const matmulGflops = calibrate();
  log(`machine: one-thread 512x512 matMul at ${matmulGflops.toFixed(1)} GFLOP/s`);
  const { parser, tagger, training } = shippedModel();
  const test = ewt('test');
  parser.parse(test.slice(0, 200)); // warm-up: builds the precomputed tables, compiles the kernels
  const times: number[] = [];
  let parsed: ConlluSentence[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    parsed = parser.parse(test);
    times.push(performance.now() - t0);
  }
  const ms = [...times].sort((a, b) => a - b)[1]!;
  const gold = attachmentScores(test, parsed);
  log(
    `gold tags: UAS ${(100 * gold.uas).toFixed(2)} LAS ${(100 * gold.las).toFixed(2)}; ${(test.length / (ms / 1000)).toFixed(0)} sentences/s`,
  );
  const tagged = tagger.tag(test);
  const tags = tagAccuracy(test, tagged);
  const predicted = attachmentScores(test, parser.parse(tagged));
  let epochSeconds: number | null = null;
  if (epoch) {
    const opts = (training.options ?? {}) as Record<string, unknown>;
    // a vocabulary extended by pretrained vectors: the shipped rows stand in for the vectors (which
    // the benchmark does not read), so the embedding and its optimizer state have the shipped size
    const { items, counts } = parser.vocab.words;
    const E = parser.net.wordEmbedding.weight.dataSync() as Float32Array;
    const dim = parser.config.net.wordDim;
    const extended = counts.some((c, id) => id >= 3 && c < 2);
    const pretrained = extended
      ? new Map(items.slice(3).map((w, i) => [w, E.slice((i + 3) * dim, (i + 4) * dim)]))
      : undefined;
    log('timing one training epoch over EWT train with the shipped settings');
    const t0 = performance.now();
    const r = trainParser(ewt('train'), undefined, {
      epochs: 1,
      wordDropout: opts.wordDropout as number | undefined,
      ...(pretrained ? { pretrained, pretrainedVocabulary: pretrained.size } : {}),
      system: parser.config.system,
      morphology: parser.config.morphology,
      batchSize: (opts.batchSize as number) ?? 512,
      optimizer: (opts.optimizer as 'adam' | 'adagrad') ?? 'adam',
      net: {
        hidden: parser.config.net.hidden,
        activation: parser.config.net.activation,
        wordDim: parser.config.net.wordDim,
        tagDim: parser.config.net.tagDim,
        labelDim: parser.config.net.labelDim,
        dropout: parser.config.net.dropout,
        ...(parser.config.net.context ? { context: parser.config.net.context } : {}),
      },
    });
    epochSeconds = (performance.now() - t0) / 1000;
    if (r.parser.vocab.words.size !== items.length)
      throw new Error(
        `the timed parser has ${r.parser.vocab.words.size} words, the shipped one ${items.length}`,
      );
    r.parser.dispose();
  }
  parser.dispose();
  tagger.dispose();
  const r = (x: number, d = 2) => Number((100 * x).toFixed(d));
  return {
    workload: 'depparse',
    uas: r(gold.uas),
    las: r(gold.las),
    clas: r(gold.clas),
    sent_per_s: Math.round(test.length / (ms / 1000)),
    epoch_s: epochSeconds === null ? null : Number(epochSeconds.toFixed(1)),
    model: `@lab/depparse/models/en_ewt (${parser.config.system}, hidden ${parser.config.net.hidden.join('x')} ${parser.config.net.activation}${contextNote(parser)})`,
    // the same machine's arithmetic rate in this run: the parse and epoch figures swing with it
    matmul_gflops: Number(matmulGflops.toFixed(1)),
    test_sentences: test.length,
    test_words: gold.words,
    predicted_tags: {
      uas: r(predicted.uas),
      las: r(predicted.las),
      clas: r(predicted.clas),
      upos: r(tags.upos),
      xpos: r(tags.xpos),
      feats: r(tags.feats),
    },
    threads: 1,
  };
}

function contextNote(parser: Parser): string {
  const c = parser.config.net.context;
  return c ? `, context ${c.layers}x${c.width}x${c.dim}` : '';
}

/** Median rate of a 512x512 by 512x512 float32 matMul on the current backend (one thread), GFLOP/s. */
function calibrate(): number {
  const a = tf.randomNormal([512, 512], 0, 1, 'float32', 1);
  const b = tf.randomNormal([512, 512], 0, 1, 'float32', 2);
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    times.push(performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  const ms = times.slice(2).sort((x, y) => x - y)[5]!;
  return (2 * 512 ** 3) / (ms * 1e6);
}
