import { initBackend, Rng } from '@lab/core';
import {
  dispose,
  memory,
  randomNormal,
  type Scalar,
  scalar,
  sum,
  tensor1d,
  tensor2d,
} from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBatchLoop, tensorData } from './batch-loop.js';
import { mlp } from './mlp.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('tensorData', () => {
  it('gathers the rows asked for, labels as int32, and rejects labels of another length', () => {
    const x = tensor2d([10, 11, 20, 21, 30, 31], [3, 2]);
    const labels = tensor1d([0, 1, 2], 'float32');
    const data = tensorData(x, labels);
    expect(data.count).toBe(3);
    const b = data.batch(Int32Array.from([2, 0]));
    expect(Array.from(b.x.dataSync())).toEqual([30, 31, 10, 11]);
    expect(b.labels.dtype).toBe('int32');
    expect(Array.from(b.labels.dataSync())).toEqual([2, 0]);
    dispose([b.x, b.labels]);
    const short = tensor1d([0, 1], 'int32');
    expect(() => tensorData(x, short)).toThrow(/tensorData: labels \[2\] must be \[3\]/);
    dispose([x, labels, short]);
  });
});

describe('runBatchLoop', () => {
  it('visits every example once per epoch in batches (telling the objective their indices), reports the terms, frees what the objective owns', () => {
    const x = tensor2d(
      Array.from({ length: 10 }, (_, i) => [i, 0]),
      [10, 2],
    );
    const labels = tensor1d(
      Array.from({ length: 10 }, (_, i) => i % 2),
      'int32',
    );
    const net = mlp([2, 2], { rng: new Rng(1) });
    const seen: number[][] = [];
    const before = memory().numTensors;
    const { epochs, training } = runBatchLoop(
      'test',
      net,
      tensorData(x, labels),
      { epochs: 2, batchSize: 4, rng: new Rng(3) },
      (xb, _labels, indices) => {
        seen.push(Array.from(xb.dataSync()).filter((_, i) => i % 2 === 0));
        // the objective is told which examples its batch holds (example i has x = [i, 0])
        expect(Array.from(indices)).toEqual(seen.at(-1));
        // a tensor made outside the gradient, as a teacher's targets are
        const owned = scalar(1);
        return {
          owned: [owned],
          loss: () => {
            const out = net.forward(xb);
            // the batch size, a term that does not depend on the weights
            return { total: sum(out) as Scalar, terms: { rows: scalar(xb.shape[0]!) } };
          },
        };
      },
    );
    expect(memory().numTensors).toBe(before);
    expect(training).toMatchObject({ epochsDone: 2, stepsDone: 6 });
    // batches of 4, 4, 2 covering 0..9 once per epoch
    expect(seen.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2]);
    for (const epoch of [seen.slice(0, 3), seen.slice(3)])
      expect(epoch.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // mean over the epoch's steps of 4, 4, 2
    expect(epochs.map((e) => e.means.rows)).toEqual([10 / 3, 10 / 3]);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(net.training).toBe(false);
    dispose([x, labels]);
    net.dispose();
  });

  it('shuffles reproducibly from its rng', () => {
    const x = randomNormal([12, 3], 0, 1, 'float32', 1);
    const labels = tensor1d(new Int32Array(12), 'int32');
    const order = (seed: number) => {
      const net = mlp([3, 2], { rng: new Rng(1) });
      const firsts: number[] = [];
      runBatchLoop(
        'test',
        net,
        tensorData(x, labels),
        { epochs: 1, batchSize: 12, rng: new Rng(seed) },
        (xb) => {
          firsts.push(...xb.dataSync());
          return { loss: () => ({ total: sum(net.forward(xb)) as Scalar }) };
        },
      );
      net.dispose();
      return firsts;
    };
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
    dispose([x, labels]);
  });

  it('names the caller in its refusals', () => {
    const net = mlp([2, 2]);
    const x = tensor2d([1, 2], [1, 2]);
    const labels = tensor1d([0], 'int32');
    const objective = () => ({ loss: () => ({ total: scalar(0) as Scalar }) });
    expect(() => runBatchLoop('myTrainer', net, tensorData(x, labels), { batchSize: 0 }, objective)).toThrow(
      /myTrainer: batchSize must be a whole number >= 1, got 0/,
    );
    expect(() =>
      runBatchLoop('myTrainer', net, { count: 0, batch: () => ({ x, labels }) }, {}, objective),
    ).toThrow(/myTrainer: the data must hold at least one example, got 0/);
    dispose([x, labels]);
    net.dispose();
  });
});
