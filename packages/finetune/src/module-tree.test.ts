import { BatchNorm, Dense, initBackend, Module, ReLU, Rng, Sequential } from '@lab/core';
import { type Tensor, zeros } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childModules,
  namedModules,
  ownStateNames,
  parameterisedModules,
  stateOwners,
} from './module-tree.js';

/** A non-Sequential module with its own parameter and two children. */
class Block extends Module {
  readonly inner: Dense;
  constructor(name: string) {
    super(name);
    this.addParameter('scale', zeros([2]));
    this.inner = this.addModule('inner', new Dense(2, 2, { name: `${name}.dense`, rng: new Rng(1) }));
    this.addModule('act', ReLU());
  }
  forward(x: Tensor): Tensor {
    return this.inner.forward(x);
  }
}

const tree = () =>
  new Sequential([
    new Sequential([new Dense(2, 2, { name: 'a' }), new BatchNorm(2)], 'stem'),
    ReLU(),
    new Block('b'),
  ]);

describe('module tree', () => {
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));
  const built: Module[] = [];
  afterAll(() => {
    for (const m of built) m.dispose();
  });
  const make = () => {
    const m = tree();
    built.push(m);
    return m;
  };

  it('childModules: Sequential layers by index, other modules by member name', () => {
    const m = make();
    expect(childModules(m).map(([k, c]) => [k, c.name])).toEqual([
      ['0', 'stem'],
      ['1', 'relu'],
      ['2', 'b'],
    ]);
    expect(childModules(m.layers[2]!).map(([k]) => k)).toEqual(['inner', 'act']);
    expect(childModules(m.layers[1]!)).toEqual([]);
  });

  it('childModules refuses an object without a children map, naming it', () => {
    const fake = { name: 'alien', stateDict: () => ({}) } as unknown as Module;
    expect(() => childModules(fake)).toThrow(
      'alien: cannot list the children of this module (no children map)',
    );
  });

  it('namedModules: dotted paths, parents before children, root as the empty path', () => {
    expect(namedModules(make()).map(([p]) => p)).toEqual([
      '',
      '0',
      '0.0',
      '0.1',
      '1',
      '2',
      '2.inner',
      '2.act',
    ]);
  });

  it('ownStateNames leaves out children; stateOwners maps every state key to its module', () => {
    const m = make();
    const block = m.layers[2]!;
    expect(ownStateNames(block)).toEqual(['scale']);
    expect(ownStateNames(m)).toEqual([]);
    const owners = stateOwners(m);
    expect([...owners.keys()].sort()).toEqual(Object.keys(m.stateDict()).sort());
    expect(owners.get('0.1.runningMean')).toMatchObject({ path: '0.1', local: 'runningMean' });
    expect(owners.get('2.scale')!.module).toBe(block);
    expect(owners.get('2.inner.bias')).toMatchObject({ path: '2.inner', local: 'bias' });
  });

  it('parameterisedModules: modules owning parameters, in forward order', () => {
    expect(parameterisedModules(make()).map(([p]) => p)).toEqual(['0.0', '0.1', '2', '2.inner']);
  });
});
