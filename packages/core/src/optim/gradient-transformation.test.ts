import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import {
  applyUpdates,
  assertSameTree,
  chain,
  type GradientTransformation,
  isTensor,
  mapParams,
  namedList,
  resolve,
  stateTensors,
} from './gradient-transformation.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Adds `k` to every update; its state counts calls and records what it saw. */
function addConst(k: number, seen: string[]): GradientTransformation<number> {
  return {
    init: () => 0,
    update(u, state, params) {
      seen.push(`${k}:${state}:${params ? 'p' : '-'}`);
      return [mapParams(u, (x) => tf.add(x, k)), state + 1];
    },
  };
}

describe('gradient transformation helpers', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('chain applies transforms in order, passing params along, one state each', () => {
    tf.setBackend('cpu');
    const seen: string[] = [];
    const t = chain(addConst(1, seen), {
      init: () => 'scale',
      update: (u, s) => [mapParams(u, (x) => tf.mul(x, 10)), s],
    });
    const params = { w: tf.tensor1d([0, 0]) };
    const s0 = t.init(params);
    expect(s0).toEqual([0, 'scale']);
    const [u, s1] = t.update({ w: tf.tensor1d([1, 2]) }, s0, params);
    expect(values(u.w!)).toEqual([20, 30]); // (g + 1) * 10, not g * 10 + 1
    expect(s1).toEqual([1, 'scale']);
    t.update(u, s1);
    expect(seen).toEqual(['1:0:p', '1:1:-']);
    expect(chain().update({ w: params.w }, [], params)[0].w).toBe(params.w);
  });

  it('resolve: a constant or the schedule at the step', () => {
    expect(resolve(0.5, 9)).toBe(0.5);
    expect(resolve((s) => 1 / (s + 1), 3)).toBe(0.25);
  });

  it('mapParams passes names; namedList keys a list and keeps null', () => {
    tf.setBackend('cpu');
    const a = tf.scalar(1);
    const b = tf.scalar(2);
    expect(mapParams({ a, b }, (x, k) => (k === 'a' ? x : a))).toEqual({ a, b: a });
    expect(namedList(['x', 'y'], [b, a])).toEqual({ x: b, y: a });
    expect(namedList(['x'], null)).toBeNull();
    tf.dispose([a, b]);
  });

  it('assertSameTree names an update without a parameter and a shape mismatch', () => {
    tf.setBackend('cpu');
    tf.tidy(() => {
      const p = { w: tf.zeros([2, 3]) };
      expect(() => assertSameTree({ w: tf.zeros([2, 3]) }, p, 'here')).not.toThrow();
      expect(() => assertSameTree({ v: tf.zeros([2, 3]) }, p, 'here')).toThrow(
        "here: update for 'v' has no parameter",
      );
      expect(() => assertSameTree({ w: tf.zeros([3, 2]) }, p, 'here')).toThrow(
        "here: 'w' update shape [3,2] differs from parameter shape [2,3]",
      );
    });
  });

  it.each(['cpu', 'wasm'])(
    'applyUpdates adds updates in place (%s), leak-free, and names an unknown variable',
    (b) => {
      tf.setBackend(b);
      const vars = { a: tf.variable(tf.tensor1d([1, 2])), b: tf.variable(tf.tensor2d([[3]])) };
      const updates = { a: tf.tensor1d([0.5, -2]), b: tf.tensor2d([[-3]]) };
      const before = tf.memory().numTensors;
      applyUpdates(vars, updates);
      expect(tf.memory().numTensors).toBe(before);
      expect(values(vars.a)).toEqual([1.5, 0]);
      expect(values(vars.b)).toEqual([0]);
      expect(() => applyUpdates(vars, { c: updates.a })).toThrow("applyUpdates: no variable named 'c'");
      // nothing was applied before the refusal
      expect(() => applyUpdates(vars, { a: updates.a, c: updates.a })).toThrow(/'c'/);
      expect(values(vars.a)).toEqual([1.5, 0]);
      tf.dispose([vars.a, vars.b, updates.a, updates.b]);
    },
  );

  it('stateTensors finds tensors at any depth of arrays and objects; isTensor is structural', () => {
    tf.setBackend('cpu');
    const t1 = tf.scalar(1);
    const t2 = tf.scalar(2);
    const t3 = tf.scalar(3);
    const state = [{ count: 3, mu: { w: t1 }, trace: null }, [t2, 'x', [t3]], undefined];
    expect(stateTensors(state)).toEqual([t1, t2, t3]);
    expect(stateTensors(null)).toEqual([]);
    expect(isTensor(t1)).toBe(true);
    for (const x of [null, 1, {}, { dataId: {}, shape: [] }, [t1]]) expect(isTensor(x)).toBe(false);
    tf.dispose([t1, t2, t3]);
  });
});
