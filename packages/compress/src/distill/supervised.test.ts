import { adam, initBackend, Optimizer, Rng, sgd } from '@lab/core';
import { argMax, dispose, memory, randomNormal, tensor1d, tensor2d, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorData } from './batch-loop.js';
import { distil } from './distil.js';
import { mlp, outputLayer } from './mlp.js';
import { trainSupervised } from './supervised.js';
import { dropoutTeacher } from './teacher.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const weights = (m: { parameters(): Record<string, { dataSync(): ArrayLike<number> }> }) =>
  Object.entries(m.parameters()).map(([k, v]) => [k, Array.from(v.dataSync())]);

describe('trainSupervised', () => {
  it('takes one SGD step on the softmax cross-entropy, checked by hand', () => {
    // a 2 -> 2 linear net with zero weights: logits 0, softmax 1/2 each, so for x = [1, 2] with label 0
    // the gradient of -log p_0 is (p - y) x^T = [-1/2, 1/2] per input unit; with lr 1 the weights
    // become W[i][c] = -(p_c - y_c) x_i and the bias -(p - y)
    const net = mlp([2, 2], { rng: new Rng(1) });
    const dense = outputLayer(net);
    const zeroW = tensor2d([0, 0, 0, 0], [2, 2]);
    const zeroB = tensor1d([0, 0]);
    dense.weight.assign(zeroW);
    dense.bias!.assign(zeroB);
    const x = tensor2d([1, 2], [1, 2]);
    const labels = tensor1d([0], 'int32');
    const optimizer = new Optimizer(sgd(1), net.trainableParameters());
    const { history } = trainSupervised(net, tensorData(x, labels), { epochs: 1, batchSize: 1, optimizer });
    expect(history[0]!.loss).toBeCloseTo(Math.log(2), 6);
    // weight [in, out] row-major
    expect(Array.from(dense.weight.dataSync())).toEqual([0.5, -0.5, 1, -1]);
    expect(Array.from(dense.bias!.dataSync())).toEqual([0.5, -0.5]);
    dispose([zeroW, zeroB, x, labels]);
    optimizer.dispose();
    net.dispose();
  });

  it('trains exactly as distil with soft weight 0 and hard weight 1 (one loop, the same hard term)', () => {
    const x = randomNormal([96, 5], 0, 1, 'float32', 2);
    const teacherNet = mlp([5, 8, 3], { hiddenDropout: 0.3, rng: new Rng(4) });
    const labels = tidy(() => argMax(teacherNet.forward(x), 1));
    const a = mlp([5, 7, 3], { rng: new Rng(9) });
    const b = mlp([5, 7, 3], { rng: new Rng(9) });
    const before = memory().numTensors;
    const sa = trainSupervised(a, tensorData(x, labels), { epochs: 2, batchSize: 20, rng: new Rng(6) });
    // a sampling teacher: its masks must not touch the student's shuffle
    const sb = distil(dropoutTeacher(teacherNet, { samples: 2 }), b, tensorData(x, labels), {
      epochs: 2,
      batchSize: 20,
      rng: new Rng(6),
      temperature: 3,
      softWeight: 0,
      hardWeight: 1,
    });
    expect(memory().numTensors).toBe(before);
    expect(weights(b)).toEqual(weights(a));
    expect(sb.history.map((h) => h.hard)).toEqual(sa.history.map((h) => h.loss));
    expect(sb.history.map((h) => h.loss)).toEqual(sa.history.map((h) => h.loss));
    dispose([x, labels]);
    for (const m of [teacherNet, a, b]) m.dispose();
  });

  it('uses Adam at 1e-3 when no optimizer is given', () => {
    const x = randomNormal([40, 3], 0, 1, 'float32', 8);
    const labels = tensor1d(
      Array.from({ length: 40 }, (_, i) => i % 2),
      'int32',
    );
    const a = mlp([3, 2], { rng: new Rng(2) });
    const b = mlp([3, 2], { rng: new Rng(2) });
    trainSupervised(a, tensorData(x, labels), { epochs: 1, batchSize: 10, rng: new Rng(1) });
    const optimizer = new Optimizer(adam(1e-3), b.trainableParameters());
    trainSupervised(b, tensorData(x, labels), { epochs: 1, batchSize: 10, rng: new Rng(1), optimizer });
    expect(weights(a)).toEqual(weights(b));
    expect(() => trainSupervised(a, { count: 0, batch: () => ({ x, labels }) })).toThrow(
      /trainSupervised: the data must hold at least one example/,
    );
    optimizer.dispose();
    dispose([x, labels]);
    a.dispose();
    b.dispose();
  });
});
