// The kernel path of the precomputation trick against the network computed without tables, through
// its branches: tag-pair rows (all, some then separate rows, none), rare words cached or multiplied,
// batches that grow, transitions not a multiple of 4, a tanh first layer, a second hidden layer.
import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FeatureBuffers, TOKEN_POSITIONS } from '../model/features.js';
import { featureTensors, type NetConfig, ParserNet } from '../model/model.js';
import { KernelPrecomputedScorer, type KernelScorerOptions } from './kernel-scorer.js';
import { TableSumKernel } from './kernels/table-sum.js';
import { firstLayerTables, tablesBytes } from './precompute-tables.js';
import { randomFeatures } from './test-helpers.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const CONFIG: NetConfig = {
  words: 30,
  upos: 4,
  xpos: 5,
  labels: 6,
  transitions: 7,
  wordDim: 4,
  tagDim: 3,
  labelDim: 3,
  extraDim: 2,
  hidden: [8],
  activation: 'cube',
  dropout: 0,
};

/** act(embed(f) . W1 + b) and the net's logits, without tables. */
function reference(net: ParserNet, f: FeatureBuffers, rows: number) {
  const t = featureTensors(f, rows);
  const act = net.config.activation;
  const hidden = tf.tidy(() => {
    const first = tf.add(tf.matMul(net.embed(t), net.hidden[0]!.weight), net.hidden[0]!.bias!);
    return act === 'cube'
      ? tf.mul(tf.mul(first, first), first)
      : act === 'relu'
        ? tf.relu(first)
        : tf.tanh(first);
  });
  const logits = net.logits(t);
  const out = { hidden: hidden.dataSync() as Float32Array, logits: logits.dataSync() as Float32Array };
  tf.dispose([hidden, logits, ...Object.values(t)]);
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1e-3 + Math.abs(want[i]!)));
  expect(worst).toBeLessThan(tol);
}

const scorer = (net: ParserNet, topWords: number, options: Partial<KernelScorerOptions> = {}) =>
  new KernelPrecomputedScorer(net, new TableSumKernel(), {
    topWords,
    maxTagPairs: 1000,
    rareCacheRows: 1000,
    useContextKernel: true,
    ...options,
  });

describe('KernelPrecomputedScorer', () => {
  const settings: [string, Partial<KernelScorerOptions>][] = [
    ['every tag pair and rare pair kept', {}],
    ['3 tag-pair rows, then separate rows', { maxTagPairs: 3 }],
    ['no tag-pair rows', { maxTagPairs: 0 }],
    ['5 rare rows, then multiplied', { rareCacheRows: 5 }],
    ['rare words always multiplied', { rareCacheRows: 0 }],
  ];
  for (const [what, options] of settings)
    it(`scores as the net does: ${what}; the same again and with more rows`, () => {
      const net = new ParserNet(CONFIG, new Rng(1));
      const s = scorer(net, 10, options);
      const small = randomFeatures(CONFIG, 3, 2);
      const large = randomFeatures(CONFIG, 17, 3);
      for (const [f, rows] of [
        [small, 3],
        [small, 3],
        [large, 17],
        [small, 3],
      ] as const) {
        const want = reference(net, f, rows);
        expectClose(s.hidden(f, rows), want.hidden);
        expectClose(s.score(f, rows), want.logits);
      }
      s.dispose();
      net.dispose();
    });

  it('runs a tanh first layer and a second hidden layer of width 4, relu', () => {
    for (const config of [
      { ...CONFIG, activation: 'tanh' as const },
      { ...CONFIG, hidden: [8, 4], activation2: 'relu' as const },
    ]) {
      const net = new ParserNet(config, new Rng(4));
      const s = scorer(net, 30);
      const f = randomFeatures(config, 6, 5);
      expectClose(s.score(f, 6), reference(net, f, 6).logits);
      s.dispose();
      net.dispose();
    }
  });

  it('refuses a second hidden layer whose width is not a multiple of 4', () => {
    const net = new ParserNet({ ...CONFIG, hidden: [8, 6] }, new Rng(6));
    const s = scorer(net, 30);
    expect(() => s.score(randomFeatures(CONFIG, 2, 7), 2)).toThrow(
      /a second hidden layer needs a width divisible by 4/,
    );
    s.dispose();
    net.dispose();
  });

  it('counts the tables plus the word rows it may build, and keeps no tensor without a context encoder', () => {
    const net = new ParserNet(CONFIG, new Rng(8));
    const before = tf.memory().numTensors;
    const t = firstLayerTables(net, 10, { wordRows: false });
    const s = new KernelPrecomputedScorer(net, new TableSumKernel(), {
      topWords: 10,
      maxTagPairs: 20,
      rareCacheRows: 0,
      useContextKernel: true,
    });
    expect(s.hasContext).toBe(false);
    expect(s.bytes).toBe(tablesBytes(t) + 4 * TOKEN_POSITIONS * 10 * 8);
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
    net.dispose();
  });
});
