import { BatchNorm, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { holdInInference, isHeldInInference, releaseFromInference } from './batchnorm-mode.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

describe('holding a BatchNorm in inference mode', () => {
  it('a held BatchNorm in a training model normalises with its running statistics and keeps them', () => {
    const bn = new BatchNorm(2);
    bn.train();
    holdInInference(bn);
    bn.train();
    expect(bn.training).toBe(false);
    const x = tf.tensor2d([
      [1, 4],
      [3, 8],
    ]);
    const y = bn.forward(x);
    // fresh running mean 0 and variance 1: y = x / sqrt(1 + eps), not the batch-normalised +-1
    const s = 1 / Math.sqrt(1 + bn.eps);
    const got = Array.from(y.dataSync());
    [1 * s, 4 * s, 3 * s, 8 * s].forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 5);
    });
    expect(Array.from(bn.runningMean.dataSync())).toEqual([0, 0]);
    expect(Array.from(bn.runningVar.dataSync())).toEqual([1, 1]);
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('remembers the last mode asked for while held and gives it back on release', () => {
    const bn = new BatchNorm(1);
    bn.train();
    holdInInference(bn);
    expect(isHeldInInference(bn)).toBe(true);
    bn.eval();
    expect(bn.training).toBe(false);
    releaseFromInference(bn);
    expect(isHeldInInference(bn)).toBe(false);
    expect(bn.training).toBe(false);

    bn.eval();
    holdInInference(bn);
    bn.train();
    expect(bn.training).toBe(false);
    releaseFromInference(bn);
    expect(bn.training).toBe(true);
    // after release the flag is a plain writable property again
    bn.training = false;
    expect(bn.training).toBe(false);
    bn.dispose();
  });

  it('holding twice keeps the first remembered mode; releasing one not held changes nothing', () => {
    const bn = new BatchNorm(1);
    bn.train();
    holdInInference(bn);
    holdInInference(bn); // must not remember the held (false) reading as the requested mode
    releaseFromInference(bn);
    expect(bn.training).toBe(true);
    releaseFromInference(bn);
    expect([bn.training, isHeldInInference(bn)]).toEqual([true, false]);
    bn.dispose();
  });
});
