// The compression page's pipeline in Node on the shipped LeNet-300-100, scored on 32 random inputs
// against the shipped net's own predictions (so the baseline is 1 and every stage's cost shows): the
// file's checks, accuracy, the stages' sizes and the sparsities the tolerance allows; leak-free.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompressedFileError, chooseSparsities, type SensitivityResult } from '@lab/compress';
import { initBackend, type Sequential } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accuracy, compressStages, loadLenet, sensitivityOf } from './compress-stages.js';

const shipped = new Uint8Array(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'lenet-300-100.ldcf')),
);
let x: tf.Tensor2D;
let labels: tf.Tensor1D;
let sensitivity: SensitivityResult;
const evaluate = (net: Sequential) => accuracy(net, x, labels);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  x = tf.randomUniform([32, 784], 0, 1, 'float32', 4) as tf.Tensor2D;
  const net = loadLenet(shipped);
  labels = tf.tidy(() => tf.cast(tf.argMax(net.forward(x), 1), 'int32')) as tf.Tensor1D;
  net.dispose();
  sensitivity = await sensitivityOf(shipped, evaluate, () => {});
});
afterAll(() => tf.dispose([x, labels]));

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
    ).toThrow('compressStages: retraining needs training data');
    expect(tf.memory().numTensors).toBe(before);
  });
});
