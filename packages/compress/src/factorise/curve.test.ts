// factorisationCurve's options: which layers it factorises, the Kronecker shapes, async scores,
// refusals, and that a failing score still disposes the probe's layers (kronecker.test.ts checks
// the points of a whole curve).
import { Dense, initBackend, type Module, ReLU, Rng, Sequential } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { factorisationCurve } from './curve.js';

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
      { method: 'dense', setting: 0, parameters: DENSE, compression: 1, accuracy: 0.5 },
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
});
