import { chain, initBackend, Optimizer, sgd } from '@lab/core';
import { dispose, memory, tensor, variable } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { l1Gradient, l1Penalty, l1Proximal } from './l1.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('L1 sparsity regularisation', () => {
  it('penalty is lambda x sum |w|', () => {
    const a = tensor([1, -2, 3]);
    const b = tensor([[-0.5, 0.5]]);
    const p = l1Penalty({ a, b }, 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.1 * 7, 6);
    dispose([a, b, p]);
  });

  it('gradient transform adds lambda x sign(w) to filtered parameters only', () => {
    const w = variable(tensor([2, -3, 0]), true, 'l1g.weight');
    const bias = variable(tensor([1]), true, 'l1g.bias');
    const g = { 'x.weight': tensor([0.5, 0.5, 0.5]), 'x.bias': tensor([0.25]) };
    const t = l1Gradient(0.1);
    const [u] = t.update(g, null, { 'x.weight': w, 'x.bias': bias });
    expect(Array.from(u['x.weight']!.dataSync())).toEqual([0.6, 0.4, 0.5].map(Math.fround));
    expect(u['x.bias']!.dataSync()[0]).toBe(0.25);
    dispose([w, bias, ...Object.values(g), u['x.weight']!]);
  });

  it('proximal step drives small weights to exactly zero and shrinks the others', () => {
    const w = variable(tensor([0.05, -0.08, 1, -2]), true, 'prox.weight');
    const vars = { 'p.weight': w };
    const opt = new Optimizer(chain(sgd(0.1), l1Proximal(0.1)), vars);
    const g = tensor([0, 0, 0, 0]);
    opt.step({ 'p.weight': g });
    const v = w.dataSync();
    expect(Object.is(v[0], 0) && Object.is(v[1], 0)).toBe(true);
    expect(v[2]).toBeCloseTo(0.9, 6);
    expect(v[3]).toBeCloseTo(-1.9, 6);
    const before = memory().numTensors;
    opt.step({ 'p.weight': g });
    expect(memory().numTensors).toBe(before);
    const v2 = w.dataSync();
    expect(Object.is(v2[0], 0) && Object.is(v2[1], 0)).toBe(true);
    expect(v2[2]).toBeCloseTo(0.8, 6);
    expect(v2[3]).toBeCloseTo(-1.8, 6);
    opt.dispose();
    dispose([w, g]);
  });
});
