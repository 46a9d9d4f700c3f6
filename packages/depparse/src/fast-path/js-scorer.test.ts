// The JS path of the precomputation trick against the network computed without tables: the first
// layer as act(embed(f) . W1 + b), the scores as the net's logits, for tabled and rare words, each
// activation, one or two hidden layers; leak-free.
import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EXTRA_IDS,
  EXTRA_POSITIONS,
  type FeatureBuffers,
  LABEL_POSITIONS,
  TOKEN_POSITIONS,
} from '../model/features.js';
import { featureTensors, type NetConfig, ParserNet } from '../model/model.js';
import { JsPrecomputedScorer } from './js-scorer.js';
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
  hidden: [6],
  activation: 'cube',
  dropout: 0,
};

const cube = (x: tf.Tensor) => tf.mul(tf.mul(x, x), x);

/** act(embed(f) . W1 + b) and the net's logits, without tables. */
function reference(net: ParserNet, f: FeatureBuffers, rows: number) {
  const t = featureTensors(f, rows);
  const act = net.config.activation;
  const hidden = tf.tidy(() => {
    const first = tf.add(tf.matMul(net.embed(t), net.hidden[0]!.weight), net.hidden[0]!.bias!);
    return act === 'cube' ? cube(first) : act === 'relu' ? tf.relu(first) : tf.tanh(first);
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

describe('JsPrecomputedScorer', () => {
  for (const activation of ['cube', 'relu', 'tanh'] as const)
    it(`gives the first layer and the scores of the net (${activation}; tabled and rare words)`, () => {
      const net = new ParserNet({ ...CONFIG, activation }, new Rng(1));
      const f = randomFeatures(CONFIG, 9, 2);
      const want = reference(net, f, 9);
      const before = tf.memory().numTensors;
      const s = new JsPrecomputedScorer(net, firstLayerTables(net, 10));
      expect(s.hasContext).toBe(false);
      const h = s.hidden(f, 9);
      expect(h).toHaveLength(9 * 6);
      expectClose(h, want.hidden);
      expectClose(s.score(f, 9), want.logits);
      // a prefix of the rows scores as those rows alone
      expectClose(s.score(f, 2), want.logits.subarray(0, 2 * 7));
      s.dispose();
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
    });

  it('runs a second hidden layer with its own activation', () => {
    const net = new ParserNet({ ...CONFIG, hidden: [6, 5], activation2: 'relu' }, new Rng(3));
    const f = randomFeatures(CONFIG, 5, 4);
    const want = reference(net, f, 5);
    const s = new JsPrecomputedScorer(net, firstLayerTables(net, 30));
    expectClose(s.score(f, 5), want.logits);
    s.dispose();
    net.dispose();
  });

  it('reads only rare words when none is tabled, and counts the tables it holds', () => {
    const net = new ParserNet(CONFIG, new Rng(5));
    const f = randomFeatures(CONFIG, 4, 6);
    const t = firstLayerTables(net, 0);
    const s = new JsPrecomputedScorer(net, t);
    expect(s.bytes).toBe(tablesBytes(t));
    expect(s.bytes).toBe(
      4 * 6 * (TOKEN_POSITIONS * (4 + 5) + LABEL_POSITIONS * 6 + EXTRA_POSITIONS * EXTRA_IDS),
    );
    expectClose(s.hidden(f, 4), reference(net, f, 4).hidden);
    s.dispose();
    net.dispose();
  });
});
