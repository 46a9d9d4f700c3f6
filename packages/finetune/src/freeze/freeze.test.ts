import {
  BatchNorm,
  Conv2d,
  Dense,
  Flatten,
  initBackend,
  Optimizer,
  ReLU,
  Rng,
  Sequential,
  sgd,
  valueAndGrads,
} from '@lab/core';
import {
  dispose,
  mean,
  memory,
  randomNormal,
  type Scalar,
  square,
  type Tensor,
  tidy,
} from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { outputShape } from '../surgery/output-shape.js';
import { isHeldInInference } from './batchnorm-mode.js';
import { type FrozenBatchNorm, freezeLayers, freezeTo, unfreezeLayers } from './freeze.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

/** conv, bn, relu, conv, bn, relu, flatten, dense: parameterised layers 0, 1, 3, 4, 7. */
const net = () =>
  new Sequential([
    new Conv2d(1, 3, 3, { rng: new Rng(1) }),
    new BatchNorm(3),
    ReLU(),
    new Conv2d(3, 3, 3, { stride: 2, rng: new Rng(2) }),
    new BatchNorm(3),
    ReLU(),
    Flatten(),
    new Dense(48, 2, { rng: new Rng(3) }),
  ]);
const read = (t: Tensor) => Array.from(t.dataSync());
const trainable = (m: Sequential) => Object.keys(m.trainableParameters()).sort();

/** One SGD step on a squared-output loss, in training mode; returns nothing, leaks nothing. */
function trainStep(model: Sequential, opt: Optimizer<unknown>, x: Tensor): void {
  model.train();
  const { value, grads } = valueAndGrads(
    () => tidy(() => mean(square(model.forward(x))) as Scalar),
    model.trainableParameters(),
  );
  opt.step(grads);
  dispose([value, ...Object.values(grads)]);
}

describe('freezeLayers', () => {
  it('freezes by glob and by RegExp (a global RegExp too), BatchNorm included by default', () => {
    const model = net();
    const report = freezeLayers(model, '0');
    expect(report.frozen).toEqual(['0.weight', '0.bias']);
    expect(trainable(model)).not.toContain('0.weight');
    const re = freezeLayers(model, /^[34]\./g);
    expect(re.frozen).toEqual(['3.weight', '3.bias', '4.weight', '4.bias']);
    expect(re.batchNorms).toEqual([{ path: '4', mode: 'inference' }]);
    expect(trainable(model)).toEqual(['1.bias', '1.weight', '7.bias', '7.weight']);
    expect(() => freezeLayers(model, '')).toThrow(TypeError);
    expect(() => freezeLayers(model, '0', { batchNorm: 'keras' as FrozenBatchNorm })).toThrow(
      /batchNorm must be/,
    );
    model.dispose();
  });

  it("fastai's 'train' mode leaves BatchNorm parameters trainable", () => {
    const model = net();
    const report = freezeLayers(model, /^[0-4]\./, { batchNorm: 'train' });
    expect(report.frozen).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(trainable(model)).toEqual(['1.bias', '1.weight', '4.bias', '4.weight', '7.bias', '7.weight']);
    expect(isHeldInInference(model.layers[1] as BatchNorm)).toBe(false);
    model.dispose();
  });
});

describe('freezeTo', () => {
  it('freezes the first n parameterised layers and unfreezes the rest; negative counts from the top', () => {
    const model = net();
    freezeTo(model, 2);
    expect(trainable(model)).toEqual(['3.bias', '3.weight', '4.bias', '4.weight', '7.bias', '7.weight']);
    freezeTo(model, -1);
    expect(trainable(model)).toEqual(['7.bias', '7.weight']);
    expect(isHeldInInference(model.layers[4] as BatchNorm)).toBe(true);
    freezeTo(model, 3); // unfreezes BatchNorm 4 again and lets it train normally
    expect(trainable(model)).toEqual(['4.bias', '4.weight', '7.bias', '7.weight']);
    expect(isHeldInInference(model.layers[4] as BatchNorm)).toBe(false);
    expect(isHeldInInference(model.layers[1] as BatchNorm)).toBe(true);
    freezeTo(model, 0);
    expect(trainable(model)).toHaveLength(10);
    expect(() => freezeTo(model, 6)).toThrow(/depth must be an integer in \[-5, 5\]/);
    expect(() => freezeTo(model, 1.5)).toThrow(RangeError);
    model.dispose();
  });
});

describe('frozen BatchNorm, both ways, through real training steps', () => {
  const setup = (mode: FrozenBatchNorm) => {
    const model = net();
    freezeLayers(model, /^[0-4]\./, { batchNorm: mode });
    const opt = new Optimizer(sgd(0.1), model.trainableParameters());
    const bn = model.layers[1] as BatchNorm;
    return { model, opt, bn, x: randomNormal([4, 8, 8, 1], 2, 3, 'float32', 5) };
  };

  it("'inference' (Keras): model.train() cannot switch it on; statistics and parameters stay put", () => {
    const { model, opt, bn, x } = setup('inference');
    const stats = [read(bn.runningMean), read(bn.runningVar)];
    const conv = read(model.stateDict()['0.weight']!);
    const gamma = read(bn.gamma);
    const head = read(model.stateDict()['7.weight']!);
    const before = memory().numTensors;
    for (let i = 0; i < 3; i++) trainStep(model, opt, x);
    expect(memory().numTensors).toBe(before);
    expect(model.training).toBe(true);
    expect(bn.training).toBe(false);
    expect([read(bn.runningMean), read(bn.runningVar)]).toEqual(stats);
    expect(read(model.stateDict()['0.weight']!)).toEqual(conv);
    expect(read(bn.gamma)).toEqual(gamma);
    expect(read(model.stateDict()['7.weight']!)).not.toEqual(head);
    // in training mode the frozen part computes exactly what it computes in eval mode
    const trainOut = tidy(() => model.layers.slice(0, 3).reduce((h, m) => m.forward(h), x));
    model.eval();
    const evalOut = tidy(() => model.layers.slice(0, 3).reduce((h, m) => m.forward(h), x));
    expect(read(trainOut)).toEqual(read(evalOut));
    // unfreezing gives it back the mode last asked for (eval, just now), then train() works again
    unfreezeLayers(model, '1');
    expect(bn.training).toBe(false);
    model.train();
    expect(bn.training).toBe(true);
    const opt2 = new Optimizer(sgd(0.1), model.trainableParameters()); // the unfrozen scale and shift join
    trainStep(model, opt2, x);
    expect(read(bn.runningMean)).not.toEqual(stats[0]);
    expect(read(bn.gamma)).not.toEqual(gamma);
    dispose([x, trainOut, evalOut]);
    model.dispose();
    opt.dispose();
    opt2.dispose();
  });

  it("'update': parameters frozen, statistics keep following the batches", () => {
    const { model, opt, bn, x } = setup('update');
    const stats = read(bn.runningMean);
    const gamma = read(bn.gamma);
    trainStep(model, opt, x);
    expect(bn.training).toBe(true);
    expect(read(bn.runningMean)).not.toEqual(stats);
    expect(read(bn.gamma)).toEqual(gamma);
    x.dispose();
    model.dispose();
    opt.dispose();
  });

  it("'train' (fastai): statistics update and BatchNorm's scale and shift learn, the convs stay frozen", () => {
    const { model, opt, bn, x } = setup('train');
    const stats = read(bn.runningMean);
    const gamma = read(bn.gamma);
    const conv = read(model.stateDict()['0.weight']!);
    trainStep(model, opt, x);
    expect(read(bn.runningMean)).not.toEqual(stats);
    expect(read(bn.gamma)).not.toEqual(gamma);
    expect(read(model.stateDict()['0.weight']!)).toEqual(conv);
    x.dispose();
    model.dispose();
    opt.dispose();
  });

  it('outputShape on a model with a held BatchNorm keeps the mode train() asked for', () => {
    const model = net().train();
    freezeLayers(model, '1');
    const bn = model.layers[1] as BatchNorm;
    expect(outputShape(model, [8, 8, 1])).toEqual([1, 2]);
    unfreezeLayers(model);
    expect(bn.training).toBe(true);
    model.dispose();
  });
});
