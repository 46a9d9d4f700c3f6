// Training examples from hand-written trees: which trees are kept (projective, projectivised, lifted
// labels), the static oracle's examples replayed back to the gold tree, growth past the first buffer,
// the dynamic oracle's examples, and the row helpers.
import { initBackend, Rng } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureBuffers } from '../model/features.js';
import { Parser } from '../model/parser.js';
import { parseConllu } from '../text/conllu.js';
import { Configuration, SYSTEMS, type SystemName } from '../transitions/transitions.js';
import {
  copyRow,
  type Examples,
  exploredExamples,
  featureRows,
  staticExamples,
  type TrainTree,
  trainingTrees,
} from './examples.js';
import { buildVocabularies } from './train.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const line = (id: number, form: string, upos: string, head: number, rel: string) =>
  `${id}\t${form}\t${form.toLowerCase()}\t${upos}\t${upos}\t_\t${head}\t${rel}\t_\t_`;
const conllu = (...sentences: string[][]) => `${sentences.map((s) => `${s.join('\n')}\n`).join('\n')}\n`;

const CAT = [
  line(1, 'The', 'DET', 2, 'det'),
  line(2, 'cat', 'NOUN', 3, 'nsubj'),
  line(3, 'sleeps', 'VERB', 0, 'root'),
];
const HI = [line(1, 'Hi', 'INTJ', 0, 'root'), line(2, 'there', 'ADV', 1, 'advmod')];
// arcs 3 -> 1 and 4 -> 2 cross: not projective
const CROSSED = [
  line(1, 'a', 'X', 3, 'dep'),
  line(2, 'b', 'X', 4, 'obj'),
  line(3, 'c', 'VERB', 0, 'root'),
  line(4, 'd', 'X', 3, 'obl'),
];

const tiny = {
  hidden: [8],
  wordDim: 4,
  tagDim: 2,
  labelDim: 2,
  extraDim: 2,
  activation: 'cube' as const,
  dropout: 0,
};

function parserFor(trees: readonly TrainTree[], system: SystemName = 'arc-hybrid'): Parser {
  return Parser.create(
    { system, pseudoProjective: true, net: tiny },
    buildVocabularies(trees, 1),
    new Rng(1),
  );
}

/** The heads and labels that applying a sentence's targets in order builds. */
function replay(parser: Parser, n: number, targets: number[]) {
  const sys = SYSTEMS[parser.config.system];
  const c = new Configuration(n);
  for (const k of targets) {
    const t = parser.transitions.items[k]!;
    expect(sys.isLegal(c, t)).toBe(true);
    sys.apply(c, t);
  }
  expect(sys.isTerminal(c)).toBe(true);
  return { heads: Array.from(c.heads), labels: c.labels };
}

const targetsOf = (ex: Examples, s: number) =>
  Array.from(ex.targets.subarray(0, ex.count)).filter((_, i) => ex.sentences[i] === s);

describe('trainingTrees', () => {
  it('keeps projective trees as they are, with the root at index 0', () => {
    const [cat] = trainingTrees(parseConllu(conllu(CAT)), false);
    expect(cat!.heads).toEqual([0, 2, 3, 0]);
    expect(cat!.labels).toEqual(['', 'det', 'nsubj', 'root']);
    expect(cat!.words.map((w) => w.form)).toEqual(['The', 'cat', 'sleeps']);
  });

  it('drops non-projective trees without pseudo-projectivity, lifts them with it', () => {
    const sentences = parseConllu(conllu(CAT, CROSSED, HI));
    expect(trainingTrees(sentences, false).map((t) => t.words.length)).toEqual([3, 2]);
    const lifted = trainingTrees(sentences, true);
    expect(lifted.map((t) => t.words.length)).toEqual([3, 4, 2]);
    const crossed = lifted[1]!;
    // the lifted tree is projective: no two arcs cross
    const arcs = crossed.heads.slice(1).map((h, i) => [Math.min(h, i + 1), Math.max(h, i + 1)] as const);
    for (const [a, b] of arcs) for (const [c, d] of arcs) expect(a < c && c < b && b < d).toBe(false);
    // a lifted label seen once falls back to its plain label
    expect(crossed.labels.some((l) => l.includes('|'))).toBe(false);
  });

  it('keeps lifted labels ("label|headLabel") seen at least 3 times', () => {
    const thrice = trainingTrees(parseConllu(conllu(CROSSED, CROSSED, CROSSED)), true);
    const lifted = thrice[0]!.labels.filter((l) => l.includes('|'));
    expect(lifted.length).toBeGreaterThan(0);
    for (const t of thrice) expect(t.labels).toEqual(thrice[0]!.labels);
    const twice = trainingTrees(parseConllu(conllu(CROSSED, CROSSED)), true);
    expect(twice[0]!.labels.some((l) => l.includes('|'))).toBe(false);
  });
});

describe('staticExamples', () => {
  for (const system of ['arc-standard', 'arc-hybrid', 'arc-eager'] as const)
    it(`gives one example per transition, which replay to the gold tree (${system})`, () => {
      const trees = trainingTrees(parseConllu(conllu(CAT, CROSSED, HI)), true);
      const parser = parserFor(trees, system);
      const ids = trees.map((t) => parser.encode(t.words));
      const ex = staticExamples(parser, trees, ids);
      trees.forEach((t, s) => {
        const targets = targetsOf(ex, s);
        // every token is shifted once and attached once (arc-eager also reduces)
        if (system !== 'arc-eager') expect(targets).toHaveLength(2 * t.words.length);
        const built = replay(parser, t.words.length, targets);
        expect(built.heads.slice(1)).toEqual(t.heads.slice(1));
        expect(built.labels.slice(1)).toEqual(t.labels.slice(1));
      });
      // examples are in sentence order
      expect(Array.from(ex.sentences.subarray(0, ex.count))).toEqual(
        [...ex.sentences.subarray(0, ex.count)].sort(),
      );
      parser.dispose();
    });

  it('grows its buffers past 65,536 examples, keeping every row', () => {
    // a 60-word chain (each word the dependent of the next): 120 examples a sentence
    const chain = Array.from({ length: 60 }, (_, i) =>
      line(i + 1, `w${i % 7}`, 'X', i === 59 ? 0 : i + 2, i === 59 ? 'root' : 'dep'),
    );
    const trees = trainingTrees(parseConllu(conllu(chain)), true);
    const parser = parserFor(trees);
    const id = parser.encode(trees[0]!.words);
    const many = Array.from({ length: 560 }, () => trees[0]!);
    const ex = staticExamples(
      parser,
      many,
      many.map(() => id),
    );
    expect(ex.count).toBe(560 * 120);
    expect(ex.targets.length).toBeGreaterThanOrEqual(ex.count);
    // the last sentence's rows equal the first one's
    const last = ex.count - 120;
    const a = featureRows(ex.features, 0, 120);
    const b = featureRows(ex.features, last, 120);
    for (const k of ['words', 'upos', 'xpos', 'labels', 'extras', 'tokens'] as const)
      expect(Array.from(b[k])).toEqual(Array.from(a[k]));
    expect(Array.from(ex.targets.subarray(last, ex.count))).toEqual(Array.from(ex.targets.subarray(0, 120)));
    expect([ex.sentences[last - 1], ex.sentences[last], ex.sentences[ex.count - 1]]).toEqual([558, 559, 559]);
    parser.dispose();
  });

  it('refuses a tree whose label the parser has no transition for', () => {
    const trees = trainingTrees(parseConllu(conllu(CAT)), true);
    const parser = parserFor(trees);
    const other = trainingTrees(parseConllu(conllu(HI)), true);
    expect(() =>
      staticExamples(
        parser,
        other,
        other.map((t) => parser.encode(t.words)),
      ),
    ).toThrow(/transition right:advmod is not in the transition set/);
    parser.dispose();
  });
});

describe('exploredExamples', () => {
  it('with p = 0 follows the oracle: its examples replay to the gold tree of projective sentences', () => {
    const trees = trainingTrees(parseConllu(conllu(CAT, HI, CAT)), true);
    const parser = parserFor(trees);
    const ids = trees.map((t) => parser.encode(t.words));
    const ex = exploredExamples(parser, trees, ids, new Rng(1), 0);
    expect(ex.count).toBe(6 + 4 + 6);
    trees.forEach((t, s) => {
      const built = replay(parser, t.words.length, targetsOf(ex, s));
      expect(built.heads.slice(1)).toEqual(t.heads.slice(1));
    });
    expect(parser.net.training).toBe(true);
    parser.dispose();
  });

  it('with p = 1 follows the model: every example is a legal transition, and training mode comes back', () => {
    const trees = trainingTrees(parseConllu(conllu(CAT, CROSSED, HI)), true);
    const parser = parserFor(trees, 'arc-eager');
    const ids = trees.map((t) => parser.encode(t.words));
    const ex = exploredExamples(parser, trees, ids, new Rng(2), 1);
    expect(ex.count).toBeGreaterThanOrEqual(trees.length);
    for (let i = 0; i < ex.count; i++) {
      expect(ex.targets[i]).toBeGreaterThanOrEqual(0);
      expect(ex.targets[i]).toBeLessThan(parser.transitions.size);
      expect(ex.sentences[i]).toBeLessThan(trees.length);
    }
    expect(parser.net.training).toBe(true);
    parser.dispose();
  });
});

describe('featureRows and copyRow', () => {
  it('featureRows views rows start..start + rows of every buffer', () => {
    const f = featureBuffers(5);
    for (const a of Object.values(f)) for (let i = 0; i < a.length; i++) a[i] = i;
    const v = featureRows(f, 2, 2);
    expect([v.words[0], v.words.length]).toEqual([40, 40]);
    expect([v.labels[0], v.labels.length]).toEqual([28, 28]);
    expect([v.extras[0], v.extras.length]).toEqual([12, 12]);
    expect([v.tokens[0], v.tokens.length]).toEqual([8, 8]);
    v.upos[0] = -7; // a view, not a copy
    expect(f.upos[40]).toBe(-7);
    expect(featureRows(f, 5, 0).words).toHaveLength(0);
  });

  it('copyRow copies one row of every buffer and its target', () => {
    const src = featureBuffers(3);
    for (const a of Object.values(src)) for (let i = 0; i < a.length; i++) a[i] = i + 1;
    const dst = featureBuffers(2);
    const td = new Int32Array(2);
    copyRow(src, 2, dst, 1, Int32Array.from([7, 8, 9]), td);
    expect(Array.from(td)).toEqual([0, 9]);
    for (const k of Object.keys(src) as (keyof typeof src)[]) {
      const width = src[k].length / 3;
      expect(Array.from(dst[k].subarray(0, width)).every((x) => x === 0)).toBe(true);
      expect(Array.from(dst[k].subarray(width))).toEqual(Array.from(src[k].subarray(2 * width)));
    }
  });
});
