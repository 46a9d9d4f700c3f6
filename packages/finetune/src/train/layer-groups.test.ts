import { BatchNorm, Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupOfParameter, groupParameterNames, layerGroups } from './layer-groups.js';

const build = () =>
  new Sequential([
    new Sequential([new Dense(2, 3, { rng: new Rng(1) }), new BatchNorm(3)], 'stem'),
    ReLU(),
    new Dense(3, 2, { rng: new Rng(2) }),
  ]);

describe('layer groups', () => {
  let model: Sequential;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', fallback: false });
    model = build();
  });
  afterAll(() => model.dispose());

  it('default: one group per module that owns parameters, input side first', () => {
    expect(layerGroups(model)).toEqual([['0.0'], ['0.1'], ['2']]);
  });

  it('given groups are checked: known paths, no empty group, every parameter in one group', () => {
    expect(layerGroups(model, [['0'], ['2']])).toEqual([['0'], ['2']]);
    expect(() => layerGroups(model, [])).toThrow('layerGroups: need at least one group, and no empty group');
    expect(() => layerGroups(model, [['0'], []])).toThrow(RangeError);
    expect(() => layerGroups(model, [['0'], ['9']])).toThrow(
      "layerGroups: group 1 names '9', not a module of the model",
    );
    expect(() => layerGroups(model, [['0']])).toThrow("parameter '2.weight' is in no layer group");
    expect(() => layerGroups(model, [['0', '2'], ['2']])).toThrow(
      "layer groups 0 and 1 both hold '2.weight'",
    );
  });

  it('groupOfParameter: the deepest path decides; the root path holds everything; prefixes match whole segments', () => {
    const groupOf = groupOfParameter([[''], ['0'], ['0.1']]);
    expect(groupOf('2.bias')).toBe('0');
    expect(groupOf('0.0.weight')).toBe('1');
    expect(groupOf('0.1.weight')).toBe('2');
    // '1' is not a prefix of '10.weight'
    expect(groupOfParameter([['1'], ['10']])('10.weight')).toBe('1');
    expect(() => groupOfParameter([['1']])('10.weight')).toThrow(
      "parameter '10.weight' is in no layer group",
    );
  });

  it('groupParameterNames lists the parameters of one group', () => {
    const groups = [['0'], ['2']];
    expect(groupParameterNames(model, groups, 0)).toEqual([
      '0.0.weight',
      '0.0.bias',
      '0.1.weight',
      '0.1.bias',
    ]);
    expect(groupParameterNames(model, groups, 1)).toEqual(['2.weight', '2.bias']);
    expect(groupParameterNames(model, groups, 2)).toEqual([]);
  });
});
