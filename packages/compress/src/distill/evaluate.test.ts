import { Dense, initBackend, Rng, Sequential } from '@lab/core';
import { dispose, memory, tensor1d, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { argmaxRows, errorCounts, logitsOf } from './evaluate.js';
import { mlp } from './mlp.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('logitsOf', () => {
  it('runs the model in eval mode over batches and lays the logits out row by row', () => {
    // a 2 -> 2 layer with W = [[1, 0], [0, 2]] and b = [0, 1]: logits (x0, 2 x1 + 1)
    const dense = new Dense(2, 2, { rng: new Rng(1) });
    const w = tensor2d([1, 0, 0, 2], [2, 2]);
    const b = tensor1d([0, 1]);
    dense.weight.assign(w);
    dense.bias!.assign(b);
    const net = new Sequential([dense]);
    const x = tensor2d([1, 1, 2, 0, 0, 3], [3, 2]);
    const tensors = memory().numTensors;
    // batches of 2 then 1
    expect(Array.from(logitsOf(net, x, 2))).toEqual([1, 3, 2, 1, 0, 7]);
    expect(memory().numTensors).toBe(tensors);
    // dropout would make training-mode logits random: eval mode gives the same twice, and mode comes back
    const withDropout = mlp([2, 8, 2], { inputDropout: 0.5, rng: new Rng(2) });
    withDropout.train(true);
    expect(Array.from(logitsOf(withDropout, x))).toEqual(Array.from(logitsOf(withDropout, x)));
    expect(withDropout.training).toBe(true);
    dispose([w, b, x]);
    net.dispose();
    withDropout.dispose();
  });
});

describe('argmaxRows and errorCounts', () => {
  it('takes the first largest of each row', () => {
    expect(Array.from(argmaxRows([0, 2, 1, 4, 4, 3, -1, -2, -3], 3))).toEqual([1, 0, 0]);
  });

  it('counts errors overall and per true class', () => {
    const c = errorCounts([0, 2, 2, 1, 0], [0, 1, 2, 1, 2], 3);
    expect(c).toMatchObject({ errors: 2, count: 5 });
    expect(Array.from(c.errorsByClass)).toEqual([0, 1, 1]);
    expect(Array.from(c.countByClass)).toEqual([1, 2, 2]);
  });

  it('refuses mismatched lengths and labels outside the classes, naming the index', () => {
    expect(() => errorCounts([0, 1], [0], 2)).toThrow(/errorCounts: 2 predictions for 1 labels/);
    expect(() => errorCounts([0, 0], [0, 1.5], 2)).toThrow(/errorCounts: label 1 is 1.5, not in \[0, 2\)/);
    expect(() => errorCounts([0], [-1], 2)).toThrow(/label 0 is -1/);
  });
});
