import { BatchNorm, Conv2d, Dense, Flatten, initBackend, Module, ReLU, Rng, Sequential } from '@lab/core';
import { dispose, memory, randomNormal, type Tensor, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendLayers, cutAt } from './cut.js';
import { SurgeryError } from './errors.js';
import { overlapByLabel, replaceHead } from './head.js';
import { outputShape } from './output-shape.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

/** features: conv, bn, relu, strided conv, relu; classifier: flatten, dense, relu, dense head. */
const convnet = () =>
  new Sequential([
    new Sequential(
      [
        new Conv2d(1, 4, 3, { name: 'c1', rng: new Rng(1) }),
        new BatchNorm(4),
        ReLU(),
        new Conv2d(4, 4, 3, { stride: 2, name: 'c2', rng: new Rng(2) }),
        ReLU(),
      ],
      'features',
    ),
    new Sequential(
      [
        Flatten(),
        new Dense(64, 10, { name: 'fc', rng: new Rng(3) }),
        ReLU(),
        new Dense(10, 5, { name: 'head', rng: new Rng(4) }),
      ],
      'classifier',
    ),
  ]);
const read = (t: Tensor) => Array.from(t.dataSync());

describe('cutAt', () => {
  it('keeps the layers up to a path, sharing their weights and state-dict names', () => {
    const model = convnet().eval();
    const { body, removed } = cutAt(model, '0.3');
    expect(Object.keys(body.stateDict()).sort()).toEqual(
      Object.keys(model.stateDict())
        .filter((k) => k.startsWith('0.'))
        .sort(),
    );
    expect(body.stateDict()['0.3.weight']).toBe(model.stateDict()['0.3.weight']);
    expect(removed.map((m) => m.name)).toEqual(['relu', 'classifier']);
    const x = randomNormal([2, 8, 8, 1]);
    const features = model.layers[0] as Sequential;
    const expected = tidy(() => features.layers.slice(0, 4).reduce((h, m) => m.forward(h), x as Tensor));
    const got = body.eval().forward(x);
    expect(read(got)).toEqual(read(expected));
    dispose([x, expected, got]);
    model.dispose();
  });

  it('finds a layer by its unique module name and can stop before it', () => {
    const model = convnet();
    const through = cutAt(model, 'c2').body;
    const before = cutAt(model, 'c2', { inclusive: false });
    expect(Object.keys(through.parameters())).toContain('0.3.weight');
    expect(Object.keys(before.body.parameters())).not.toContain('0.3.weight');
    expect(before.removed.map((m) => m.name)).toEqual(['c2', 'relu', 'classifier']);
    model.dispose();
  });

  it('clear errors for unknown, ambiguous and uncuttable places', () => {
    const model = convnet();
    expect(() => cutAt(model, 'nope')).toThrow(
      /at: no layer 'nope' \(top-level layers: 0 \(features\), 1 \(classifier\)\)/,
    );
    expect(() => cutAt(model, 'relu')).toThrow(/'relu' names 3 layers \(0\.2, 0\.4, 1\.2\); give a path/);
    expect(() => cutAt(model, '0', { inclusive: false })).toThrow(SurgeryError);
    class Block extends Module {
      readonly inner = this.addModule('inner', new Dense(2, 2));
      forward(x: Tensor) {
        return this.inner.forward(x);
      }
    }
    const custom = new Sequential([new Block('block'), new Dense(2, 2)]);
    expect(() => cutAt(custom, '0.inner')).toThrow(
      /'0\.inner' lies inside a module that is not a Sequential/,
    );
    expect(cutAt(custom, 'block').removed).toHaveLength(1);
    custom.dispose();
    model.dispose();
  });
});

describe('replaceHead', () => {
  it('puts a new Dense in the old head`s place, keeping the old weights of shared classes', () => {
    const model = convnet();
    const {
      model: next,
      head,
      oldHead,
    } = replaceHead(model, 3, {
      keepClasses: [
        [4, 0],
        [1, 2],
      ],
      rng: new Rng(9),
    });
    expect(oldHead.name).toBe('head');
    expect(next.stateDict()['1.3.weight']).toBe(head.weight);
    expect(head.weight.shape).toEqual([10, 3]);
    expect(next.stateDict()['0.0.weight']).toBe(model.stateDict()['0.0.weight']);
    const oldW = read(oldHead.weight);
    const newW = read(head.weight);
    for (let r = 0; r < 10; r++) {
      expect(newW[r * 3 + 0]).toBe(oldW[r * 5 + 4]);
      expect(newW[r * 3 + 2]).toBe(oldW[r * 5 + 1]);
    }
    const column1 = Array.from({ length: 10 }, (_, r) => newW[r * 3 + 1]);
    expect(column1.some((v) => v !== 0)).toBe(true); // freshly initialised, not zeros
    expect(read(head.bias!)).toEqual([read(oldHead.bias!)[4], read(head.bias!)[1], read(oldHead.bias!)[1]]);
    const y = tidy(() => next.forward(randomNormal([2, 8, 8, 1])));
    expect(y.shape).toEqual([2, 3]);
    y.dispose();
    next.dispose();
    oldHead.dispose();
  });

  it('replaces a named head, and checks classes and class pairs', () => {
    const model = convnet();
    const { model: next, oldHead } = replaceHead(model, 7, { at: 'fc' });
    expect(oldHead.name).toBe('fc');
    expect(next.stateDict()['1.1.weight']!.shape).toEqual([64, 7]);
    expect(() => replaceHead(model, 0)).toThrow(/classes: must be a positive integer/);
    expect(() => replaceHead(model, 3, { at: 'c1' })).toThrow(/not a Dense head/);
    expect(() => replaceHead(model, 3, { keepClasses: [[5, 0]] })).toThrow(
      /keepClasses\[0\]: old class 5 is not in \[0, 5\)/,
    );
    expect(() => replaceHead(model, 3, { keepClasses: [[0, 3]] })).toThrow(/new class 3 is not in \[0, 3\)/);
    expect(() =>
      replaceHead(model, 3, {
        keepClasses: [
          [0, 1],
          [2, 1],
        ],
      }),
    ).toThrow(/new class 1 is given twice/);
    next.dispose();
    oldHead.dispose();
  });

  it('overlapByLabel pairs the classes two label lists share', () => {
    expect(overlapByLabel(['cat', 'dog', 'owl'], ['dog', 'fox', 'cat'])).toEqual([
      [1, 0],
      [0, 2],
    ]);
  });
});

describe('appendLayers and outputShape', () => {
  it('builds a new classifier on a cut body; outputShape leaves modes and statistics alone', () => {
    const model = convnet();
    const { body, removed } = cutAt(model, 'features');
    const bn = (model.layers[0] as Sequential).layers[1] as BatchNorm;
    const mean = read(bn.runningMean);
    expect(outputShape(body, [8, 8, 1])).toEqual([1, 4, 4, 4]);
    expect(body.training).toBe(true);
    expect(bn.training).toBe(true);
    expect(read(bn.runningMean)).toEqual(mean);
    const next = appendLayers(body, [Flatten(), new Dense(64, 2)]);
    expect(outputShape(next, [8, 8, 1])).toEqual([1, 2]);
    expect(() => outputShape(next, [8, -1])).toThrow(/inputShape: must be positive integers/);
    next.dispose();
    for (const m of removed) m.dispose();
  });

  it('disposing the new model and the removed layers frees every tensor', () => {
    const start = memory().numTensors;
    const model = convnet();
    const { body, removed } = cutAt(model, '1.1');
    const { model: next, oldHead } = replaceHead(body, 4);
    next.dispose();
    oldHead.dispose();
    for (const m of removed) m.dispose();
    expect(memory().numTensors).toBe(start);
  });
});
