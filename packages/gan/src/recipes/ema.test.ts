import { Dense, initBackend, Rng, Sequential } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcganGenerator } from '../nets.js';
import { copyModuleState, emaDecayAt, generatorEma } from './ema.js';

const values = (m: Sequential) => Object.values(m.stateDict()).map((v) => Array.from(v.dataSync()));

describe('generatorEma', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('averages weights as d * average + (1 - d) * weights and copies batch-norm statistics', () => {
    const G = dcganGenerator({ width: 1, latent: 2, rng: new Rng(1) });
    const A = dcganGenerator({ width: 1, latent: 2, rng: new Rng(2) });
    copyModuleState(G, A);
    expect(values(A)).toEqual(values(G));
    const start = Array.from(A.parameters()['0.weight']!.dataSync());
    const e = generatorEma(G, A, { decay: 0.75 });
    const w = G.parameters()['0.weight']!;
    w.assign(tf.add(w, 1));
    const bn = Object.entries(G.buffers())[0]!;
    bn[1].assign(tf.fill(bn[1].shape, 3));
    const before = tf.memory().numTensors;
    e.update(0);
    expect(tf.memory().numTensors).toBe(before);
    const got = A.parameters()['0.weight']!.dataSync();
    start.forEach((s, i) => {
      expect(got[i]).toBeCloseTo(0.75 * s + 0.25 * (s + 1), 6);
    });
    expect(Array.from(A.buffers()[bn[0]]!.dataSync()).every((v) => v === 3)).toBe(true);
  });
  it('ramps the decay up with warmup, and refuses a module of another architecture', () => {
    expect(emaDecayAt({ decay: 0.999, warmup: true }, 0)).toBeCloseTo(0.1, 12);
    expect(emaDecayAt({ decay: 0.999, warmup: true }, 90)).toBeCloseTo(91 / 100, 12);
    expect(emaDecayAt({ decay: 0.999, warmup: true }, 1e6)).toBe(0.999);
    expect(emaDecayAt({ decay: 0.999 }, 0)).toBe(0.999);
    const a = new Sequential([new Dense(2, 3)], 'a');
    const b = new Sequential([new Dense(2, 4)], 'b');
    expect(() => generatorEma(a, b, { decay: 0.9 })).toThrow(/same options/);
    expect(() => generatorEma(a, a, { decay: 1 })).toThrow(/decay/);
  });
});
