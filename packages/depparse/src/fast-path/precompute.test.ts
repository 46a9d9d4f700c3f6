// PrecomputedScorer's choice of path and its guards around a context encoder, with scores checked
// against the network computed without tables (one batch of sentences, rows from each).
import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SentenceIds } from '../model/features.js';
import { contextLayout, featureTensors, type NetConfig, ParserNet } from '../model/model.js';
import { JsPrecomputedScorer } from './js-scorer.js';
import { KernelPrecomputedScorer } from './kernel-scorer.js';
import { PrecomputedScorer, precomputedPath } from './precompute.js';
import { randomFeatures } from './test-helpers.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const CONFIG: NetConfig = {
  words: 20,
  upos: 3,
  xpos: 4,
  labels: 5,
  transitions: 6,
  wordDim: 4,
  tagDim: 2,
  labelDim: 2,
  extraDim: 2,
  hidden: [8],
  activation: 'cube',
  dropout: 0,
};

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1e-3 + Math.abs(want[i]!)));
  expect(worst).toBeLessThan(tol);
}

describe('precomputedPath', () => {
  it('takes the kernel where it can, and JS when asked or when the width is not a multiple of 4', () => {
    const kernel = new ParserNet(CONFIG, new Rng(1));
    const odd = new ParserNet({ ...CONFIG, hidden: [6] }, new Rng(1));
    const paths = [
      precomputedPath(kernel),
      precomputedPath(kernel, { useKernel: false }),
      precomputedPath(odd),
    ];
    expect(paths.map((p) => p.constructor)).toEqual([
      KernelPrecomputedScorer,
      JsPrecomputedScorer,
      JsPrecomputedScorer,
    ]);
    for (const p of paths) p.dispose();
    kernel.dispose();
    odd.dispose();
  });
});

describe('PrecomputedScorer', () => {
  it('without a context encoder scores rows with no batch, as the net does', () => {
    const net = new ParserNet(CONFIG, new Rng(2));
    const f = randomFeatures(CONFIG, 5, 3);
    const t = featureTensors(f, 5);
    const logits = net.logits(t);
    const want = logits.dataSync() as Float32Array;
    for (const useKernel of [true, false]) {
      const p = new PrecomputedScorer(net, { topWords: 8, useKernel });
      expect(p.bytes).toBeGreaterThan(0);
      expectClose(p.scorer()(f, 5), want);
      expect(p.hidden(f, 5)).toHaveLength(5 * 8);
      p.dispose();
    }
    tf.dispose([logits, ...Object.values(t)]);
    net.dispose();
  });

  it('with a context encoder needs the batch and the slots, then scores as the net does', () => {
    const c = { ...CONFIG, context: { dim: 4, layers: 1, width: 3 } };
    const net = new ParserNet(c, new Rng(4));
    const lengths = [4, 2, 6];
    const rng = new Rng(5);
    const batch: SentenceIds[] = lengths.map((n) => ({
      words: Int32Array.from({ length: n }, () => rng.int(c.words)),
      upos: Int32Array.from({ length: n }, () => rng.int(c.upos)),
      xpos: Int32Array.from({ length: n }, () => rng.int(c.xpos)),
    }));
    const rows = 7;
    const slots = Array.from({ length: rows }, (_, r) => r % 3);
    const f = randomFeatures(c, rows, 6, lengths);
    const layout = contextLayout(batch, c);
    const t = featureTensors(f, rows, { layout, slots });
    const table = net.contextTable(batch, layout);
    const logits = net.logits(t, table);
    const want = logits.dataSync() as Float32Array;
    for (const [useKernel, useContextKernel] of [
      [true, true],
      [true, false],
      [false, false],
    ] as const) {
      const p = new PrecomputedScorer(net, { topWords: 5, useKernel, useContextKernel });
      expect(() => p.scorer()).toThrow('a parser with a context encoder scores a given batch of sentences');
      const score = p.scorer(batch);
      expect(() => score(f, rows)).toThrow("a parser with a context encoder needs the rows' sentence slots");
      expectClose(score(f, rows, slots), want);
      p.dispose();
    }
    tf.dispose([logits, table, ...Object.values(t)]);
    net.dispose();
  });
});
