import type * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { initBackend } from '../runtime/init.js';
import { fans, glorotUniform, heNormal, normal, ones, torchDefault, uniform, zeros } from './init.js';

describe('fans', () => {
  it('as PyTorch: dense [in, out], conv [kh, kw, in, out] times the receptive field, vectors', () => {
    expect(fans([5, 3])).toEqual([5, 3]);
    expect(fans([3, 2, 4, 6])).toEqual([24, 36]);
    expect(fans([2, 3, 4, 5, 6])).toEqual([120, 144]);
    expect(fans([7])).toEqual([7, 7]);
    expect(fans([])).toEqual([1, 1]);
  });
});

describe('initialisers', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  const values = (t: tf.Tensor) => {
    const v = Array.from(t.dataSync());
    t.dispose();
    return v;
  };

  it('zeros and ones fill float32 tensors of the shape', () => {
    const z = zeros([2, 3], new Rng(0));
    expect([z.shape, z.dtype]).toEqual([[2, 3], 'float32']);
    expect(values(z)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(ones([4], new Rng(0)))).toEqual([1, 1, 1, 1]);
  });

  it('uniform(a) is the rng stream mapped to (2u - 1) a, reproducible from the seed', () => {
    const rng = new Rng(7);
    const expected = Array.from({ length: 6 }, () => Math.fround((2 * rng.next() - 1) * 0.5));
    expect(values(uniform(0.5)([3, 2], new Rng(7)))).toEqual(expected);
    expect(values(uniform(0.5)([3, 2], new Rng(8)))).not.toEqual(expected);
  });

  it('normal(sigma) is sigma times the rng normals', () => {
    const rng = new Rng(3);
    const expected = Array.from({ length: 5 }, () => Math.fround(0.1 * rng.normal()));
    expect(values(normal(0.1)([5], new Rng(3)))).toEqual(expected);
  });

  it('glorotUniform, heNormal and torchDefault use the fans of the shape', () => {
    const shape = [3, 3, 4, 8]; // fan_in 36, fan_out 72
    const rng = () => new Rng(11);
    expect(values(glorotUniform(shape, rng()))).toEqual(values(uniform(Math.sqrt(6 / 108))(shape, rng())));
    expect(values(heNormal(shape, rng()))).toEqual(values(normal(Math.sqrt(2 / 36))(shape, rng())));
    const t = values(torchDefault(shape, rng()));
    expect(t).toEqual(values(uniform(1 / 6)(shape, rng())));
    expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(1 / 6);
  });
});
