// The window tagger: training on the shared loop (leak-free, loss falling, options checked), tagging
// that keeps or fills tags as asked, and model files that round-trip exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, sgd } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConllu, words } from '../text/conllu.js';
import { Tagger, tagAccuracy, trainTagger } from './tagger.js';

const ewt = (split: string) =>
  parseConllu(readFileSync(join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`), 'utf8'));

describe('trainTagger', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('learns over epochs without leaking tensors, and its files round-trip exactly', () => {
    const train = ewt('train').slice(0, 300);
    const dev = ewt('dev').slice(0, 60);
    const epochs: { epoch: number; loss: number; tensors: number }[] = [];
    const tagger = trainTagger(train, {
      epochs: 3,
      batchSize: 128,
      seed: 2,
      config: { wordDim: 16, hidden: 32 },
      onEpoch: (e) => epochs.push({ epoch: e.epoch, loss: e.loss, tensors: tf.memory().numTensors }),
    });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(epochs[2]!.tensors).toBe(epochs[1]!.tensors);
    const tagged = tagger.tag(dev);
    // far above the most frequent tag (~0.17) after three short epochs
    expect(tagAccuracy(dev, tagged).upos).toBeGreaterThan(0.4);
    const again = Tagger.fromFiles(tagger.toFiles());
    expect(again.tag(dev)).toEqual(tagged);
    again.dispose();
    tagger.dispose();
  });

  it("fill: 'missing' keeps the input's tags and predicts only the '_' ones", () => {
    const train = ewt('train').slice(0, 100);
    const tagger = trainTagger(train, { epochs: 1, config: { wordDim: 8, hidden: 16 } });
    const [s] = ewt('dev').slice(0, 1);
    const blanked = {
      ...s!,
      rows: s!.rows.map((r, i) => (r.kind === 'word' && i % 2 === 0 ? { ...r, upos: '_' } : r)),
    };
    const [kept] = tagger.tag([blanked], { fill: 'missing' });
    const [all] = tagger.tag([blanked]);
    words(kept!).forEach((w, i) => {
      const given = words(blanked)[i]!.upos;
      expect(w.upos).toBe(given === '_' ? words(all!)[i]!.upos : given);
    });
    tagger.dispose();
  });

  it('checks its epochs and stops on a diverging loss instead of training on NaN', () => {
    const train = ewt('train').slice(0, 20);
    expect(() => trainTagger(train, { epochs: -1 })).toThrow(
      /tagger epochs must be a whole number >= 0, got -1/,
    );
    expect(() => trainTagger(train, { epochs: 1.5 })).toThrow(/whole number/);
    const before = tf.memory().numTensors;
    expect(() =>
      trainTagger(train, { epochs: 2, optimizer: sgd(1e38), config: { wordDim: 8, hidden: 16 } }),
    ).toThrow(/metric 'loss' is (NaN|Infinity)/);
    // the tagger it was training is disposed with the error
    expect(tf.memory().numTensors).toBe(before);
  });
});
