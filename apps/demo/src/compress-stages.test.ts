// The compression page's pipeline in Node on the shipped LeNet-300-100, scored on 32 random inputs
// against the shipped net's own predictions (so the baseline is 1 and every stage's cost shows): the
// file's checks, accuracy, the stages' sizes and the sparsities the tolerance allows, the centroid
// fine-tuning (weights kept in the codebooks, pruned weights kept at zero); leak-free.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompressedFileError, chooseSparsities, type SensitivityResult } from '@lab/compress';
import { initBackend, type Sequential } from '@lab/core';
import type { ClassifierData } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accuracy, compressStages, loadLenet, sensitivityOf } from './compress-stages.js';

const shipped = new Uint8Array(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'lenet-300-100.ldcf')),
);
let x: tf.Tensor2D;
let labels: tf.Tensor1D;
let sensitivity: SensitivityResult;
// centroid tuning data: other random inputs, labelled by the shipped net
let train: ClassifierData;
const evaluate = (net: Sequential) => accuracy(net, x, labels);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  x = tf.randomUniform([32, 784], 0, 1, 'float32', 4) as tf.Tensor2D;
  const net = loadLenet(shipped);
  labels = tf.tidy(() => tf.cast(tf.argMax(net.forward(x), 1), 'int32')) as tf.Tensor1D;
  const trainX = tf.randomUniform([128, 784], 0, 1, 'float32', 5);
  const predicted = tf.tidy(() => tf.argMax(net.forward(trainX), 1));
  train = { x: trainX, labels: Int32Array.from(predicted.dataSync()) };
  predicted.dispose();
  net.dispose();
  sensitivity = await sensitivityOf(shipped, evaluate, () => {});
});
afterAll(() => tf.dispose([x, labels, train.x]));

describe('loadLenet and accuracy', () => {
  it('refuses a broken file with a CompressedFileError and leaves nothing behind', () => {
    const before = tf.memory().numTensors;
    expect(() => loadLenet(shipped.subarray(0, 100))).toThrow(CompressedFileError);
    expect(() => loadLenet(new TextEncoder().encode('not a file'))).toThrow(CompressedFileError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('counts the fraction of predictions equal to the labels', () => {
    const net = loadLenet(shipped);
    expect(evaluate(net)).toBe(1);
    const wrong = tf.tidy(() =>
      tf.mod(tf.add(labels, tf.tensor1d([1, 1, 0, 0, ...new Array(28).fill(0)], 'int32')), 10),
    );
    expect(accuracy(net, x, wrong as tf.Tensor1D)).toBe(30 / 32);
    wrong.dispose();
    net.dispose();
  });
});

describe('compressStages', () => {
  it('probes each layer at 0-95% sparsity', () => {
    expect(sensitivity.baseline).toBe(1);
    const layers = [...new Set(sensitivity.rows.map((r) => r.layer))];
    expect(layers).toHaveLength(3);
    expect(sensitivity.rows).toHaveLength(3 * 20);
  });

  it('prunes as the tolerance allows, then shrinks the file stage by stage, leak-free', () => {
    const before = tf.memory().numTensors;
    const r = compressStages(shipped, sensitivity, evaluate, { tolerance: 0.1, bits: 4 });
    expect(tf.memory().numTensors).toBe(before);
    const chosen = chooseSparsities(sensitivity, 0.1);
    expect(r.sparsities).toEqual(Object.fromEntries(chosen.map((c) => [c.layer, c.sparsity])));
    expect(r.stages.map((s) => s.name)).toEqual([
      'float32',
      'pruned',
      'shared (4-bit codes)',
      'Huffman-coded',
      'the file (with header)',
    ]);
    const [dense, pruned, shared, huffman, file] = r.stages;
    expect(dense!.accuracy).toBe(1);
    expect(pruned!.bytes).toBeLessThan(dense!.bytes);
    expect(shared!.bytes).toBeLessThan(pruned!.bytes);
    expect(huffman!.bytes).toBeLessThan(shared!.bytes);
    expect(file!.bytes).toBe(r.file.length);
    // the file decodes to exactly the shared weights
    expect(huffman!.accuracy).toBe(shared!.accuracy);
    const back = loadLenet(r.file);
    expect(evaluate(back)).toBe(huffman!.accuracy);
    back.dispose();
  });

  it('refuses retraining without data, leaving nothing behind', () => {
    const before = tf.memory().numTensors;
    expect(() =>
      compressStages(shipped, sensitivity, evaluate, { tolerance: 0, bits: 4, retrainEpochs: 1 }),
    ).toThrow('compressStages: retraining and centroid tuning need training data');
    expect(() =>
      compressStages(shipped, sensitivity, evaluate, { tolerance: 0, bits: 4, centroidEpochs: 1 }),
    ).toThrow('compressStages: retraining and centroid tuning need training data');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tunes the centroids as a stage of its own: the weights stay in the codebooks, pruned ones at zero, leak-free', () => {
    const before = tf.memory().numTensors;
    const o = { tolerance: 0.1, bits: 4 };
    const untuned = compressStages(shipped, sensitivity, evaluate, o);
    const tunedRun = compressStages(shipped, sensitivity, evaluate, { ...o, centroidEpochs: 2, train });
    expect(tf.memory().numTensors).toBe(before);
    expect(tunedRun.stages.map((s) => s.name)).toEqual([
      'float32',
      'pruned',
      'shared (4-bit codes)',
      'centroids tuned 2 epochs',
      'Huffman-coded',
      'the file (with header)',
    ]);
    const [, , shared, tuned, huffman] = tunedRun.stages;
    // the stages before tuning are those of the untuned run
    expect(shared).toEqual(untuned.stages[2]);
    expect(tuned!.bytes).toBe(shared!.bytes);
    // the file holds the tuned weights: its accuracy is the tuned stage's
    expect(huffman!.accuracy).toBe(tuned!.accuracy);
    const [a, b] = [untuned.file, tunedRun.file].map(loadLenet) as [Sequential, Sequential];
    expect(evaluate(b)).toBe(tuned!.accuracy);
    let moved = 0;
    for (const name of ['0.weight', '2.weight', '4.weight']) {
      const was = a.stateDict()[name]!.dataSync();
      const now = b.stateDict()[name]!.dataSync();
      const codebook = new Set<number>();
      let zerosMoved = 0;
      for (let i = 0; i < now.length; i++) {
        if ((now[i] === 0) !== (was[i] === 0)) zerosMoved++;
        if (now[i] !== 0) codebook.add(now[i]!);
        if (now[i] !== was[i]) moved++;
      }
      // pruned weights stay exactly zero, and only those are zero
      expect(zerosMoved, name).toBe(0);
      expect(codebook.size, name).toBeGreaterThan(1);
      expect(codebook.size, name).toBeLessThanOrEqual(2 ** 4 - 1);
    }
    expect(moved).toBeGreaterThan(0);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
