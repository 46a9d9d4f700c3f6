// trainParser's own logic around the shared loop: its options are checked by name, the epoch reports
// and batch events, a diverging run that fails with the epoch and frees what it built, and the
// vocabularies it builds from the projectivised trees.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, sgd } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConllu, words } from '../text/conllu.js';
import { buildVocabularies, trainParser } from './train.js';

const ewt = (split: string) =>
  parseConllu(readFileSync(join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`), 'utf8'));

const tiny = { net: { hidden: [16], wordDim: 8, tagDim: 4, labelDim: 4 }, batchSize: 64 };

describe('trainParser', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('reports every batch and epoch; without a dev set the last epoch is the result', () => {
    const train = ewt('train').slice(0, 40);
    const batches: { epoch: number; batch: number; batches: number }[] = [];
    const { parser, history, best } = trainParser(train, undefined, {
      ...tiny,
      epochs: 2,
      onBatch: ({ epoch, batch, batches: n, loss }) => {
        expect(Number.isFinite(loss)).toBe(true);
        batches.push({ epoch, batch, batches: n });
      },
    });
    expect(best).toBe(2);
    expect(history.map((h) => h.epoch)).toEqual([1, 2]);
    for (const h of history) {
      expect(h.dev).toBeUndefined();
      // every example is in one batch of the epoch
      const n = batches.filter((b) => b.epoch === h.epoch);
      expect(n.map((b) => b.batch)).toEqual([...n.keys()]);
      expect(n.every((b) => b.batches === n.length)).toBe(true);
      expect(n.length).toBe(Math.ceil(h.examples / tiny.batchSize));
    }
    parser.dispose();
  });

  it('checks its options by name', () => {
    const train = ewt('train').slice(0, 10);
    const cases: [Parameters<typeof trainParser>[2], RegExp][] = [
      [{ pretrainedVocabulary: -1 }, /pretrainedVocabulary must be a whole number >= 0, got -1/],
      [{ pretrainedVocabulary: 5 }, /pretrainedVocabulary needs pretrained vectors/],
      [{ teacherWeight: 1.5 }, /teacherWeight must be in \[0, 1\], got 1.5/],
      [{ averageDecay: 1 }, /averageDecay must be in \(0, 1\), got 1/],
      [{ system: 'arc-standard', exploreFrom: 1 }, /arc-standard has no dynamic oracle/],
    ];
    for (const [o, message] of cases)
      expect(() => trainParser(train, undefined, { ...tiny, ...o })).toThrow(message);
    expect(() => trainParser([], undefined, tiny)).toThrow(/no usable training trees/);
  });

  it('a diverging run fails naming the epoch and leaves no tensor behind', () => {
    const train = ewt('train').slice(0, 40);
    const before = tf.memory().numTensors;
    expect(() =>
      trainParser(train, ewt('dev').slice(0, 5), {
        ...tiny,
        epochs: 2,
        averageDecay: 0.9,
        optimizer: sgd(1e38),
      }),
    ).toThrow(/parser training diverged \(loss (NaN|Infinity)\) in epoch 1/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('buildVocabularies', () => {
  it('counts words above the cut-off, every tag and label, and adds the extra words last', () => {
    const [s] = parseConllu(
      '1\tDogs\t_\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n2\tbark\t_\tVERB\tVBP\t_\t0\troot\t_\t_\n3\tdogs\t_\tNOUN\tNNS\t_\t2\tobj\t_\t_\n\n',
    );
    const tree = {
      words: words(s!),
      heads: [0, 2, 0, 2],
      labels: ['', 'nsubj', 'root', 'obj'],
    };
    const v = buildVocabularies([tree as never], 2, 'xpos', ['cats', 'dogs']);
    expect(v.words.toJSON()).toEqual({ items: ['dogs', 'cats'], counts: [2, 0] });
    expect(v.upos.toJSON().items).toEqual(['NOUN', 'VERB']);
    expect(v.xpos.toJSON().items).toEqual(['NNS', 'VBP']);
    expect(v.labels.toJSON().items).toEqual(['nsubj', 'root', 'obj']);
  });
});
