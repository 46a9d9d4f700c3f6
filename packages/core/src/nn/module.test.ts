import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { isModule, Module, ShapeError } from './module.js';

/** A module with a parameter, a buffer and optional children, all filled with `fill`. */
class Box extends Module {
  readonly w: tf.Variable;
  constructor(name: string, children: Record<string, Module> = {}, fill = 1) {
    super(name);
    this.w = this.addParameter('weight', tf.fill([2, 3], fill));
    this.addBuffer('count', tf.tensor1d([0], 'int32'));
    for (const [k, m] of Object.entries(children)) this.addModule(k, m);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x, this.w);
  }
  /** Exposes the protected adders for the refusal tests. */
  add(kind: 'param' | 'module', name: string): void {
    if (kind === 'param') this.addParameter(name, tf.zeros([1]));
    else this.addModule(name, new Box('inner'));
  }
}

describe('Module', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('isModule: true for modules and objects with the brand, false otherwise', () => {
    const m = new Box('m');
    expect(isModule(m)).toBe(true);
    expect(isModule({ [Symbol.for('@lab/core.module')]: true })).toBe(true); // another copy of @lab/core
    for (const x of [null, undefined, 3, {}, { forward() {} }]) expect(isModule(x)).toBe(false);
    m.dispose();
  });

  it('names state by dotted path, parameters before buffers; counts elements and bytes', () => {
    const net = new Box('net', { a: new Box('a'), b: new Box('b', { c: new Box('c') }) });
    expect(Object.keys(net.parameters())).toEqual(['weight', 'a.weight', 'b.weight', 'b.c.weight']);
    expect(Object.keys(net.buffers())).toEqual(['count', 'a.count', 'b.count', 'b.c.count']);
    expect(Object.keys(net.stateDict())).toHaveLength(8);
    expect(net.paramCount()).toBe(24);
    expect(net.byteCount()).toBe(24 * 4 + 4 * 4);
    net.dispose();
  });

  it('refuses a second member of one name, naming the module and the member', () => {
    const m = new Box('head', { sub: new Box('x') });
    expect(() => m.add('param', 'weight')).toThrow("head: duplicate member 'weight'");
    expect(() => m.add('param', 'sub')).toThrow("head: duplicate member 'sub'");
    expect(() => m.add('module', 'weight')).toThrow("head: duplicate member 'weight'");
    expect(() => m.add('module', 'sub')).toThrow("head: duplicate member 'sub'");
    m.dispose();
  });

  it('two modules of one name get distinct tfjs variables', () => {
    const a = new Box('same');
    const b = new Box('same');
    expect(a.w.name).not.toBe(b.w.name);
    a.dispose();
    b.dispose();
  });

  it('freeze and unfreeze: a glob is a prefix of whole dotted segments, a regex as given', () => {
    const net = new Box('net', { a: new Box('a', { w2: new Box('w2') }), ab: new Box('ab') });
    expect(net.freeze('a')).toEqual(['a.weight', 'a.w2.weight']); // not 'ab.weight'
    expect(Object.keys(net.trainableParameters())).toEqual(['weight', 'ab.weight']);
    expect(net.paramCount({ trainableOnly: true })).toBe(12);
    expect(net.unfreeze('a.w2')).toEqual(['a.w2.weight']);
    // '.' in a glob is a literal dot, '*' any run of characters
    expect(net.unfreeze('a.w*')).toEqual(['a.weight', 'a.w2.weight']);
    expect(net.freeze('a?w2')).toEqual([]);
    expect(net.freeze('*b')).toEqual(['ab.weight']);
    expect(net.unfreeze(/^a/)).toEqual(['a.weight', 'a.w2.weight', 'ab.weight']);
    expect(net.freeze()).toHaveLength(4);
    expect(net.trainableParameters()).toEqual({});
    net.dispose();
  });

  it('loadStateDict copies values, casts dtypes, and in strict mode lists missing and unexpected keys', () => {
    const m = new Box('m', { c: new Box('c') });
    expect(() => m.loadStateDict({ weight: tf.zeros([2, 3]), extra: tf.zeros([1]) })).toThrow(
      'm.loadStateDict: missing [c.weight, count, c.count], unexpected [extra]',
    );
    m.loadStateDict({ weight: tf.fill([2, 3], 5), count: tf.tensor1d([2.7]) }, { strict: false });
    expect(Array.from(m.w.dataSync())).toEqual([5, 5, 5, 5, 5, 5]);
    const count = m.buffers().count!;
    expect(count.dtype).toBe('int32');
    expect(Array.from(count.dataSync())).toEqual([2]);
    // untouched without a key in non-strict mode
    expect(Array.from(m.parameters()['c.weight']!.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => m.loadStateDict({ weight: tf.zeros([3, 2]) }, { strict: false })).toThrow(ShapeError);
    expect(() => m.loadStateDict({ weight: tf.zeros([3, 2]) }, { strict: false })).toThrow(
      "m: state 'weight' expected [2, 3], got [3, 2]",
    );
    m.dispose();
  });

  it('train and eval set the mode of every child; dispose frees every variable', () => {
    const child = new Box('c');
    const net = new Box('net', { c: child });
    expect(net.eval()).toBe(net);
    expect([net.training, child.training]).toEqual([false, false]);
    net.train();
    expect(child.training).toBe(true);
    const before = tf.memory().numTensors;
    net.dispose();
    expect(tf.memory().numTensors).toBe(before - 4);
    expect(child.w.isDisposed).toBe(true);
  });
});
