// The structured perceptron: its averaged weights are, after two updates over three examples, what a
// hand computation of the mean of the three weight vectors gives; on a tiny separable set (four
// sentences, beam search over a frozen net's activations) training reaches an epoch without an update,
// and the averaged weights then parse every training sentence correctly; trainPerceptron runs on
// core's loop leak-free and attaches the averaged weights to the parser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, Rng } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { goldPath } from '../beam/gold-path.js';
import { randomSentence, tinyStructuredParser } from '../beam/structured-fixtures.js';
import { parseConllu } from '../text/conllu.js';
import { AveragedPerceptron } from './averaged-perceptron.js';
import { perceptronOutput, perceptronStep, trainPerceptron } from './structured-perceptron.js';
import { trainParser } from './train.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

describe('AveragedPerceptron', () => {
  it('averages the weights after each example: two updates over three examples, by hand', () => {
    // hidden 2, transitions 2; weight[j * 2 + k] is feature j of transition k
    const p = new AveragedPerceptron(2, 2);
    p.nextExample(); // example 1: +phi([1, 2], transition 0)
    p.add(Float32Array.of(1, 2), [0], 0, 1, 1);
    p.nextExample(); // example 2: no update
    p.nextExample(); // example 3: +phi([3, -1], 1) - phi([1, 1], 0)
    p.add(Float32Array.of(3, -1, 1, 1), [1, 0], 0, 1, 1);
    p.add(Float32Array.of(3, -1, 1, 1), [1, 0], 1, 1, -1);
    // after the examples: w0 = [1, 2] b0 = 1 | [1, 2] b0 = 1 | w0 = [0, 1] b0 = 0, w1 = [3, -1] b1 = 1
    expect(Array.from(p.weight)).toEqual([0, 3, 1, -1]);
    expect(Array.from(p.bias)).toEqual([0, 1]);
    const avg = p.averaged();
    const want = [2 / 3, 1, 5 / 3, -1 / 3];
    avg.weight.forEach((w, i) => {
      expect(w).toBeCloseTo(want[i]!, 6);
    });
    expect(avg.bias[0]).toBeCloseTo(2 / 3, 6);
    expect(avg.bias[1]).toBeCloseTo(1 / 3, 6);
    expect(p.examples).toBe(3);
  });

  it('starts from given weights and refuses an update before the first example', () => {
    const p = new AveragedPerceptron(1, 2, { weight: Float32Array.of(1, 2), bias: Float32Array.of(3, 4) });
    expect(Array.from(p.averaged().weight)).toEqual([1, 2]);
    expect(() => p.add(Float32Array.of(1), [0], 0, 1, 1)).toThrow(/nextExample/);
    p.nextExample();
    expect(() => p.add(Float32Array.of(1), [5], 0, 1, 1)).toThrow(RangeError);
    expect(
      () => new AveragedPerceptron(2, 2, { weight: Float32Array.of(1), bias: Float32Array.of(0, 0) }),
    ).toThrow(RangeError);
  });
});

describe('the structured perceptron on a separable toy set', () => {
  it('reaches an epoch without updates, and the averaged weights parse every sentence as gold', () => {
    const parser = tinyStructuredParser('arc-hybrid', 2);
    const model = parser.beamModel();
    const rng = new Rng(4);
    // four short sentences; each word attached to its right neighbour, the last to the root
    const sentences = [2, 3, 3, 4].map((n) => {
      const ids = randomSentence(n, rng);
      const heads = [0, ...Array.from({ length: n }, (_, i) => (i + 1 === n ? 0 : i + 2))];
      const labels = ['', ...heads.slice(1).map((h) => (h === 0 ? 'root' : 'nsubj'))];
      return { ids, gold: goldPath(model, n, heads, labels) };
    });
    const p = new AveragedPerceptron(16, parser.transitions.size);
    let epochs = 0;
    let updated = 1;
    const perEpoch: number[] = [];
    while (updated > 0 && epochs < 100) {
      updated = 0;
      for (const s of sentences) updated += perceptronStep(parser, p, [s], 4, 'early').updated;
      perEpoch.push(updated);
      epochs++;
    }
    expect(perEpoch[0]).toBeGreaterThan(0); // zero weights: ties, and the gold loses somewhere
    expect(updated).toBe(0);
    // the averaged weights, beam search with them: every sentence's best sequence is gold
    parser.setStructured(perceptronOutput(p, 4));
    const withAverage = new AveragedPerceptron(16, parser.transitions.size, p.averaged());
    for (const s of sentences) {
      const { updates } = perceptronStep(parser, withAverage, [s], 4, 'early');
      expect(updates[0]!.kind).toBe('none');
      expect(updates[0]!.beam[0]!.path).toEqual(s.gold);
    }
    parser.dispose();
  });
});

describe('trainPerceptron', () => {
  it('runs on core loop leak-free (residual, max-violation), scores dev with the beam, and attaches the averaged weights', () => {
    const data = parseConllu(
      readFileSync(join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-dev.conllu'), 'utf8'),
    );
    const { parser } = trainParser(data.slice(0, 200), undefined, {
      epochs: 1,
      batchSize: 128,
      net: { hidden: [32], wordDim: 16, tagDim: 8, labelDim: 8, extraDim: 8 },
      seed: 1,
    });
    const before = tf.memory().numTensors;
    const { history, best } = trainPerceptron(parser, data.slice(0, 48), data.slice(200, 230), {
      beam: 4,
      epochs: 2,
      sentencesPerStep: 8,
      update: 'max-violation',
      rate: 1e-3,
    });
    expect(history).toHaveLength(2);
    expect(history[0]!.updated).toBeGreaterThan(0);
    expect([1, 2]).toContain(best);
    const s = parser.structuredOutput!;
    // the default: residual on the net's log-probabilities
    expect(s.config).toEqual({
      training: 'perceptron',
      hidden: 32,
      transitions: parser.transitions.size,
      beam: 4,
      residual: true,
    });
    expect(tf.memory().numTensors).toBe(before + 2);
    parser.dispose();
  }, 120_000);
});
