import { BatchNorm, Dense, Dropout, Flatten, initBackend, Sequential } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SurgeryError } from './errors.js';
import { outputShape } from './output-shape.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

describe('outputShape', () => {
  it('gives the output shape with a batch axis of 1 and leaves no tensor behind', () => {
    const model = new Sequential([Flatten(), new Dense(12, 5), new Dropout(0.5), new BatchNorm(5)]);
    const before = tf.memory().numTensors;
    expect(outputShape(model, [3, 4])).toEqual([1, 5]);
    expect(outputShape(new Sequential([]), [2, 3])).toEqual([1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('restores each training flag, also when forward throws, and switches none on', () => {
    const dense = new Dense(4, 2);
    const bn = new BatchNorm(2);
    const model = new Sequential([dense, bn]);
    model.train();
    bn.eval();
    expect(outputShape(model, [4])).toEqual([1, 2]);
    expect([model.training, dense.training, bn.training]).toEqual([true, true, false]);
    expect(() => outputShape(model, [3])).toThrow();
    expect([model.training, dense.training, bn.training]).toEqual([true, true, false]);
    model.dispose();
  });

  it('rejects an input shape that is not positive integers with a SurgeryError on inputShape', () => {
    const model = new Sequential([new Dense(2, 2)]);
    for (const bad of [[0], [2, -1], [1.5], [Number.NaN]]) {
      const thrown = (() => {
        try {
          outputShape(model, bad);
        } catch (e) {
          return e;
        }
      })();
      expect(thrown).toBeInstanceOf(SurgeryError);
      expect((thrown as SurgeryError).where).toBe('inputShape');
      expect((thrown as Error).message).toBe(
        `inputShape: must be positive integers, got [${bad.join(', ')}]`,
      );
    }
    model.dispose();
  });
});
