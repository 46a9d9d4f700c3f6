import {
  adam,
  BatchNorm,
  bestWeights,
  Conv2d,
  Dense,
  earlyStopping,
  Flatten,
  initBackend,
  keepBest,
  ReLU,
  Rng,
  Sequential,
} from '@lab/core';
import { dispose, memory, randomNormal, type Tensor } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freezeLayers } from '../freeze/freeze.js';
import { type ClassifierData, validationSplit } from './data.js';
import { evaluateClassifier, fitClassifier } from './fit.js';
import { extractFeatures, linearProbe } from './probe.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

/** conv, BatchNorm, relu, strided conv, relu, flatten: [8, 8, 1] -> 64 features. */
const body = () => [
  new Conv2d(1, 4, 3, { padding: 1, rng: new Rng(1) }),
  new BatchNorm(4),
  ReLU(),
  new Conv2d(4, 4, 3, { stride: 2, rng: new Rng(2) }),
  ReLU(),
  Flatten(),
];
const head = () => new Dense(64, 3, { rng: new Rng(3) });
const read = (t: Tensor) => Array.from(t.dataSync());

let data: ClassifierData;
beforeAll(() => {
  const rng = new Rng(7);
  data = {
    x: randomNormal([40, 8, 8, 1], 0, 1, 'float32', 11),
    labels: Int32Array.from({ length: 40 }, () => rng.int(3)),
  };
});
afterAll(() => data.x.dispose());

/** A body whose BatchNorm statistics have moved off their defaults (one training-mode pass). */
function pretrainedBody(): Sequential {
  const b = new Sequential(body());
  b.train();
  dispose(b.forward(data.x));
  return b;
}

describe('extractFeatures', () => {
  it('computes body(x) in inference mode, in batches, leaving no tensor and the mode as it was', () => {
    const b = pretrainedBody();
    b.eval();
    const whole = b.forward(data.x);
    b.train();
    const before = memory().numTensors;
    const f = extractFeatures(b, data.x, { batchSize: 7 });
    expect(memory().numTensors).toBe(before + 1);
    expect(b.training).toBe(true);
    expect(f.shape).toEqual([40, 64]);
    const [a, c] = [read(f), read(whole)];
    expect(Math.max(...a.map((v, i) => Math.abs(v - c[i]!)))).toBeLessThan(1e-6);
    dispose([f, whole]);
    expect(() => extractFeatures(b, data.x, { batchSize: 0 })).toThrow(/batchSize/);
    b.dispose();
  });
});

describe('linearProbe', () => {
  it('trains the same head as the slow way (through the frozen body every step), to 1e-6, leak-free', () => {
    // the probe
    const b1 = pretrainedBody();
    const h1 = head();
    const before = memory().numTensors;
    const probe = linearProbe({
      body: b1,
      head: h1,
      data,
      transform: adam(0.01),
      epochs: 3,
      batchSize: 8,
      seed: 5,
    });
    expect(memory().numTensors).toBe(before);
    expect(probe.history.length).toBe(3);
    expect(probe.stepsDone).toBe(15);
    // the slow way: the same layers in one model, body frozen (BatchNorm held in inference)
    const slow = new Sequential([...pretrainedBody().layers, head()]);
    freezeLayers(slow, /^[0-5]\./);
    const bodyBefore = slow.layers.slice(0, 6).map((l) => Object.values(l.parameters()).map(read));
    fitClassifier({
      module: slow,
      params: slow.trainableParameters(),
      data,
      transform: adam(0.01),
      epochs: 3,
      batchSize: 8,
      seed: 5,
    });
    expect(slow.layers.slice(0, 6).map((l) => Object.values(l.parameters()).map(read))).toEqual(bodyBefore);
    const [w1, w2] = [h1.parameters(), slow.layers[6]!.parameters()];
    expect(Object.keys(w1)).toEqual(Object.keys(w2));
    for (const k of Object.keys(w1)) {
      const [a, c] = [read(w1[k]!), read(w2[k]!)];
      expect(Math.max(...a.map((v, i) => Math.abs(v - c[i]!)))).toBeLessThan(1e-6);
    }
    // and the head did train: its loss on the training features fell
    const first = probe.history[0]!.means.loss!;
    expect(probe.history[2]!.means.loss!).toBeLessThan(first);
    for (const m of [b1, h1, slow]) m.dispose();
  });

  it('refuses mismatched data', () => {
    const b = pretrainedBody();
    const h = head();
    expect(() =>
      linearProbe({
        body: b,
        head: h,
        data: { x: data.x, labels: new Int32Array(3) },
        transform: adam(0.01),
        epochs: 1,
      }),
    ).toThrow(/40 examples but labels has 3/);
    b.dispose();
    h.dispose();
  });
});

describe('validationSplit with early stopping and the best weights', () => {
  it('splits reproducibly and refuses bad fractions', () => {
    const { train, validation } = validationSplit(data, 0.25, 3);
    expect([train.labels.length, validation.labels.length]).toEqual([30, 10]);
    expect(train.x.shape).toEqual([30, 8, 8, 1]);
    const again = validationSplit(data, 0.25, 3);
    expect(Array.from(again.validation.labels)).toEqual(Array.from(validation.labels));
    expect(read(again.validation.x)).toEqual(read(validation.x));
    dispose([train.x, validation.x, again.train.x, again.validation.x]);
    expect(() => validationSplit(data, 1)).toThrow(/fraction/);
    expect(() => validationSplit(data, 0.001)).toThrow(/cannot give/);
  });

  it("stops when the validation loss stops improving and puts back the best epoch's head", () => {
    // random labels: the head overfits the training part and the validation loss turns up
    const { train, validation } = validationSplit(data, 0.25, 3);
    const b = pretrainedBody();
    const h = head();
    const stopper = earlyStopping({ metric: 'loss', mode: 'min', patience: 3 });
    const keeper = bestWeights(h.parameters(), { mode: 'min' });
    const before = memory().numTensors;
    const result = linearProbe({
      body: b,
      head: h,
      data: train,
      validation,
      transform: adam(0.05),
      epochs: 60,
      batchSize: 10,
      seed: 1,
      hooks: [keepBest(keeper, 'loss'), stopper],
    });
    expect(result.stopped).toBe('stopped');
    const losses = result.history.map((e) => e.validation!.loss!);
    const bestEpoch = losses.indexOf(Math.min(...losses));
    expect(stopper.stoppedAfter).toBe(bestEpoch + 3);
    expect(result.epochsDone).toBe(bestEpoch + 4);
    expect(keeper.best?.epoch).toBe(bestEpoch);
    expect(keeper.restore()).toBe(true);
    const features = extractFeatures(b, validation.x);
    const restored = evaluateClassifier(h, { x: features, labels: validation.labels });
    expect(restored.loss).toBeCloseTo(losses[bestEpoch]!, 5);
    features.dispose();
    keeper.dispose();
    expect(memory().numTensors).toBe(before);
    b.dispose();
    h.dispose();
    dispose([train.x, validation.x]);
  });
});
