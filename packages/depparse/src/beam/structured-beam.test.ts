// Structured beam search: with the perceptron's scorer (raw scores over the net's last hidden
// activation), a beam wider than the number of sequences keeps every sequence and its best is
// exhaustive search's, score for score; early update stops a sentence at the first step its gold
// prefix is out of the beam, and the update compares that step's beam; a parser with a structured
// output parses with it at --beam N through the kernel path, as the tfjs scorer does.
import { initBackend, Rng } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SystemName } from '../transitions/transitions.js';
import { type BeamItem, beamSearch } from './beam-search.js';
import { beamUpdates } from './beam-update.js';
import { goldPath, isGoldPrefix } from './gold-path.js';
import {
  enumerateGlobal,
  PerceptronScorerForTest,
  randomSentence,
  tinyStructuredParser,
} from './structured-fixtures.js';
import { StructuredOutput } from './structured-output.js';

const WIDE = 4096;
const SYSTEM_NAMES: SystemName[] = ['arc-standard', 'arc-eager', 'arc-hybrid'];

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

describe('beam search with the perceptron scorer', () => {
  it.each(SYSTEM_NAMES)(
    '%s: a beam wider than every sequence finds what exhaustive search finds, score for score',
    (system) => {
      const rng = new Rng(5);
      let checked = 0;
      for (let seed = 0; seed < 2; seed++) {
        const parser = tinyStructuredParser(system, seed);
        for (const n of [1, 2, 3, 4]) {
          const ids = randomSentence(n, rng);
          const scorer = new PerceptronScorerForTest(parser, [ids], new Rng(seed + 100));
          const all = enumerateGlobal(parser, ids, scorer.score);
          expect(all.length).toBeLessThanOrEqual(WIDE);
          const [beam] = beamSearch(parser.beamModel(), [ids], scorer.score, WIDE, {
            scores: 'global',
            paths: true,
          });
          expect(beam!.length).toBe(all.length);
          beam!.forEach((item, i) => {
            expect(item.score).toBeCloseTo(all[i]!.score, 3);
          });
          expect(beam![0]!.path).toEqual(all[0]!.path);
          expect(Array.from(beam![0]!.config.heads)).toEqual(Array.from(all[0]!.config.heads));
          // raw scores are not log-probabilities: some complete sequence scores above 0
          expect(all.some((a) => a.score > 0)).toBe(true);
          scorer.dispose();
          checked++;
        }
        parser.dispose();
      }
      expect(checked).toBe(8);
    },
    120_000,
  );
});

describe('early update', () => {
  it('stops each sentence at the first step its gold prefix is out of the beam, and compares that beam', () => {
    const parser = tinyStructuredParser('arc-hybrid', 3);
    const model = parser.beamModel();
    const rng = new Rng(9);
    const batch = [3, 4, 4, 3, 4, 2].map((n) => randomSentence(n, rng));
    // gold trees: each word attached to the next one, the last to the root
    const golds = batch.map((ids) => {
      const n = ids.words.length - 1;
      const heads = [0, ...Array.from({ length: n }, (_, i) => (i + 1 === n ? 0 : i + 2))];
      const labels = ['', ...Array.from({ length: n }, (_, i) => (i + 1 === n ? 'root' : 'nsubj'))];
      return goldPath(model, n, heads, labels);
    });
    const scorer = parser.networkScorer();
    for (const width of [1, 2, 3]) {
      // the reference: an unstopped search, every step's beam logged
      const steps: BeamItem[][][] = batch.map(() => []);
      beamSearch(model, batch, scorer, width, {
        scores: 'global',
        paths: true,
        onStep: (s, beam) => {
          steps[s]!.push(beam.map((b) => ({ ...b, path: b.path!.slice() })));
          return true;
        },
      });
      const calls = batch.map(() => 0);
      const updates = beamUpdates(model, batch, golds, scorer, width, 'early');
      let fell = 0;
      updates.forEach((u, s) => {
        const gold = golds[s]!;
        const first = steps[s]!.findIndex(
          (beam, t) => !beam.some((b) => b.path!.length === t + 1 && isGoldPrefix(b.path!, gold)),
        );
        if (first < 0) {
          expect(u.kind === 'none' || u.kind === 'final').toBe(true);
          return;
        }
        fell++;
        expect(u.kind).toBe('early');
        expect(u.step).toBe(first);
        expect(u.goldInBeam).toBe(false);
        expect(u.gold).toEqual(gold.slice(0, first + 1));
        expect(u.beam.map((b) => b.path)).toEqual(steps[s]![first]!.map((b) => b.path));
        expect(u.beam.map((b) => b.score)).toEqual(steps[s]![first]!.map((b) => b.score));
      });
      // the gold falls off for some sentences at these widths (a random net), and stopping is per sentence
      if (width === 1) expect(fell).toBeGreaterThan(0);
      // beamSearch's onStep: false stops that sentence there, the others go on
      beamSearch(model, batch, scorer, width, {
        scores: 'global',
        paths: true,
        onStep: (s) => {
          calls[s]!++;
          return !(s === 0 && calls[s] === 2);
        },
      });
      expect(calls[0]).toBe(2);
      expect(calls[1]).toBe(steps[1]!.length);
    }
    scorer.dispose();
    parser.dispose();
  });
});

describe('a parser with a structured output', () => {
  it.each(['arc-hybrid', 'arc-standard'] as SystemName[])(
    '%s: parse({ beam }) ranks by the structured layer (kernel path), as the tfjs perceptron scorer does; greedy keeps the net',
    (system) => {
      const parser = tinyStructuredParser(system, 1);
      const rng = new Rng(2);
      const words = Array.from({ length: 12 }, (_, i) =>
        Array.from({ length: 2 + (i % 5) }, () => ({
          id: '1',
          form: 'abcde'[Math.floor(rng.next() * 5)]!,
          lemma: '_',
          upos: rng.next() < 0.5 ? 'N' : 'V',
          xpos: rng.next() < 0.5 ? 'NN' : 'VB',
          feats: '_',
          head: -1,
          headText: '_',
          deprel: '_',
          deps: '_',
          misc: '_',
          kind: 'word' as const,
        })),
      );
      const greedyBefore = parser.parseTrees(words);
      const scorerRng = new Rng(7);
      const encoded = words.map((ws) => parser.encode(ws));
      const localBeam = parser.parseTrees(words, { beam: 4 });
      for (const residual of [false, true]) {
        const reference = new PerceptronScorerForTest(parser, encoded, scorerRng, residual);
        const out = new StructuredOutput({
          training: 'perceptron',
          hidden: 16,
          transitions: parser.transitions.size,
          beam: 4,
          residual,
        });
        out.assign(reference.weight, reference.bias);
        parser.setStructured(out);
        const scores = residual ? 'residual' : 'global';
        const expected = beamSearch(parser.beamModel(), encoded, reference.score, 4, { scores });
        let differsFromLocal = 0;
        for (const precompute of [true, false]) {
          const got = parser.parseTrees(words, { beam: 4, precompute });
          got.forEach((t, i) => {
            const want = expected[i]![0]!.config;
            expect(Array.from(t.heads)).toEqual(Array.from(want.heads));
            const local = localBeam[i]!;
            if (t.heads.join() !== local.heads.join() || t.labels.join() !== local.labels.join())
              differsFromLocal++;
          });
        }
        // the structured layer changes the beam's choices (random weights of this size)
        expect(differsFromLocal).toBeGreaterThan(0);
        // greedy parsing keeps the net's own output layer
        const greedyAfter = parser.parseTrees(words);
        expect(greedyAfter.map((t) => Array.from(t.heads))).toEqual(
          greedyBefore.map((t) => Array.from(t.heads)),
        );
        reference.dispose();
      }
      // a residual layer of zeros is the locally normalised beam, tree for tree
      parser.setStructured(
        new StructuredOutput({
          training: 'perceptron',
          hidden: 16,
          transitions: parser.transitions.size,
          beam: 4,
          residual: true,
        }),
      );
      const same = parser.parseTrees(words, { beam: 4 });
      expect(same.map((t) => `${t.heads.join()}|${t.labels.join()}`)).toEqual(
        localBeam.map((t) => `${t.heads.join()}|${t.labels.join()}`),
      );
      parser.dispose();
    },
    60_000,
  );
});
