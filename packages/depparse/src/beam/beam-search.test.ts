// Beam search: width 1 is greedy parsing, tree for tree, in each transition system (EWT dev, the
// precomputed kernel scorer); a beam wide enough to hold every transition sequence finds the best one
// that exhaustive search finds, with the same score (a sum of log-softmax over the legal transitions).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, Rng } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrecomputedScorer } from '../fast-path/precompute.js';
import { extractFeatures, featureBuffers, type SentenceIds } from '../model/features.js';
import { Parser, type Scorer } from '../model/parser.js';
import { Vocabulary } from '../model/vocab.js';
import { parseConllu, words } from '../text/conllu.js';
import { trainParser } from '../training/train.js';
import { dependentOf } from '../transitions/transition-set.js';
import { Configuration, type SystemName } from '../transitions/transitions.js';
import { beamSearch, checkBeamWidth, MAX_BEAM_WIDTH } from './beam-search.js';
import { copyConfiguration } from './configuration-copy.js';

/** A beam wider than the sequences of the test's sentences (at most 4 words, 2 labels). */
const WIDE = 4096;
const SYSTEM_NAMES: SystemName[] = ['arc-standard', 'arc-eager', 'arc-hybrid'];
const ewt = (split: string) =>
  parseConllu(readFileSync(join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`), 'utf8'));

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

describe('beam search at width 1', () => {
  it.each(SYSTEM_NAMES)(
    '%s: gives exactly the greedy trees on EWT dev (kernel scorer)',
    (system) => {
      // a briefly trained parser: real, decisive scores (ties are as rare as in a shipped model)
      const { parser } = trainParser(ewt('train').slice(0, 300), undefined, {
        system,
        epochs: 1,
        batchSize: 128,
        net: { hidden: [64], wordDim: 16, tagDim: 8, labelDim: 8, extraDim: 8 },
        seed: 4,
      });
      const dev = ewt('dev').map((s) => words(s));
      parser.net.eval();
      const precomputed = new PrecomputedScorer(parser.net);
      const scorer = precomputed.scorer();
      let differing = 0;
      let sentences = 0;
      for (let s = 0; s < dev.length; s += 512) {
        const encoded = dev.slice(s, s + 512).map((ws) => parser.encode(ws));
        const greedy = parser.parseBatch(encoded, scorer);
        const beam = parser.beamParseBatch(encoded, scorer, 1);
        greedy.forEach((g, i) => {
          const b = beam[i]!;
          sentences++;
          if (g.heads.join() !== b.heads.join() || g.labels.join() !== b.labels.join()) differing++;
        });
      }
      expect(sentences).toBe(2001);
      expect(differing).toBe(0);
      precomputed.dispose();
      parser.dispose();
    },
    600_000,
  );
});

/** Every complete legal transition sequence of one sentence, scored one row at a time. */
function exhaustive(parser: Parser, ids: SentenceIds, scorer: Scorer) {
  const model = parser.beamModel();
  const { system, transitions } = model;
  const buffers = featureBuffers(1);
  const done: { config: Configuration; score: number }[] = [];
  const visit = (c: Configuration, labelIds: Int32Array, score: number) => {
    if (system.isTerminal(c)) {
      done.push({ config: c, score });
      return;
    }
    extractFeatures(c, ids, labelIds, buffers, 0);
    const raw = Array.from(scorer(buffers, 1, [0]));
    const legal = transitions.map((t) => system.isLegal(c, t));
    const max = Math.max(...raw.filter((_, k) => legal[k]));
    let sum = 0;
    raw.forEach((v, k) => {
      if (legal[k]) sum += Math.exp(v - max);
    });
    const logZ = max + Math.log(sum);
    transitions.forEach((t, k) => {
      if (!legal[k]) return;
      const next = copyConfiguration(c);
      const nextLabels = labelIds.slice();
      const d = dependentOf(system, next, t);
      system.apply(next, t);
      if (d > 0) nextLabels[d] = model.labelIds[k]!;
      visit(next, nextLabels, score + (raw[k]! - logZ));
    });
  };
  visit(new Configuration(ids.words.length - 1), new Int32Array(ids.words.length), 0);
  return done.sort((a, b) => b.score - a.score);
}

function tinyParser(system: SystemName, seed: number): Parser {
  const vocab = {
    words: Vocabulary.build(['a', 'b', 'c', 'd', 'e']),
    upos: Vocabulary.build(['N', 'V']),
    xpos: Vocabulary.build(['NN', 'VB']),
    labels: Vocabulary.build(['nsubj', 'obj']),
  };
  const parser = Parser.create(
    {
      system,
      pseudoProjective: false,
      net: {
        wordDim: 8,
        tagDim: 4,
        labelDim: 4,
        extraDim: 4,
        hidden: [16],
        activation: 'relu',
        dropout: 0,
      },
    },
    vocab,
    new Rng(seed),
  );
  // larger output weights than the initialisation's: decisive, varied scores
  const out = parser.net.output.weight as tf.Variable;
  tf.tidy(() => out.assign(tf.mul(out, 40)));
  parser.net.eval();
  return parser;
}

describe('beam search wide enough for every sequence', () => {
  it.each(SYSTEM_NAMES)(
    '%s: keeps every sequence, and its best is what exhaustive search finds, score for score',
    (system) => {
      const rng = new Rng(11);
      let checked = 0;
      for (let seed = 0; seed < 3; seed++) {
        const parser = tinyParser(system, seed);
        const scorer = parser.networkScorer();
        for (const n of [1, 2, 3, 4]) {
          const ids: SentenceIds = {
            words: Int32Array.from({ length: n + 1 }, () => 3 + Math.floor(rng.next() * 5)),
            upos: Int32Array.from({ length: n + 1 }, () => 3 + Math.floor(rng.next() * 2)),
            xpos: Int32Array.from({ length: n + 1 }, () => 3 + Math.floor(rng.next() * 2)),
          };
          const all = exhaustive(parser, ids, scorer);
          expect(all.length).toBeLessThanOrEqual(WIDE);
          const [beam] = beamSearch(parser.beamModel(), [ids], scorer, WIDE);
          // nothing pruned: the final beam is every complete sequence, best first
          expect(beam!.length).toBe(all.length);
          beam!.forEach((item, i) => {
            expect(item.score).toBeCloseTo(all[i]!.score, 5);
          });
          expect(Array.from(beam![0]!.config.heads)).toEqual(Array.from(all[0]!.config.heads));
          expect(beam![0]!.config.labels).toEqual(all[0]!.config.labels);
          // log-probabilities of complete sequences: each at most 0, together at most 1
          expect(beam![0]!.score).toBeLessThanOrEqual(0);
          expect(all.reduce((a, d) => a + Math.exp(d.score), 0)).toBeLessThanOrEqual(1 + 1e-9);
          // a narrower beam keeps `width` items, best first, and its best is no better
          const [narrow] = beamSearch(parser.beamModel(), [ids], scorer, 2);
          expect(narrow!.length).toBe(Math.min(2, all.length));
          if (narrow!.length === 2) expect(narrow![0]!.score).toBeGreaterThanOrEqual(narrow![1]!.score);
          expect(narrow![0]!.score).toBeLessThanOrEqual(all[0]!.score + 1e-9);
          checked++;
        }
        scorer.dispose();
        parser.dispose();
      }
      expect(checked).toBe(12);
    },
    120_000,
  );

  it('refuses widths outside 1-MAX_BEAM_WIDTH', () => {
    for (const w of [0, -1, 1.5, Number.NaN, MAX_BEAM_WIDTH + 1])
      expect(() => checkBeamWidth(w)).toThrow(RangeError);
    expect(() => checkBeamWidth(1)).not.toThrow();
  });
});
