// factorisationCurve's options: which layers it factorises, the Kronecker shapes, async scores,
// refusals, and that a failing score still disposes the probe's layers (kronecker.test.ts checks
// the points of a whole curve).
import { Dense, initBackend, type Module, ReLU, Rng, Sequential } from '@lab/core';
import { argMax, cast, matMul, memory, mul, tensor2d, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorData } from '../distill/batch-loop.js';
import { trainSupervised } from '../distill/supervised.js';
import { normals } from '../test-helpers.js';
import { factorisationCurve } from './curve.js';
import { kroneckerShapeFor, kroneckerSum, nearestKronecker } from './kronecker.js';
import { reconstruct, svd } from './svd.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const net = () =>
  new Sequential([new Dense(8, 6, { rng: new Rng(1) }), ReLU(), new Dense(6, 4, { rng: new Rng(2) })], 'net');
const DENSE = 8 * 6 + 6 + 6 * 4 + 4;

describe('factorisationCurve', () => {
  it('with no ranks or terms gives only the dense baseline, scored by an async evaluate', async () => {
    const model = net();
    const seen: string[] = [];
    const points = await factorisationCurve(model, {
      evaluate: async (m) => {
        seen.push(m.name);
        return 0.5;
      },
    });
    expect(points).toEqual([
      { method: 'dense', setting: 0, parameters: DENSE, compression: 1, residual: 0, accuracy: 0.5 },
    ]);
    expect(seen).toEqual(['net.dense0']);
    model.dispose();
  });

  it('factorises only the layers asked for, with the Kronecker shapes given', async () => {
    const model = net();
    const kinds: string[][] = [];
    const evaluate = (m: Module) => {
      kinds.push((m as Sequential).layers.map((l) => l.constructor.name));
      return 1;
    };
    const points = await factorisationCurve(model, {
      evaluate,
      layers: [2],
      ranks: [2],
      kroneckerTerms: [1],
      kroneckerShapes: { 2: { m1: 3, n1: 2, m2: 2, n2: 2 } },
    });
    // rank 2 of the [6, 4] layer: 2 x (6 + 4) + 4; one Kronecker term: 3 x 2 + 2 x 2 + 4
    expect(points.map((p) => p.parameters)).toEqual([DENSE, 8 * 6 + 6 + 24, 8 * 6 + 6 + 14]);
    expect(points[1]!.compression).toBeCloseTo(DENSE / 78, 12);
    expect(kinds).toEqual([
      ['Dense', 'Lambda', 'Dense'],
      ['Dense', 'Lambda', 'Sequential'],
      ['Dense', 'Lambda', 'KroneckerDense'],
    ]);
    model.dispose();
  });

  it('refuses a layer index that is not a Dense layer', async () => {
    const model = net();
    await expect(factorisationCurve(model, { evaluate: () => 1, layers: [1] })).rejects.toThrow(
      /factorisationCurve: layers\[1\] is not a Dense layer/,
    );
    model.dispose();
  });

  it('disposes the probe layers when evaluate throws, and passes the error on', async () => {
    const model = net();
    const before = memory().numTensors;
    let calls = 0;
    const evaluate = () => {
      if (++calls === 2) throw new Error('score failed');
      return 1;
    };
    await expect(factorisationCurve(model, { evaluate, ranks: [1] })).rejects.toThrow('score failed');
    expect(memory().numTensors).toBe(before);
    expect(Object.values(model.parameters()).every((p) => !p.isDisposed)).toBe(true);
    model.dispose();
  });

  it('gives each point the largest relative Frobenius error of its factorised weights', async () => {
    const model = net();
    const points = await factorisationCurve(model, {
      evaluate: () => 1,
      ranks: [2, 4],
      kroneckerTerms: [1, 2],
    });
    const weights = [0, 2].map((i) => (model.layers[i] as Dense).weight.dataSync());
    const shapes = [kroneckerShapeFor(8, 6), kroneckerShapeFor(6, 4)];
    const relative = (w: ArrayLike<number>, approx: ArrayLike<number>) => {
      let e = 0;
      let n = 0;
      for (let k = 0; k < w.length; k++) {
        e += (w[k]! - approx[k]!) ** 2;
        n += w[k]! ** 2;
      }
      return Math.sqrt(e / n);
    };
    const svdResidual = (rank: number) =>
      Math.max(
        ...[
          [weights[0]!, 8, 6],
          [weights[1]!, 6, 4],
        ].map(([w, m, n]) =>
          rank < Math.min(m as number, n as number)
            ? relative(w as Float32Array, reconstruct(svd(w as Float32Array, m as number, n as number), rank))
            : 0,
        ),
      );
    const kronResidual = (terms: number) =>
      Math.max(...weights.map((w, l) => relative(w, kroneckerSum(nearestKronecker(w, shapes[l]!, terms)))));
    expect(points.map((p) => p.method)).toEqual(['dense', 'svd', 'svd', 'kronecker', 'kronecker']);
    expect(points[0]!.residual).toBe(0);
    // rank 4 keeps the [6, 4] layer dense: only the [8, 6] layer's error counts
    expect(points[1]!.residual).toBeCloseTo(svdResidual(2), 10);
    expect(points[2]!.residual).toBeCloseTo(svdResidual(4), 10);
    expect(points[3]!.residual).toBeCloseTo(kronResidual(1), 10);
    expect(points[4]!.residual).toBeCloseTo(kronResidual(2), 10);
    expect(points[1]!.residual).toBeGreaterThan(points[2]!.residual);
    expect(points[3]!.residual).toBeGreaterThan(points[4]!.residual);
    for (const p of points) expect(p.accuracyBeforeTuning).toBeUndefined();
    model.dispose();
  });

  it('fine-tunes each factorised probe, better than untuned, leaving the model as it was and leaking nothing', async () => {
    // four classes of 16-dimensional inputs, labelled by a fixed linear map
    const n = 512;
    const x = tensor2d(normals(n * 16, 21), [n, 16]);
    const labels = tidy(() => cast(argMax(matMul(x, tensor2d(normals(16 * 4, 22), [16, 4])), 1), 'int32'));
    const labelArray = labels.dataSync();
    const data = tensorData(x, labels);
    const model = new Sequential(
      [new Dense(16, 12, { rng: new Rng(3) }), ReLU(), new Dense(12, 4, { rng: new Rng(4) })],
      'classifier',
    );
    trainSupervised(model, data, { epochs: 30, batchSize: 32, rng: new Rng(5) });
    const accuracy = (m: Module) => {
      const predicted = tidy(() => argMax(m.forward(x), 1).dataSync());
      return predicted.filter((c, i) => c === labelArray[i]).length / n;
    };
    const dense = accuracy(model);
    expect(dense).toBeGreaterThan(0.85);
    const state = Object.fromEntries(
      Object.entries(model.stateDict()).map(([k, v]) => [k, Array.from(v.dataSync())]),
    );
    // the original's last layer frozen: fine-tuning may unfreeze it in the probe, the curve restores the flag
    model.freeze('2.bias');
    model.eval();
    const calls: string[] = [];
    const before = memory().numTensors;
    const points = await factorisationCurve(model, {
      evaluate: accuracy,
      ranks: [3],
      kroneckerTerms: [2],
      layers: [0],
      fineTune: (probe, { method, setting }) => {
        calls.push(`${method}${setting} ${probe.name}`);
        probe.unfreeze();
        trainSupervised(probe, data, { epochs: 30, batchSize: 32, rng: new Rng(6) });
      },
    });
    expect(memory().numTensors).toBe(before);
    expect(calls).toEqual(['svd3 classifier.svd3', 'kronecker2 classifier.kronecker2']);
    expect(points[0]).toEqual({
      method: 'dense',
      setting: 0,
      parameters: model.paramCount(),
      compression: 1,
      residual: 0,
      accuracy: dense,
    });
    expect(points.map((p) => [p.method, p.setting])).toEqual([
      ['dense', 0],
      ['svd', 3],
      ['kronecker', 2],
    ]);
    // two Kronecker terms of the [16, 12] layer lose much accuracy; training the factors wins much back
    expect(points[2]!.accuracyBeforeTuning).toBeLessThan(dense - 0.1);
    for (const p of points.slice(1)) {
      expect(p.accuracy).toBeGreaterThan(p.accuracyBeforeTuning! + 0.05);
      expect(p.residual).toBeGreaterThan(0.3);
    }
    // the probes trained the model's own last layer too; it is back as it was
    for (const [k, v] of Object.entries(model.stateDict()))
      expect(Array.from(v.dataSync())).toEqual(state[k]);
    expect(model.parameters()['2.bias']!.trainable).toBe(false);
    expect(model.parameters()['2.weight']!.trainable).toBe(true);
    expect(model.layers.every((l) => !l.training)).toBe(true);
    expect(accuracy(model)).toBe(dense);
    model.dispose();
    x.dispose();
    labels.dispose();
  });

  it('restores the model also when fine-tuning throws, and disposes the probe', async () => {
    const model = net();
    const w = Array.from((model.layers[2] as Dense).weight.dataSync());
    const before = memory().numTensors;
    let zeroed = 0;
    const fineTune = (probe: Module) => {
      (probe as Sequential).layers.forEach((l) => {
        if (!(l instanceof Dense)) return;
        zeroed++;
        const zero = mul(l.weight, 0);
        l.weight.assign(zero);
        zero.dispose();
      });
      throw new Error('tuning failed');
    };
    await expect(
      factorisationCurve(model, { evaluate: () => 1, ranks: [1], layers: [0], fineTune }),
    ).rejects.toThrow('tuning failed');
    expect(zeroed).toBe(1);
    expect(memory().numTensors).toBe(before);
    expect(Array.from((model.layers[2] as Dense).weight.dataSync())).toEqual(w);
    model.dispose();
  });
});
