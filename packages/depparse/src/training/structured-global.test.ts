// The globally normalised loss (Andor et al. 2016): with a beam holding every sequence it is the exact
// CRF negative log-likelihood of the gold sequence, computed here by enumerating every sequence of
// 3- and 4-word sentences; its gradient matches central finite differences; trainGlobal runs on
// core's loop without leaking tensors and attaches the net's output layer as its structured one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, Rng } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { beamUpdates } from '../beam/beam-update.js';
import { goldPath } from '../beam/gold-path.js';
import { enumerateGlobal, randomSentence, tinyStructuredParser } from '../beam/structured-fixtures.js';
import type { SentenceIds } from '../model/features.js';
import type { Parser } from '../model/parser.js';
import { parseConllu } from '../text/conllu.js';
import type { SystemName } from '../transitions/transitions.js';
import { globalLoss, trainGlobal } from './structured-global.js';
import { trainParser } from './train.js';

const WIDE = 4096;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

/** A gold tree of n words: word 2 the root's dependent, the others attached towards it. */
function goldOf(parser: Parser, n: number): number[] {
  const heads = [0, ...Array.from({ length: n }, (_, i) => (i + 1 === 2 ? 0 : i + 1 < 2 ? 2 : i))];
  const labels = ['', ...heads.slice(1).map((h) => (h === 0 ? 'root' : 'nsubj'))];
  return goldPath(parser.beamModel(), n, heads, labels);
}

function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

describe('the global loss with a full beam', () => {
  it.each(['arc-standard', 'arc-hybrid', 'arc-eager'] as SystemName[])(
    '%s: equals the exact CRF negative log-likelihood by enumeration (3 and 4 words)',
    (system) => {
      const rng = new Rng(3);
      for (const n of [3, 4]) {
        const parser = tinyStructuredParser(system, n, { outputScale: 3 });
        const ids = randomSentence(n, rng);
        const gold = goldOf(parser, n);
        const scorer = parser.networkScorer();
        const all = enumerateGlobal(parser, ids, scorer);
        const goldSeq = all.find((a) => a.path.join() === gold.join());
        expect(goldSeq).toBeDefined();
        const exact = logSumExp(all.map((a) => a.score)) - goldSeq!.score;
        const updates = beamUpdates(parser.beamModel(), [ids], [gold], scorer, WIDE, 'early');
        // nothing pruned: the gold never leaves a beam that holds everything
        expect(updates[0]!.kind === 'none' || updates[0]!.kind === 'final').toBe(true);
        expect(updates[0]!.beam.length).toBe(all.length);
        const loss = globalLoss(parser, [ids], updates);
        expect(loss.dataSync()[0]).toBeCloseTo(exact, 3);
        expect(exact).toBeGreaterThan(0);
        loss.dispose();
        scorer.dispose();
        parser.dispose();
      }
    },
    60_000,
  );

  it('its gradient matches central finite differences (tanh net, every layer)', () => {
    const parser = tinyStructuredParser('arc-hybrid', 7, { activation: 'tanh', outputScale: 3 });
    const rng = new Rng(8);
    const batch: SentenceIds[] = [randomSentence(3, rng), randomSentence(4, rng)];
    const golds = batch.map((ids) => goldOf(parser, ids.words.length - 1));
    const scorer = parser.networkScorer();
    // a beam of 3: the early-update beams (gold prefix added when out); the paths stay fixed below
    const updates = beamUpdates(parser.beamModel(), batch, golds, scorer, 3, 'early');
    scorer.dispose();
    const vars = parser.net.trainableParameters();
    const { grads, value } = tf.variableGrads(() => globalLoss(parser, batch, updates), Object.values(vars));
    const lossAt = () => {
      const l = globalLoss(parser, batch, updates);
      const v = l.dataSync()[0]!;
      l.dispose();
      return v;
    };
    const eps = 1e-2;
    let checked = 0;
    for (const name of ['output.weight', 'output.bias', 'hidden1.weight', 'words.weight', 'labels.weight']) {
      const v = vars[name]!;
      const g = grads[v.name]!.dataSync() as Float32Array;
      const base = Float32Array.from(v.dataSync() as Float32Array);
      // the entries with the largest gradients (and one more), where the check is not lost in rounding
      const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!));
      for (const i of order.slice(0, 3)) {
        const at = (d: number) => {
          const w = base.slice();
          w[i]! += d;
          v.assign(tf.tensor(w, v.shape));
          return lossAt();
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(Math.abs(fd - g[i]!)).toBeLessThan(2e-2 * Math.max(1, Math.abs(g[i]!)));
        checked++;
      }
      expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-3);
    }
    expect(checked).toBe(15);
    tf.dispose([value, ...Object.values(grads)]);
    parser.dispose();
  });
});

describe('trainGlobal', () => {
  it('trains on core loop from a greedy net, leak-free, and attaches the net output as the structured layer', () => {
    const train = parseConllu(
      readFileSync(join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-dev.conllu'), 'utf8'),
    );
    const { parser } = trainParser(train.slice(0, 200), undefined, {
      epochs: 1,
      batchSize: 128,
      net: { hidden: [32], wordDim: 16, tagDim: 8, labelDim: 8, extraDim: 8 },
      seed: 1,
    });
    const dev = train.slice(200, 240);
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const { history } = trainGlobal(parser, train.slice(0, 64), dev, {
      beam: 4,
      epochs: 2,
      sentencesPerStep: 16,
      onStep: (e) => losses.push(e.updated),
    });
    expect(history).toHaveLength(2);
    expect(history[0]!.dev!.uas).toBeGreaterThan(0);
    expect(losses).toHaveLength(8);
    const s = parser.structuredOutput!;
    expect(s.config).toEqual({
      training: 'global',
      hidden: 32,
      transitions: parser.transitions.size,
      beam: 4,
    });
    expect(Array.from(s.output.weight.dataSync())).toEqual(Array.from(parser.net.output.weight.dataSync()));
    // the structured layer is the only tensor left beyond the parser's own (its weight and bias)
    const after = tf.memory().numTensors;
    parser.setStructured(undefined);
    parser.invalidate();
    expect(after).toBe(before + 2);
    expect(tf.memory().numTensors).toBe(before);
    parser.dispose();
  }, 120_000);
});
