// The README's example, end to end: train a small Dense net, prune, retrain with the masks, share
// weights, fine-tune the centroids, encode, decode into a fresh net, and compare outputs.
import { adam, chain, Dense, initBackend, Optimizer, ReLU, Rng, Sequential, valueAndGrads } from '@lab/core';
import {
  all,
  argMax,
  cast,
  dispose,
  equal,
  losses,
  matMul,
  mean,
  memory,
  oneHot,
  randomNormal,
  type Scalar,
  tidy,
} from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCompressed,
  decodedToTensors,
  encodeCompressed,
  MaskSet,
  SharedWeights,
  sizeTable,
} from './index.js';
import { bitsOf } from './test-helpers.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const net = (seed: number) =>
  new Sequential([
    new Dense(16, 32, { rng: new Rng(seed) }),
    ReLU(),
    new Dense(32, 4, { rng: new Rng(seed + 1) }),
  ]);

describe('prune -> share -> encode -> decode', () => {
  it('keeps accuracy on a synthetic task and decodes to the same network', () => {
    const start = memory().numTensors;
    // a learnable task: the label is the argmax of a fixed random projection of the input
    const x = randomNormal([256, 16], 0, 1, 'float32', 7);
    const proj = randomNormal([16, 4], 0, 1, 'float32', 8);
    const labels = tidy(() => argMax(matMul(x, proj), 1));
    const y = tidy(() => cast(oneHot(labels, 4), 'float32'));
    const model = net(1);
    const lossFn = () => losses.softmaxCrossEntropy(y, model.forward(x)) as Scalar;
    const accuracy = () =>
      tidy(() => mean(cast(equal(argMax(model.forward(x), 1), labels), 'float32')).dataSync()[0]!);
    const train = (opt: Optimizer, steps: number) => {
      for (let i = 0; i < steps; i++)
        tidy(() => {
          const { grads } = valueAndGrads(lossFn, model.trainableParameters());
          opt.step(grads);
        });
    };
    // 1. train
    const opt = new Optimizer(adam(0.01), model.trainableParameters());
    train(opt, 100);
    opt.dispose();
    const baseline = accuracy();
    expect(baseline).toBeGreaterThan(0.9);
    // 2. prune 50% of each weight matrix and retrain with the masks kept exact
    const masks = new MaskSet(model);
    masks.prune({ kind: 'sparsity', sparsity: 0.5 });
    const retrain = new Optimizer(chain(adam(0.01), masks.transform()), model.trainableParameters());
    train(retrain, 100);
    retrain.dispose();
    const pruned = accuracy();
    expect(pruned).toBeGreaterThan(baseline - 0.05);
    // 3. share weights (4-bit codebooks) and fine-tune the centroids
    const shared = new SharedWeights(masks.weights, { bits: 4 });
    const centroidOpt = new Optimizer(adam(0.001), shared.centroids);
    for (let i = 0; i < 20; i++)
      tidy(() => {
        const { grads } = valueAndGrads(lossFn, masks.weights);
        shared.fineTuneStep(grads, centroidOpt);
      });
    centroidOpt.dispose();
    const quantized = accuracy();
    expect(quantized).toBeGreaterThan(baseline - 0.08);
    // 4. encode, decode into a fresh network: same bits, same predictions
    const { bytes, report } = encodeCompressed(model.stateDict());
    // the coded weights are over 4x smaller; on a net this small the JSON header (about 1 KB) is
    // a large part of the file, so the whole file is only about 1.6x smaller
    expect(report.total.huffmanBytes * 4).toBeLessThan(report.total.denseBytes);
    expect(report.ratio).toBeGreaterThan(1.3);
    expect(sizeTable(report)).toMatch(/total/);
    const decoded = decodeCompressed(bytes);
    const restored = net(99);
    const loaded = decodedToTensors(decoded.tensors);
    restored.loadStateDict(loaded);
    dispose(Object.values(loaded));
    for (const [k, v] of Object.entries(model.stateDict()))
      expect(bitsOf(restored.stateDict()[k]!.dataSync() as Float32Array)).toEqual(
        bitsOf(v.dataSync() as Float32Array),
      );
    const same = tidy(
      () => all(equal(argMax(restored.forward(x), 1), argMax(model.forward(x), 1))).dataSync()[0],
    );
    expect(same).toBe(1);
    shared.dispose();
    masks.dispose();
    model.dispose();
    restored.dispose();
    dispose([x, proj, labels, y]);
    expect(memory().numTensors).toBe(start);
  });
});
