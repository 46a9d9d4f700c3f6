import { BatchNorm, Conv2d, Dense, Embedding, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightsFormatError, WeightsMismatchError } from './errors.js';
import { loadKerasWeights } from './keras-load.js';
import type { KerasLayerInfo, TfjsLayersModel } from './tfjs-layers.js';

// tfjs-layers.test.ts reads real manifests; here loadKerasWeights on models built in memory: the
// default pairing by order, each kind of setting warning, center=False, layers dropped by null or
// left unmapped, Keras classes without an equivalent, and a layer map that returns a non-path.

const layer = (className: string, name: string, config: Record<string, unknown> = {}): KerasLayerInfo => ({
  className,
  name,
  config: { name, ...config },
});
const weight = (name: string, shape: number[], start = 1) => ({
  name,
  shape,
  values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => start + i),
});
const read = (m: Sequential, k: string) => Array.from(m.stateDict()[k]!.dataSync());

describe('loadKerasWeights', () => {
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

  it('pairs Keras layers with weights and parameterised modules in order, and fills beta for center=False', () => {
    const net = new Sequential([
      new Conv2d(1, 2, 3, { rng: new Rng(1) }),
      ReLU(),
      new BatchNorm(2),
      new Dense(2, 1),
    ]);
    const source: TfjsLayersModel = {
      layers: [
        layer('InputLayer', 'in'),
        layer('Conv2D', 'conv', { strides: [1, 1], padding: 'same', activation: 'linear' }),
        layer('BatchNormalization', 'bn', { center: false, epsilon: 1e-5, momentum: 0.9 }),
        layer('Dense', 'fc'),
      ],
      weights: [
        weight('conv/kernel', [3, 3, 1, 2]),
        weight('conv/bias', [2], 100),
        weight('bn/gamma', [2], 10),
        weight('bn/moving_mean', [2], 20),
        weight('bn/moving_variance', [2], 30),
        weight('fc/kernel', [2, 1], 40),
        weight('fc/bias', [1], 50),
      ],
    };
    const report = loadKerasWeights(net, source);
    expect(report.warnings).toEqual([]);
    expect(report.matched).toContainEqual({ source: 'bn/beta (center=False)', target: '2.bias' });
    expect(read(net, '0.weight')).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(read(net, '0.bias')).toEqual([100, 101]);
    expect(read(net, '2.bias')).toEqual([0, 0]);
    expect(read(net, '2.runningVar')).toEqual([30, 31]);
    expect(read(net, '3.weight')).toEqual([40, 41]);
    net.dispose();
  });

  it('warns about settings that change results: activation, epsilon, momentum, stride, padding', () => {
    const net = new Sequential([new Conv2d(1, 1, 1, { stride: 2, padding: 'valid' }), new BatchNorm(1)]);
    const report = loadKerasWeights(
      net,
      {
        layers: [
          layer('Conv2D', 'c', { strides: [1, 1], padding: 'same', activation: 'relu' }),
          layer('BatchNormalization', 'b', { epsilon: 1e-3, momentum: 0.99 }),
        ],
        weights: [
          weight('c/kernel', [1, 1, 1, 1]),
          weight('c/bias', [1]),
          weight('b/gamma', [1]),
          weight('b/beta', [1]),
          weight('b/moving_mean', [1]),
          weight('b/moving_variance', [1]),
        ],
      },
      { strict: true },
    );
    expect(report.warnings).toEqual([
      "c -> 0: Keras applies activation 'relu' inside the layer; add it after the module",
      'c -> 0: stride 1 in Keras, 2 here',
      `c -> 0: padding 'same' in Keras, "valid" here`,
      'b -> 1: epsilon 0.001 in Keras, 0.00001 here',
      'b -> 1: Keras momentum 0.99 means our momentum 0.01, here 0.1',
    ]);
    net.dispose();
  });

  it('a layer mapped to null is ignored, an unmapped one unexpected; unknown classes and wrong modules are warned about', () => {
    const net = new Sequential([new Dense(1, 1, { name: 'a' }), new Embedding(3, 1, { name: 'e' })]);
    const source: TfjsLayersModel = {
      layers: [layer('Dense', 'd1'), layer('Dense', 'd2'), layer('Lambda', 'odd'), layer('Embedding', 'emb')],
      weights: [
        weight('d1/kernel', [1, 1]),
        weight('d1/bias', [1]),
        weight('d2/kernel', [1, 1]),
        weight('odd/w', [1]),
        weight('emb/embeddings', [3, 1], 7),
        weight('nowhere/kernel', [1]),
      ],
    };
    const report = loadKerasWeights(net, source, {
      layerMap: (l) => ({ d1: '0', d2: null, odd: '0', emb: '1' })[l.name],
      strict: false,
    });
    expect(report.ignored).toEqual(['d2/kernel']);
    expect(report.unexpected).toEqual(['odd/w', 'nowhere/kernel']);
    expect(report.warnings).toEqual([
      'odd: Keras Lambda has no @lab equivalent here; its weights are unexpected',
    ]);
    expect(read(net, '1.weight')).toEqual([7, 8, 9]);
    // a Dense cannot fill the Embedding
    expect(() =>
      loadKerasWeights(
        net,
        { layers: [layer('Dense', 'd1')], weights: [weight('d1/kernel', [1, 1])] },
        { layerMap: { d1: '1' } },
      ),
    ).toThrow(WeightsMismatchError);
    const r2 = loadKerasWeights(
      net,
      { layers: [layer('Dense', 'd1')], weights: [weight('d1/kernel', [1, 1])] },
      { layerMap: { d1: '1' }, strict: false },
    );
    expect(r2.warnings).toEqual(["d1 -> 1: a Keras Dense cannot fill module 'e'"]);
    net.dispose();
  });

  it('refuses a layer map that returns something other than a path, or the root path', () => {
    const net = new Sequential([new Dense(1, 1)]);
    const source: TfjsLayersModel = { layers: [layer('Dense', 'd')], weights: [weight('d/kernel', [1, 1])] };
    const bad = () => loadKerasWeights(net, source, { layerMap: () => 3 as unknown as string });
    expect(bad).toThrow(WeightsFormatError);
    expect(bad).toThrow('layerMap(d): returned number, not a path');
    expect(() => loadKerasWeights(net, source, { layerMap: { d: '' } })).toThrow(
      "layerMap.d: no module has the path ''",
    );
    net.dispose();
  });
});
