// The two MNIST networks: layer shapes and parameter counts from the papers' tables, output shape on
// a 28 x 28 x 1 batch, seeding, and the name lookup.
import { initBackend, Rng } from '@lab/core';
import { dispose, memory, zeros } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, lenet5, lenet300100, MODEL_NAMES } from './models.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const shapes = (m: { stateDict(): Record<string, { shape: number[] }> }) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape]));

describe('MNIST models', () => {
  it('LeNet-300-100 is 784-300-100-10 with 266,610 parameters', () => {
    const m = lenet300100();
    expect(shapes(m)).toEqual({
      '1.weight': [784, 300],
      '1.bias': [300],
      '3.weight': [300, 100],
      '3.bias': [100],
      '5.weight': [100, 10],
      '5.bias': [10],
    });
    expect(m.paramCount()).toBe(784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10);
    expect(m.paramCount()).toBe(266_610);
    m.dispose();
  });

  it('LeNet-5 has two 5x5 convolutions (20, 50 channels) and 800-500-10: 431,080 parameters', () => {
    const m = lenet5();
    const s = shapes(m);
    expect(Object.keys(s)).toEqual([
      '0.weight',
      '0.bias',
      '2.weight',
      '2.bias',
      '5.weight',
      '5.bias',
      '7.weight',
      '7.bias',
    ]);
    expect(s['5.weight']).toEqual([800, 500]);
    expect(s['7.weight']).toEqual([500, 10]);
    expect(m.paramCount()).toBe(5 * 5 * 1 * 20 + 20 + 5 * 5 * 20 * 50 + 50 + 800 * 500 + 500 + 500 * 10 + 10);
    expect(m.paramCount()).toBe(431_080);
    m.dispose();
  });

  it('both map an NHWC [batch, 28, 28, 1] batch to [batch, 10] logits without leaking', () => {
    for (const name of MODEL_NAMES) {
      const m = buildModel(name);
      const x = zeros([1, 28, 28, 1]);
      const before = memory().numTensors;
      const y = m.forward(x);
      expect(y.shape, name).toEqual([1, 10]);
      expect(memory().numTensors).toBe(before + 1);
      dispose([x, y]);
      m.dispose();
    }
  });

  it('initialises from the seed given: the same seed gives the same weights, another seed others', () => {
    const first = (m: ReturnType<typeof lenet300100>) =>
      Array.from(m.stateDict()['1.weight']!.dataSync().slice(0, 8));
    const [a, b, c] = [
      buildModel('lenet-300-100', new Rng(7)),
      lenet300100(new Rng(7)),
      lenet300100(new Rng(8)),
    ];
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    for (const m of [a, b, c]) m.dispose();
  });

  it('refuses an unknown name, listing the known ones', () => {
    expect(MODEL_NAMES).toEqual(['lenet-300-100', 'lenet-5']);
    expect(() => buildModel('lenet-4')).toThrow("unknown model 'lenet-4' (lenet-300-100, lenet-5)");
  });
});
