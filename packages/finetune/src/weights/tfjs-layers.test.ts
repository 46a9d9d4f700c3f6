import { BatchNorm, Dense, initBackend, Sequential } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKerasWeights } from './keras-load.js';
import { kerasLayers, readTfjsLayersModel, tfjsWeights } from './tfjs-layers.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const f32bytes = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
const layer = (className: string, config: Record<string, unknown>) => ({ class_name: className, config });
const model = (layers: unknown[], weights: unknown[], paths = ['w.bin']) => ({
  format: 'layers-model',
  modelTopology: { model_config: { class_name: 'Sequential', config: { name: 's', layers } } },
  weightsManifest: [{ paths, weights }],
});
const code = (c: string, where?: string) => expect.objectContaining(where ? { code: c, where } : { code: c });

describe('kerasLayers', () => {
  it('flattens nested models and reads the three topology layouts', () => {
    const nested = {
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 'outer',
          layers: [
            { class_name: 'Functional', config: { name: 'base', layers: [layer('Conv2D', { name: 'c1' })] } },
            layer('Dense', { name: 'head' }),
          ],
        },
      },
    };
    expect(kerasLayers(nested).map((l) => l.name)).toEqual(['c1', 'head']); // tfjs-layers' own save()
    const keras20 = {
      modelTopology: { model_config: { class_name: 'Sequential', config: [layer('Dense', { name: 'd' })] } },
    };
    expect(kerasLayers(JSON.stringify(keras20))[0]).toMatchObject({ name: 'd', className: 'Dense' });
  });

  it('typed errors name the file and field', () => {
    expect(() => kerasLayers('{oops', 'a/model.json')).toThrow(code('BadTopology', 'a/model.json'));
    expect(() => kerasLayers({})).toThrow(/model\.json: modelTopology: is missing/);
    expect(() => kerasLayers({ modelTopology: { class_name: 3 } })).toThrow(
      /modelTopology\.class_name: is not a string/,
    );
    const noName = { modelTopology: { class_name: 'Sequential', config: { layers: [layer('Dense', {})] } } };
    expect(() => kerasLayers(noName)).toThrow(/config\.layers\[0\]\.config\.name: is not a non-empty string/);
    const twice = {
      modelTopology: {
        class_name: 'Sequential',
        config: { layers: [layer('Dense', { name: 'd' }), layer('Dense', { name: 'd' })] },
      },
    };
    expect(() => kerasLayers(twice)).toThrow(/layer 'd': appears twice/);
  });
});

describe('tfjsWeights', () => {
  it('concatenates the shards of a group and decodes uint8, uint16 and float16 quantization', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer); // 1, -2, ~0.333
    const json = {
      weightsManifest: [
        {
          paths: ['a.bin', 'b.bin'],
          weights: [
            { name: 'x/kernel', shape: [3], dtype: 'float32' },
            {
              name: 'q8',
              shape: [2],
              dtype: 'float32',
              quantization: { dtype: 'uint8', scale: 0.5, min: -1 },
            },
            {
              name: 'q16',
              shape: [1],
              dtype: 'float32',
              quantization: { dtype: 'uint16', scale: 2, min: 1 },
            },
            { name: 'h', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
            { name: 'i', shape: [1], dtype: 'int32' },
          ],
        },
      ],
    };
    const all = new Uint8Array([
      ...f32bytes(1, 2, 3),
      0,
      4,
      3,
      0,
      ...half,
      ...new Uint8Array(Int32Array.of(-7).buffer),
    ]);
    const w = tfjsWeights(json, { 'a.bin': all.subarray(0, 5), 'b.bin': all.subarray(5) });
    expect(Array.from(w[0]!.values)).toEqual([1, 2, 3]);
    expect(Array.from(w[1]!.values)).toEqual([-1, 1]);
    expect(Array.from(w[2]!.values)).toEqual([7]);
    expect(w[3]!.values[0]).toBe(1);
    expect(w[3]!.values[1]).toBe(-2);
    expect(w[3]!.values[2]).toBeCloseTo(1 / 3, 3);
    expect(w[4]!.values).toEqual(Int32Array.of(-7));
  });

  it('typed errors: missing or unsafe shards, sizes, shapes, dtypes, duplicates', () => {
    const spec = { name: 'd/kernel', shape: [2], dtype: 'float32' };
    const shards = { 'w.bin': f32bytes(1, 2) };
    expect(() => tfjsWeights(model([], [spec], ['other.bin']), shards)).toThrow(
      code('MissingShard', 'other.bin'),
    );
    expect(() => tfjsWeights(model([], [spec], ['../../etc/passwd']), shards)).toThrow(
      /refuses the shard path/,
    );
    expect(() => tfjsWeights(model([], [spec], ['/abs.bin']), shards)).toThrow(code('MissingShard'));
    expect(() => tfjsWeights(model([], [spec], ['toString']), shards)).toThrow(
      code('MissingShard', 'toString'),
    );
    expect(() => tfjsWeights(model([], [spec]), { 'w.bin': f32bytes(1) })).toThrow(
      /shards hold 4 bytes, the weights need 8/,
    );
    // a huge declared shape fails on the size check, before any allocation
    expect(() => tfjsWeights(model([], [{ ...spec, shape: [1e6, 1e6] }]), shards)).toThrow(code('ShardSize'));
    expect(() => tfjsWeights(model([], [{ ...spec, shape: [-1] }]), shards)).toThrow(
      code('BadShape', 'd/kernel'),
    );
    expect(() => tfjsWeights(model([], [{ ...spec, dtype: 'complex64' }]), shards)).toThrow(
      code('BadDtype', 'd/kernel'),
    );
    expect(() =>
      tfjsWeights(
        model(
          [],
          [
            { ...spec, shape: [1] },
            { ...spec, shape: [1] },
          ],
        ),
        shards,
      ),
    ).toThrow(/d\/kernel: appears twice/);
    expect(() => tfjsWeights({ weightsManifest: {} }, shards)).toThrow(/weightsManifest: is not a list/);
  });
});

describe('loadKerasWeights: names and settings', () => {
  it('finds the layer inside scoped names with ":0" suffixes, and fills gamma for scale=False', () => {
    const json = model(
      [
        layer('Dense', { name: 'dense', activation: 'linear' }),
        layer('BatchNormalization', { name: 'bn', scale: false, epsilon: 1e-5, momentum: 0.9 }),
      ],
      [
        { name: 'sequential/dense/kernel:0', shape: [1, 2], dtype: 'float32' },
        { name: 'sequential/dense/bias:0', shape: [2], dtype: 'float32' },
        { name: 'bn/beta', shape: [2], dtype: 'float32' },
        { name: 'bn/moving_mean', shape: [2], dtype: 'float32' },
        { name: 'bn/moving_variance', shape: [2], dtype: 'float32' },
      ],
    );
    const net = new Sequential([new Dense(1, 2), new BatchNorm(2)]);
    const report = loadKerasWeights(
      net,
      readTfjsLayersModel(json, { 'w.bin': f32bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) }),
    );
    expect(report.warnings).toEqual([]);
    expect(report.matched).toContainEqual({ source: 'bn/gamma (scale=False)', target: '1.weight' });
    expect(Array.from(net.stateDict()['0.weight']!.dataSync())).toEqual([1, 2]);
    expect(Array.from(net.stateDict()['1.weight']!.dataSync())).toEqual([1, 1]);
    expect(Array.from(net.stateDict()['1.runningVar']!.dataSync())).toEqual([9, 10]);
    net.dispose();
  });

  it('layer names like constructor are looked up as own entries of the layer map', () => {
    const json = model(
      [layer('Dense', { name: 'constructor' })],
      [
        { name: 'constructor/kernel', shape: [1, 1] },
        { name: 'constructor/bias', shape: [1] },
      ],
    );
    const keras = readTfjsLayersModel(json, { 'w.bin': f32bytes(5, 6) });
    const net = new Sequential([new Dense(1, 1)]);
    expect(() => loadKerasWeights(net, keras, { layerMap: {} })).toThrow(/unexpected: constructor\/kernel/);
    expect(() => loadKerasWeights(net, keras, { layerMap: { constructor: '7' } })).toThrow(
      /layerMap\.constructor: no module has the path '7'/,
    );
    loadKerasWeights(net, keras, { layerMap: { constructor: '0' } });
    expect(net.stateDict()['0.bias']!.dataSync()[0]).toBe(6);
    net.dispose();
  });
});
