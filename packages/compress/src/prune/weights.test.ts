import { BatchNorm, Dense, Embedding, initBackend, Sequential } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { prunableWeights } from './weights.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const model = () =>
  new Sequential([new Dense(3, 4, { name: 'a' }), new BatchNorm(4), new Embedding(5, 2), new Dense(4, 2)]);

describe('prunableWeights', () => {
  it('by default keeps the weights of rank >= 2 only: no biases, no BatchNorm scale', () => {
    const m = model();
    const w = prunableWeights(m);
    expect(Object.keys(w)).toEqual(['0.weight', '2.weight', '3.weight']);
    // the same variables, not copies
    expect(w['0.weight']).toBe(m.parameters()['0.weight']);
    m.dispose();
  });

  it('a RegExp filter is matched against the dotted name, whatever the rank', () => {
    const m = model();
    expect(Object.keys(prunableWeights(m, /^1\./))).toEqual(['1.weight', '1.bias']);
    expect(Object.keys(prunableWeights(m, /bias$/))).toEqual(['0.bias', '1.bias', '3.bias']);
    expect(prunableWeights(m, /nothing/)).toEqual({});
    m.dispose();
  });

  it('a predicate filter gets the name and the variable', () => {
    const m = model();
    const seen: string[] = [];
    const w = prunableWeights(m, (name, v) => {
      seen.push(name);
      return v.size === 8;
    });
    expect(seen).toEqual(Object.keys(m.parameters()));
    expect(Object.keys(w)).toEqual(['3.weight']);
    m.dispose();
  });
});
