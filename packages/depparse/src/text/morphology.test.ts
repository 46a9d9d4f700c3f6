import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrecomputedScorer } from '../fast-path/precompute.js';
import { extractFeatures, featureBuffers } from '../model/features.js';
import { Parser } from '../model/parser.js';
import { Tagger, tagAccuracy, trainTagger } from '../model/tagger.js';
import { buildVocabularies } from '../training/train.js';
import { Configuration } from '../transitions/transitions.js';
import { parseConllu, words } from './conllu.js';
import { morphologyKey, splitMorphologyKey } from './morphology.js';

const ewt = (split: string) =>
  parseConllu(readFileSync(join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`), 'utf8'));

describe("morphology 'xpos+feats': XPOS and FEATS read as one tag", () => {
  beforeAll(async () => {
    await initBackend({ fallback: false });
  });

  it('joins and splits the two fields', () => {
    const w = { xpos: 'PRP', feats: 'Case=Nom|Number=Sing|Person=1|PronType=Prs' };
    expect(morphologyKey(w)).toBe('PRP');
    expect(splitMorphologyKey(morphologyKey(w, 'xpos+feats'))).toEqual(w);
    expect(splitMorphologyKey('NN')).toEqual({ xpos: 'NN', feats: '_' });
  });

  it('the parser encodes pronouns that share an XPOS tag apart', () => {
    const train = ewt('train').slice(0, 2000);
    const trees = train.map((s) => ({
      words: words(s),
      heads: [],
      labels: ['', ...words(s).map((w) => w.deprel)],
    }));
    const plain = buildVocabularies(trees, 2);
    const rich = buildVocabularies(trees, 2, 'xpos+feats');
    expect(rich.xpos.size).toBeGreaterThan(3 * plain.xpos.size);
    const parser = Parser.create(
      { system: 'arc-hybrid', pseudoProjective: true, morphology: 'xpos+feats', net: { ...smallNet } },
      rich,
    );
    const [he, him] = [
      {
        form: 'he',
        upos: 'PRON',
        xpos: 'PRP',
        feats: 'Case=Nom|Gender=Masc|Number=Sing|Person=3|PronType=Prs',
      },
      {
        form: 'him',
        upos: 'PRON',
        xpos: 'PRP',
        feats: 'Case=Acc|Gender=Masc|Number=Sing|Person=3|PronType=Prs',
      },
    ].map((w) => ({
      id: '1',
      lemma: '_',
      head: 0,
      deprel: 'root',
      deps: '_',
      misc: '_',
      kind: 'word' as const,
      headText: '0',
      ...w,
    }));
    const ids = parser.encode([he!, him!]);
    expect(ids.xpos[1]).not.toBe(ids.xpos[2]);
    expect(ids.xpos[1]).toBe(rich.xpos.id(morphologyKey(he!, 'xpos+feats')));
    // the precomputed scorer tables (UPOS, XPOS) pairs as they occur (17 x 300+ possible here) and reads
    // the two rows apart once its room for pairs is used up: the same scores as the network
    for (const v of Object.values(parser.net.trainableParameters())) {
      const t = tf.randomNormal(v.shape, 0, 0.2, 'float32', 7);
      v.assign(t);
      t.dispose();
    }
    const fb = featureBuffers(40);
    let rows = 0;
    for (const sentence of ewt('dev').slice(0, 40)) {
      const c = new Configuration(words(sentence).length);
      c.stack.push(c.next++);
      extractFeatures(
        c,
        parser.encode(words(sentence)),
        new Int32Array(words(sentence).length + 1),
        fb,
        rows++,
      );
    }
    parser.net.eval();
    const reference = parser.networkScorer()(fb, rows);
    // room for all pairs, for 5 (the rest read apart, from the batch that overflows), and the JS path
    for (const [useKernel, maxTagPairs] of [
      [true, 2048],
      [true, 5],
      [false, 2048],
    ] as const) {
      const p = new PrecomputedScorer(parser.net, { topWords: 500, useKernel, maxTagPairs });
      const got = p.scorer()(fb, rows);
      // relative, with a floor at 1e-3 of the scores' scale (float32 sums in another order differ by
      // a few 1e-6 on scores of ~30: near zero that is no relative error to speak of)
      const floor = 1e-3 * reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let worst = 0;
      for (let i = 0; i < got.length; i++)
        worst = Math.max(worst, Math.abs(got[i]! - reference[i]!) / (floor + Math.abs(reference[i]!)));
      expect(worst).toBeLessThan(1e-3);
      p.dispose();
    }
    // files keep the setting; an unknown one is refused
    const files = parser.toFiles();
    expect(Parser.fromFiles(files).config.morphology).toBe('xpos+feats');
    const bad = JSON.stringify({ ...parser.config, morphology: 'feats' });
    expect(() => Parser.fromFiles({ ...files, config: bad })).toThrow(
      /morphology: must be one of xpos, xpos\+feats, got "feats"/,
    );
    parser.dispose();
  });

  it('the tagger predicts both and writes them to their own columns', () => {
    const train = ewt('train').slice(0, 1500);
    const dev = ewt('dev').slice(0, 200);
    const tagger = trainTagger(train, { epochs: 2, config: { morphology: 'xpos+feats' } });
    const tagged = tagger.tag(dev);
    const acc = tagAccuracy(dev, tagged);
    expect(acc.xpos).toBeGreaterThan(0.8);
    expect(acc.feats).toBeGreaterThan(0.75);
    expect(words(tagged[0]!).every((w) => !w.xpos.includes('\t') && !w.feats.includes('\t'))).toBe(true);
    const files = tagger.toFiles();
    const again = Tagger.fromFiles(files);
    expect(again.tag(dev.slice(0, 5))).toEqual(tagged.slice(0, 5));
    const bad = JSON.stringify({ ...tagger.net.config, morphology: 'x' });
    expect(() => Tagger.fromFiles({ ...files, config: bad })).toThrow(
      /morphology: must be one of xpos, xpos\+feats, got "x"/,
    );
    tagger.dispose();
    again.dispose();
  });
});

const smallNet = {
  wordDim: 16,
  tagDim: 8,
  labelDim: 8,
  extraDim: 4,
  hidden: [32],
  activation: 'cube' as const,
  dropout: 0.5,
};
