import { Conv2d, Dense, Flatten, initBackend, ReLU, Rng, Sequential, Softmax } from '@lab/core';
import { dispose, memory, randomNormal, tensor, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneUnits, StructuredPruningError } from './structured.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** Zeroes the incoming weights and bias of some units, so they output relu(0) = 0 and can go. */
function silence(layer: Dense | Conv2d, units: number[]): void {
  const out = layer.weight.shape[layer.weight.rank - 1]!;
  const flat = Float32Array.from(layer.weight.dataSync());
  for (let i = 0; i < flat.length; i++) if (units.includes(i % out)) flat[i] = 0;
  const t = tensor(flat, layer.weight.shape);
  layer.weight.assign(t);
  const b = Float32Array.from(layer.bias!.dataSync());
  for (const u of units) b[u] = 0;
  const bt = tensor(b);
  layer.bias!.assign(bt);
  dispose([t, bt]);
}

describe('structured pruning', () => {
  it('removes dense neurons and the next layer inputs; silent neurons go first and the function is kept', () => {
    const before = memory().numTensors;
    const rng = new Rng(1);
    const model = new Sequential([new Dense(6, 10, { rng }), ReLU(), new Dense(10, 3, { rng })]);
    silence(model.layers[0] as Dense, [1, 4, 7]);
    const x = randomNormal([5, 6], 0, 1, 'float32', 3);
    const y0 = tidy(() => model.forward(x).dataSync());
    const { model: small, kept, paramsBefore, paramsAfter } = pruneUnits(model, { layer: 0, amount: 0.3 });
    expect(kept).toEqual([0, 2, 3, 5, 6, 8, 9]);
    expect((small.layers[0] as Dense).weight.shape).toEqual([6, 7]);
    expect((small.layers[2] as Dense).weight.shape).toEqual([7, 3]);
    expect(paramsBefore - paramsAfter).toBe(3 * 6 + 3 + 3 * 3);
    const y1 = tidy(() => small.forward(x).dataSync());
    for (let i = 0; i < y0.length; i++) expect(y1[i]).toBeCloseTo(y0[i]!, 5);
    small.dispose();
    x.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('removes conv output channels, through a Flatten into the dense inputs (NHWC order)', () => {
    const rng = new Rng(2);
    const model = new Sequential([
      new Conv2d(2, 4, 3, { rng }),
      ReLU(),
      Flatten(),
      new Dense(3 * 3 * 4, 2, { rng }),
    ]);
    silence(model.layers[0] as Conv2d, [2]);
    const x = randomNormal([2, 3, 3, 2], 0, 1, 'float32', 4);
    const y0 = tidy(() => model.forward(x).dataSync());
    const { model: small, kept } = pruneUnits(model, { layer: 0, amount: 0.25, norm: 'l2' });
    expect(kept).toEqual([0, 1, 3]);
    expect((small.layers[0] as Conv2d).weight.shape).toEqual([3, 3, 2, 3]);
    expect((small.layers[3] as Dense).weight.shape).toEqual([27, 2]);
    const y1 = tidy(() => small.forward(x).dataSync());
    for (let i = 0; i < y0.length; i++) expect(y1[i]).toBeCloseTo(y0[i]!, 5);
    small.dispose();
    x.dispose();
  });

  it('refuses layers it cannot shrink', () => {
    const model = new Sequential([new Dense(4, 4), Softmax(), new Dense(4, 2)]);
    expect(() => pruneUnits(model, { layer: 1, amount: 0.5 })).toThrow(StructuredPruningError);
    expect(() => pruneUnits(model, { layer: 0, amount: 0.5 })).toThrow(/not element-wise/);
    expect(() => pruneUnits(model, { layer: 0, amount: 1 })).toThrow(/amount/);
    expect(() => pruneUnits(model, { layer: 7, amount: 0.1 })).toThrow(/outside/);
    model.dispose();
  });
});
