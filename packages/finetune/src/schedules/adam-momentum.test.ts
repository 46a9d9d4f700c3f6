import { adam, initBackend, Optimizer } from '@lab/core';
import { memory, tensor1d, variable } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamWithMomentumSchedule } from './adam-momentum.js';
import { oneCycle } from './schedules.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const grads = [
  [0.5, -1],
  [0.25, 2],
  [-1, 0.5],
];

function run(make: () => ReturnType<typeof adam>): number[] {
  const init = tensor1d([1, -1]);
  const v = variable(init);
  init.dispose();
  const opt = new Optimizer(make(), { v });
  for (const g of grads) {
    const t = tensor1d(g);
    opt.step({ v: t });
    t.dispose();
  }
  const out = Array.from(v.dataSync());
  opt.dispose();
  v.dispose();
  return out;
}

describe('adamWithMomentumSchedule', () => {
  it("equals core's adam when beta1 is constant", () => {
    const [a, b] = [run(() => adam(0.1)), run(() => adamWithMomentumSchedule(0.1, { b1: 0.9 }))];
    a.forEach((x, i) => {
      expect(b[i]).toBeCloseTo(x, 6);
    });
  });

  it('follows a beta1 schedule, checked by hand on three steps, leak-free', () => {
    const b1 = (s: number) => [0.9, 0.5, 0.8][s]!;
    const lr = (s: number) => [0.1, 0.2, 0.05][s]!;
    const before = memory().numTensors;
    const got = run(() => adamWithMomentumSchedule(lr, { b1, b2: 0.99, eps: 1e-8 }));
    expect(memory().numTensors).toBe(before);
    const want = [1, -1].map((p0, i) => {
      let [p, m, v] = [p0, 0, 0];
      grads.forEach((g, s) => {
        const x = g[i]!;
        m = b1(s) * m + (1 - b1(s)) * x;
        v = 0.99 * v + 0.01 * x * x;
        p -= (lr(s) * (m / (1 - b1(s) ** (s + 1)))) / (Math.sqrt(v / (1 - 0.99 ** (s + 1))) + 1e-8);
      });
      return p;
    });
    got.forEach((x, i) => {
      expect(x).toBeCloseTo(want[i]!, 5);
    });
    const cycle = oneCycle(0.01, 10);
    expect(run(() => adamWithMomentumSchedule(cycle.lr, { b1: cycle.momentum })).every(Number.isFinite)).toBe(
      true,
    );
    expect(() => run(() => adamWithMomentumSchedule(0.1, { b1: () => 1 }))).toThrow(/beta1/);
  });
});
