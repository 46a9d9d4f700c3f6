// A Keras convnet in the TensorFlow.js Layers format (test/fixtures/make_tfjs_fixture.py: model.json and
// two weight shards that split a weight) loads into the equivalent @lab net, which then reproduces the
// NumPy reference forward pass written by the same script.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchNorm, Conv2d, Dense, Flatten, initBackend, ReLU, Sequential } from '@lab/core';
import { expectClose } from '@lab/core/testing';
import { memory, tensor4d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKerasWeights, readTfjsLayersModel, WeightsMismatchError } from '../src/index.js';

const dir = join(import.meta.dirname, 'fixtures', 'keras_convnet');
const modelJson = readFileSync(join(dir, 'model.json'), 'utf8');
const shards = (path: string) => readFileSync(join(dir, path));
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  input_shape: [number, number, number, number];
  input: number[];
  output: number[];
};

/** Our twin of the Keras model (Keras's BatchNormalization: epsilon 1e-3, momentum 0.99 = our 0.01). */
const twin = ({ eps = 1e-3, reluAfterConv1 = true } = {}) =>
  new Sequential([
    new Conv2d(2, 4, 3, { padding: 'same' }),
    new BatchNorm(4, { eps, momentum: 0.01 }),
    ReLU(),
    new Conv2d(4, 3, 3, { stride: 2, padding: 'valid' }),
    ...(reluAfterConv1 ? [ReLU()] : []),
    Flatten(),
    new Dense(12, 4),
  ]);

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

describe('TensorFlow.js Layers (Keras) weights', () => {
  it('reads the layers and the sharded weights of model.json', () => {
    const keras = readTfjsLayersModel(modelJson, shards);
    expect(keras.layers.map((l) => `${l.className}:${l.name}`)).toEqual([
      'Conv2D:conv2d',
      'BatchNormalization:batch_normalization',
      'ReLU:re_lu',
      'Conv2D:conv2d_1',
      'Flatten:flatten',
      'Dense:dense',
    ]);
    expect(keras.weights.map((w) => w.name)).toContain('batch_normalization/moving_variance');
    expect(keras.weights[0]!.shape).toEqual([3, 3, 2, 4]);
  });

  it('loads into the equivalent @lab net, which reproduces the reference outputs to 1e-5', () => {
    const net = twin().eval();
    const report = loadKerasWeights(net, readTfjsLayersModel(modelJson, shards));
    expect(report.matched).toHaveLength(10);
    expect(report.matched).toContainEqual({
      source: 'batch_normalization/moving_mean',
      target: '1.runningMean',
    });
    expect(report.matched).toContainEqual({ source: 'dense/kernel', target: '6.weight' });
    expect(report.warnings).toEqual([
      "conv2d_1 -> 3: Keras applies activation 'relu' inside the layer; add it after the module",
    ]);
    const before = memory().numTensors;
    const x = tensor4d(expected.input, expected.input_shape);
    const y = net.forward(x);
    expectClose(y.dataSync(), expected.output, 1e-5, 'Keras reference output');
    x.dispose();
    y.dispose();
    expect(memory().numTensors).toBe(before);
    net.dispose();
  });

  it('warns when a BatchNorm epsilon differs from Keras, and the outputs then differ', () => {
    const net = twin({ eps: 1e-5 }).eval();
    const report = loadKerasWeights(net, readTfjsLayersModel(modelJson, shards));
    expect(report.warnings).toContain('batch_normalization -> 1: epsilon 0.001 in Keras, 0.00001 here');
    const x = tensor4d(expected.input, expected.input_shape);
    const y = net.forward(x);
    expect(() => expectClose(y.dataSync(), expected.output, 1e-5)).toThrow(/exceeds/);
    x.dispose();
    y.dispose();
    net.dispose();
  });

  it('an explicit layer map loads a subset; strict reports the unmapped weights and missing state', () => {
    const keras = readTfjsLayersModel(modelJson, shards);
    const body = new Sequential([new Conv2d(2, 4, 3), new BatchNorm(4, { eps: 1e-3, momentum: 0.01 })]);
    const layerMap = { conv2d: '0', batch_normalization: '1' };
    expect(() => loadKerasWeights(body, keras, { layerMap })).toThrow(WeightsMismatchError);
    const report = loadKerasWeights(body, keras, { layerMap, strict: false });
    expect(report.matched).toHaveLength(6);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual(['conv2d_1/kernel', 'conv2d_1/bias', 'dense/kernel', 'dense/bias']);
    const dropped = loadKerasWeights(body, keras, {
      layerMap: (l) => (l.name === 'conv2d' ? '0' : l.name === 'batch_normalization' ? '1' : null),
    });
    expect(dropped.ignored).toHaveLength(4);
    body.dispose();
  });

  it('a model that does not fit gets one strict error listing every problem', () => {
    const wrong = new Sequential([new Conv2d(2, 8, 3), new Dense(4, 4), new BatchNorm(4)]);
    try {
      loadKerasWeights(wrong, readTfjsLayersModel(modelJson, shards));
      expect.unreachable();
    } catch (e) {
      const err = e as WeightsMismatchError;
      expect(err).toBeInstanceOf(WeightsMismatchError);
      expect(err.problems).toContain(
        'shape mismatch: conv2d/kernel -> 0.weight: model [3, 3, 2, 8], file [3, 3, 2, 4]',
      );
      expect(err.problems).toContain('unexpected: dense/kernel (nothing in the model)');
      expect(err.report.warnings).toContain(
        "batch_normalization -> 1: a Keras BatchNormalization cannot fill module 'dense'",
      );
      expect(err.message).toMatch(/note: batch_normalization -> 1: a Keras BatchNormalization cannot fill/);
    }
    wrong.dispose();
  });
});
