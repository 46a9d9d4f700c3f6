import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTensor, initBackend, ModelFileError, parseSafetensors, Rng, saveModule } from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVALUATOR_FILE, Evaluator } from './feature-classifier.js';
import { evaluatorAccuracy, trainEvaluator } from './feature-classifier-training.js';
import { frechetDistance } from './feature-distances.js';
import { imagesTensor } from './images.js';
import { classifierScore, sampleQuality } from './sample-quality.js';

const shippedBytes = () =>
  readFileSync(new URL('../assets/fashion-mnist-evaluator.safetensors', import.meta.url));
const shipped = () => Evaluator.fromBytes(shippedBytes());
const fashion = () => join(findSharedData(), 'fashion-mnist');

describe('the Fashion-MNIST evaluator', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('the shipped weights load and classify the test split (88% when trained), with provenance', () => {
    const ev = shipped();
    const test = loadMnistSplit(fashion(), 'test');
    const acc = evaluatorAccuracy(ev, test);
    expect(acc).toBeGreaterThan(0.87);
    expect(Number(ev.metadata.testAccuracy)).toBeCloseTo(acc, 3);
    expect(ev.metadata.command).toMatch(/lab gan evaluator/);
    ev.dispose();
  });

  it('FD separates real from real (small) and real from corrupted images (large); scores are in range', () => {
    const ev = shipped();
    const test = loadMnistSplit(fashion(), 'test');
    const before = tf.memory().numTensors;
    const a = imagesTensor(
      test,
      Array.from({ length: 2000 }, (_, i) => i),
    );
    const b = imagesTensor(
      test,
      Array.from({ length: 2000 }, (_, i) => 5000 + i),
    );
    const blurred = tf.tidy(() => tf.avgPool(b, 5, 1, 'same') as tf.Tensor4D);
    const noise = tf.randomUniform([2000, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const fa = ev.featuresOf(a);
    const fb = ev.featuresOf(b);
    expect(fa.shape).toEqual([2000, 64]);
    const same = frechetDistance(fa, fb);
    const fblur = ev.featuresOf(blurred);
    const blur = frechetDistance(fa, fblur);
    const q = sampleQuality(ev, a, noise, { fakeRange: [0, 1], kid: { subsets: 4, subsetSize: 500 } });
    expect(same).toBeLessThan(blur / 5);
    expect(blur).toBeLessThan(q.fd);
    expect(q.kid).toBeGreaterThan(10 * q.kidStdError);
    const realScore = classifierScore(ev, a);
    expect(realScore).toBeGreaterThan(5);
    expect(realScore).toBeLessThanOrEqual(10);
    expect(q.classifierScore).toBeLessThan(realScore);
    // range handling: [-1, 1] images give the features of the same [0, 1] images
    const tanh = tf.tidy(() => tf.sub(tf.mul(a, 2), 1) as tf.Tensor4D);
    const ft = ev.featuresOf(tanh, { range: [-1, 1] });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ft, fa))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([a, b, blurred, noise, fa, fb, fblur, tanh, ft]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => ev.features(tf.zeros([1, 32, 32, 1]) as tf.Tensor4D)).toThrow(/\[n, 28, 28, 1\]/);
    ev.dispose();
  });

  it('trains from scratch (a short run learns), saves and loads bit-exactly, and rejects foreign files', () => {
    const train = loadMnistSplit(fashion(), 'train');
    const small = { ...train, count: 3000 };
    const losses: number[] = [];
    const ev = trainEvaluator(small, {
      epochs: 1,
      batchSize: 100,
      seed: 1,
      onStep: (s) => losses.push(s.loss),
    });
    expect(losses.length).toBe(30);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses[0]! * 0.6);
    const test = loadMnistSplit(fashion(), 'test');
    expect(evaluatorAccuracy(ev, { ...test, count: 1000 })).toBeGreaterThan(0.6);
    const copy = Evaluator.fromBytes(ev.toBytes());
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', new Rng(2).seed()) as tf.Tensor4D;
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(ev.logits(x), copy.logits(x)))).dataSync()[0]);
    expect(d).toBe(0);
    expect(() =>
      Evaluator.fromBytes(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])),
    ).toThrow(/^tensor 'head\.weight': is missing or not a matrix: not an evaluator file$/);
    tf.dispose(x);
    ev.dispose();
    copy.dispose();
  });

  it('the shipped file (from before the model-file format) loads its tensors exactly, with its provenance', () => {
    const bytes = shippedBytes();
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata['lab.module']).toBeUndefined();
    const ev = Evaluator.fromBytes(bytes);
    expect(ev.classes).toBe(10);
    expect(ev.metadata).toEqual(metadata);
    const state = ev.stateDict();
    expect(Object.keys(state).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, raw] of Object.entries(tensors))
      expect(Array.from(state[name]!.dataSync())).toEqual(Array.from(decodeTensor(raw).data));
    // written again, it is a model file of kind 'gan.evaluator' that loads to the same weights
    const again = ev.toBytes();
    expect(JSON.parse(parseSafetensors(again).metadata['lab.module']!)).toEqual({
      kind: 'gan.evaluator',
      version: 1,
      config: { classes: 10 },
    });
    const copy = Evaluator.fromBytes(again);
    expect(copy.metadata).toEqual(metadata);
    for (const [name, v] of Object.entries(copy.stateDict()))
      expect(Array.from(v.dataSync())).toEqual(Array.from(state[name]!.dataSync()));
    ev.dispose();
    copy.dispose();
  });

  it('rejects hostile evaluator files with the field named, leaking nothing', () => {
    const ev = new Evaluator({ classes: 3 });
    const before = tf.memory().numTensors;
    const cases: [Uint8Array, RegExp][] = [
      [
        saveModule(ev, { classes: 'ten' }, EVALUATOR_FILE),
        /^config\.classes: must be a whole number, got "ten"$/,
      ],
      [
        saveModule(ev, { classes: 1e7 }, EVALUATOR_FILE),
        /^config\.classes: must be in \[2, 10000\], got 10000000$/,
      ],
      [
        saveModule(ev, { classes: 4 }, EVALUATOR_FILE),
        /^tensor 'head\.weight': has shape \[64, 3\], the model \[64, 4\]$/,
      ],
      [
        saveModule(ev, { classes: 3 }, { kind: 'depparse.tagger', version: 1 }),
        /^lab\.module\.kind: is "depparse\.tagger"/,
      ],
      [saveModule(ev, { classes: 3 }, { kind: 'gan.evaluator', version: 2 }), /^lab\.module\.version: is 2/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => Evaluator.fromBytes(bytes)).toThrow(message);
      expect(() => Evaluator.fromBytes(bytes)).toThrow(ModelFileError);
    }
    expect(tf.memory().numTensors).toBe(before);
    ev.dispose();
  });
});
