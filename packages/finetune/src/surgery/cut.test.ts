import { Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLayers, cutAt } from './cut.js';
import { SurgeryError } from './errors.js';

// surgery.test.ts cuts a two-level convnet; here the branches: the first layer, the last layer,
// a cut before a nested layer (what is removed, in which order), and the refusals.

const layer = (name: string, seed: number) => new Dense(2, 2, { name, rng: new Rng(seed) });
const buildModel = () =>
  new Sequential([
    layer('a', 1),
    new Sequential([layer('b', 2), ReLU(), layer('c', 3)], 'inner'),
    layer('d', 4),
  ]);
const names = (ms: { name: string }[]) => ms.map((m) => m.name);

describe('cutAt', () => {
  let model: Sequential;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', fallback: false });
    model = buildModel();
  });
  afterAll(() => model.dispose());

  it('inclusive at the first or last layer keeps one or all layers', () => {
    const first = cutAt(model, '0');
    expect(names(first.body.layers)).toEqual(['a']);
    expect(names(first.removed)).toEqual(['inner', 'd']);
    const all = cutAt(model, 'd');
    expect(names(all.body.layers)).toEqual(['a', 'inner', 'd']);
    expect(all.removed).toEqual([]);
  });

  it('before a nested layer: inner layers removed first, then the outer ones; names and objects kept', () => {
    const { body, removed } = cutAt(model, 'c', { inclusive: false });
    expect(body.name).toBe(model.name);
    expect(names(body.layers)).toEqual(['a', 'inner']);
    const inner = body.layers[1] as Sequential;
    expect(inner).not.toBe(model.layers[1]);
    expect(names(inner.layers)).toEqual(['b', 'relu']);
    expect(inner.layers[0]).toBe((model.layers[1] as Sequential).layers[0]);
    expect(names(removed)).toEqual(['c', 'd']);
    expect(Object.keys(body.parameters())).toEqual(['0.weight', '0.bias', '1.0.weight', '1.0.bias']);
    // the original is untouched
    expect(names((model.layers[1] as Sequential).layers)).toEqual(['b', 'relu', 'c']);
  });

  it('refuses a cut before the first layer, and unknown places', () => {
    expect(() => cutAt(model, 'a', { inclusive: false })).toThrow(SurgeryError);
    expect(() => cutAt(model, 'a', { inclusive: false })).toThrow(
      "at: cutting before the first layer 'a' leaves nothing",
    );
    // before the first layer of a nested Sequential is fine: the nested one stays, empty
    expect(names((cutAt(model, '1.0', { inclusive: false }).body.layers[1] as Sequential).layers)).toEqual(
      [],
    );
    expect(() => cutAt(model, 'nope')).toThrow(/no layer 'nope'/);
  });

  it('appendLayers shares the layers in a new Sequential of the same name', () => {
    const extra = ReLU();
    const longer = appendLayers(model, [extra]);
    expect(longer).not.toBe(model);
    expect(longer.name).toBe(model.name);
    expect(longer.layers).toEqual([...model.layers, extra]);
    expect(model.layers).toHaveLength(3);
  });
});
