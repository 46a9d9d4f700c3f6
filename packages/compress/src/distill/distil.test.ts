import { adam, Dense, Dropout, initBackend, Optimizer, Rng, Sequential } from '@lab/core';
import {
  argMax,
  cast,
  dispose,
  greater,
  memory,
  mul,
  randomNormal,
  reshape,
  slice,
  type Tensor,
  tidy,
} from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distil, tensorData } from './distil.js';
import { dropoutEnsembleErrors } from './dropout-ensemble.js';
import { argmaxRows, errorCounts, logitsOf } from './evaluate.js';
import { mlp, outputLayer } from './mlp.js';
import { trainSupervised } from './supervised.js';
import { ensembleTeacher, type Teacher } from './teacher.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** Fraction of rows where two models' argmax agree. */
function agreement(a: Sequential, b: Sequential, x: Tensor): number {
  const pa = argmaxRows(logitsOf(a, x), 3);
  const pb = argmaxRows(logitsOf(b, x), 3);
  return pa.filter((v, i) => v === pb[i]).length / pa.length;
}

describe('distil', () => {
  it('trains a student to agree with its teacher through runTrainingLoop, with history and no leaks', () => {
    const teacherNet = mlp([8, 16, 3], { rng: new Rng(1) });
    // a confident teacher: its logits scaled up
    const x = randomNormal([512, 8], 0, 1, 'float32', 3);
    const labels = tidy(() => argMax(mul(teacherNet.forward(x), 5), 1));
    const student = mlp([8, 32, 3], { rng: new Rng(2) });
    const before = agreement(teacherNet, student, x);
    const tensorsBefore = memory().numTensors;
    const epochsSeen: number[] = [];
    const { history, training } = distil(ensembleTeacher([teacherNet]), student, tensorData(x, labels), {
      temperature: 2,
      epochs: 25,
      batchSize: 64,
      validate: () => ({ agreement: agreement(teacherNet, student, x) }),
      onEpoch: (e) => epochsSeen.push(e.epoch),
    });
    expect(memory().numTensors).toBe(tensorsBefore);
    expect(training).toMatchObject({ epochsDone: 25, stepsDone: 25 * 8, stopped: 'completed' });
    expect(history.map((h) => h.epoch)).toEqual(epochsSeen);
    expect(history).toHaveLength(25);
    expect(history[24]!.loss).toBeLessThan(history[0]!.loss);
    expect(history[24]!.soft).toBeLessThan(history[0]!.soft);
    // loss = 0.9 T^2 soft + 0.1 hard per batch, so the epoch means obey it too
    const h = history[24]!;
    expect(h.loss).toBeCloseTo(0.9 * 4 * h.soft + 0.1 * h.hard, 4);
    const after = agreement(teacherNet, student, x);
    expect(history[24]!.validation!.agreement).toBe(after);
    expect(after).toBeGreaterThan(0.9);
    expect(after).toBeGreaterThan(before);
    expect(student.training).toBe(false);
    dispose([x, labels]);
    teacherNet.dispose();
    student.dispose();
  });

  it('with cacheTargets runs the teacher once over the data and trains the same student, leak-free', () => {
    const teacherNet = mlp([8, 16, 3], { rng: new Rng(1) });
    const x = randomNormal([100, 8], 0, 1, 'float32', 3);
    const labels = tidy(() => argMax(teacherNet.forward(x), 1));
    const counting = (rows: number[]): Teacher => {
      const inner = ensembleTeacher([teacherNet]);
      return {
        targets: (xb, t) => {
          rows.push(xb.shape[0]!);
          return inner.targets(xb, t);
        },
      };
    };
    const train = (cacheTargets: boolean, rows: number[]) => {
      const student = mlp([8, 32, 3], { rng: new Rng(2) });
      const { history } = distil(counting(rows), student, tensorData(x, labels), {
        temperature: 4,
        epochs: 3,
        batchSize: 32,
        rng: new Rng(5),
        cacheTargets,
      });
      const weights = Object.values(student.stateDict()).map((w) => Array.from(w.dataSync()));
      student.dispose();
      return { history, weights };
    };
    const before = memory().numTensors;
    const perStep: number[] = [];
    const once: number[] = [];
    const a = train(false, perStep);
    const b = train(true, once);
    expect(memory().numTensors).toBe(before);
    // every batch of every epoch, against one pass in order
    expect(perStep).toEqual([32, 32, 32, 4, 32, 32, 32, 4, 32, 32, 32, 4]);
    expect(once).toEqual([32, 32, 32, 4]);
    expect(b.history.map((h) => h.loss)).toEqual(a.history.map((h) => h.loss));
    expect(b.weights).toEqual(a.weights);
    // a cached run that fails frees the cache
    const failing = mlp([8, 3]);
    const beforeFailing = memory().numTensors;
    expect(() =>
      distil(ensembleTeacher([teacherNet]), failing, tensorData(x, labels), {
        cacheTargets: true,
        validate: () => {
          throw new Error('validation failed');
        },
      }),
    ).toThrow('validation failed');
    expect(memory().numTensors).toBe(beforeFailing);
    failing.dispose();
    dispose([x, labels]);
    teacherNet.dispose();
  });

  it('rejects a bad transfer set and options', () => {
    const net = mlp([2, 2]);
    const x = randomNormal([4, 2]);
    const y = randomNormal([3]);
    expect(() => tensorData(x, y)).toThrow(/labels/);
    const data = { count: 0, batch: () => ({ x, labels: y }) };
    expect(() => distil(ensembleTeacher([net]), net, data)).toThrow(/at least one example/);
    expect(() => distil(ensembleTeacher([net]), net, data, { cacheTargets: true })).toThrow(
      /at least one example/,
    );
    expect(() =>
      distil(ensembleTeacher([net]), net, { ...data, count: 4 }, { batchSize: 0, cacheTargets: true }),
    ).toThrow(/batchSize/);
    expect(() => distil(ensembleTeacher([net]), net, { ...data, count: 4 }, { batchSize: 0 })).toThrow(
      /batchSize/,
    );
    expect(() => distil(ensembleTeacher([net]), net, { ...data, count: 4 }, { temperature: -1 })).toThrow(
      /temperature/,
    );
    dispose([x, y]);
    net.dispose();
  });
});

describe('trainSupervised', () => {
  it('fits the labels through runTrainingLoop, leaves eval mode and leaks nothing', () => {
    const x = randomNormal([256, 4], 0, 1, 'float32', 5);
    // a linearly separable rule: the sign of the first feature
    const labels = tidy(() => cast(greater(reshape(slice(x, [0, 0], [-1, 1]), [256]), 0), 'int32'));
    const net = mlp([4, 16, 2], { hiddenDropout: 0.1, rng: new Rng(3) });
    const optimizer = new Optimizer(adam(0.01), net.trainableParameters());
    const before = memory().numTensors;
    const { history, training } = trainSupervised(net, tensorData(x, labels), {
      epochs: 15,
      batchSize: 32,
      optimizer,
      validate: () => ({
        acc: 1 - errorCounts(argmaxRows(logitsOf(net, x), 2), labels.dataSync(), 2).errors / 256,
      }),
    });
    expect(memory().numTensors).toBe(before);
    expect(training.stepsDone).toBe(15 * 8);
    expect(history[14]!.loss).toBeLessThan(history[0]!.loss / 2);
    expect(history[14]!.validation!.acc).toBeGreaterThan(0.95);
    expect(net.training).toBe(false);
    expect(() => trainSupervised(net, tensorData(x, labels), { batchSize: 1.5 })).toThrow(/batchSize/);
    dispose([x, labels]);
    optimizer.dispose();
    net.dispose();
  });
});

describe('mlp and error counts', () => {
  it('builds Hinton-style nets with dropout where asked', () => {
    const net = mlp([10, 7, 5, 3], { inputDropout: 0.2, hiddenDropout: 0.5 });
    expect(net.layers.map((l) => l.constructor.name)).toEqual([
      'Dropout',
      'Dense',
      'Lambda',
      'Dropout',
      'Dense',
      'Lambda',
      'Dropout',
      'Dense',
    ]);
    expect(outputLayer(net).outFeatures).toBe(3);
    expect(() => mlp([10])).toThrow(/sizes/);
    net.dispose();
  });

  it('counts errors overall and per class', () => {
    const c = errorCounts([0, 1, 1, 2], [0, 1, 2, 2], 3);
    expect(c.errors).toBe(1);
    expect(Array.from(c.errorsByClass)).toEqual([0, 0, 1]);
    expect(Array.from(c.countByClass)).toEqual([1, 1, 2]);
    expect(() => errorCounts([0], [3], 3)).toThrow(/label 0/);
    expect(Array.from(argmaxRows([1, 3, 2, 5, 5, 0], 3))).toEqual([1, 0]);
  });
});

describe('dropout as an ensemble', () => {
  it('equals the weight-scaled net for every k without dropout, and leaks nothing with it', () => {
    const x = randomNormal([300, 6], 0, 1, 'float32', 7);
    const plain = new Sequential([
      new Dense(6, 12, { rng: new Rng(1) }),
      new Dense(12, 4, { rng: new Rng(2) }),
    ]);
    const labels = Int32Array.from({ length: 300 }, (_, i) => i % 4);
    const rows = dropoutEnsembleErrors(plain, x, labels, { ks: [1, 3], batchSize: 128 });
    const scaled = errorCounts(argmaxRows(logitsOf(plain, x), 4), labels, 4).errors;
    expect(rows).toEqual([0, 1, 3].map((k) => ({ k, errors: scaled, errorRate: scaled / 300 })));

    const withDropout = new Sequential([
      new Dense(6, 64, { rng: new Rng(1) }),
      new Dropout(0.5, { rng: new Rng(5) }),
      new Dense(64, 4, { rng: new Rng(2) }),
    ]);
    // labels from the weight-scaled net: its error is 0, one sampled sub-network's is not
    const own = argmaxRows(logitsOf(withDropout, x), 4);
    const before = memory().numTensors;
    const r = dropoutEnsembleErrors(withDropout, x, own, { ks: [1, 10, 100], space: 'logits' });
    expect(memory().numTensors).toBe(before);
    expect(r.map((row) => row.k)).toEqual([0, 1, 10, 100]);
    expect(r[0]!.errors).toBe(0);
    expect(r[1]!.errors).toBeGreaterThan(0);
    // averaging logits of many sub-networks converges to the weight-scaled net's (they are linear in the mask here)
    expect(r[3]!.errors).toBeLessThan(r[1]!.errors);
    expect(() => dropoutEnsembleErrors(plain, x, labels, { ks: [10, 1] })).toThrow(/increasing/);
    dispose(x);
    plain.dispose();
    withDropout.dispose();
  });
});
