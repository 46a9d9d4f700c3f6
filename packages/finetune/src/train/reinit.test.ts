import { BatchNorm, Conv2d, Dense, initBackend, Lambda, ReLU, Rng, Sequential } from '@lab/core';
import { fill, memory, variable, zeros } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { reinitialize } from './reinit.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const net = (seed: number) =>
  new Sequential([
    new Conv2d(2, 4, 3, { rng: new Rng(seed) }),
    new BatchNorm(4),
    ReLU(),
    new Dense(4, 3, { rng: new Rng(seed + 1) }),
  ]);
const values = (m: Sequential) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.dataSync())]));

describe('reinitialize', () => {
  it('draws every weight afresh within PyTorch bounds, resets BatchNorm, and is fixed by its seed', () => {
    const a = net(1);
    const b = net(2);
    const bn = a.layers[1] as BatchNorm;
    bn.runningMean.assign(fill([4], 3));
    const before = values(a);
    const tensors = memory().numTensors;
    reinitialize(a, { seed: 5 });
    reinitialize(b, { seed: 5 });
    expect(memory().numTensors).toBe(tensors);
    const after = values(a);
    expect(after).toEqual(values(b));
    expect(after['0.weight']).not.toEqual(before['0.weight']);
    expect(after['3.weight']).not.toEqual(before['3.weight']);
    const convBound = 1 / Math.sqrt(2 * 9);
    expect(Math.max(...after['0.weight']!.map(Math.abs))).toBeLessThanOrEqual(convBound);
    expect(Math.max(...after['0.weight']!.map(Math.abs))).toBeGreaterThan(convBound / 2);
    expect(Math.max(...after['3.bias']!.map(Math.abs))).toBeLessThanOrEqual(1 / 2);
    expect(after['1.runningMean']).toEqual([0, 0, 0, 0]);
    expect(after['1.runningVar']).toEqual([1, 1, 1, 1]);
    expect(after['1.weight']).toEqual([1, 1, 1, 1]);
    reinitialize(a, { seed: 6 });
    expect(values(a)['0.weight']).not.toEqual(after['0.weight']);
    a.dispose();
    b.dispose();
  });

  it('refuses a module with parameters it cannot initialise, naming it, and changes nothing', () => {
    const custom = new Lambda('scale', (x) => x);
    (custom as unknown as { addParameter: (n: string, t: unknown) => unknown }).addParameter(
      'gain',
      variable(zeros([2])),
    );
    const m = new Sequential([new Dense(2, 2), custom]);
    const before = values(m);
    expect(() => reinitialize(m)).toThrow(/cannot initialise '1' \(Lambda\)/);
    expect(values(m)).toEqual(before);
    m.dispose();
  });
});
