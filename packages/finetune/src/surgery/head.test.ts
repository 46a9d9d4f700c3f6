import { Dense, initBackend, ReLU, Rng, Sequential, zeros } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SurgeryError } from './errors.js';
import { overlapByLabel, replaceHead } from './head.js';

// surgery.test.ts covers the usual replacement; here the copy of shared classes checked value by
// value, a head without bias, a nested head found by default, the refusals (and that a refused
// replacement frees the head it built), and overlapByLabel's edge cases.

const build = (bias = true) =>
  new Sequential([
    new Dense(3, 4, { name: 'body', rng: new Rng(1) }),
    ReLU(),
    new Sequential([new Dense(4, 3, { name: 'cls', rng: new Rng(2), bias })], 'top'),
  ]);

describe('replaceHead', () => {
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

  it('finds the last Dense, even nested, and copies kernel columns and biases of shared classes', () => {
    const model = build();
    const {
      model: next,
      head,
      oldHead,
    } = replaceHead(model, 5, {
      keepClasses: [
        [2, 0],
        [0, 4],
      ],
      biasInit: zeros,
    });
    expect(oldHead.name).toBe('cls');
    expect(head.name).toBe('cls');
    expect((next.layers[2] as Sequential).layers[0] as Dense).toBe(head);
    const w = oldHead.weight.arraySync() as number[][];
    const nw = head.weight.arraySync() as number[][];
    for (let r = 0; r < 4; r++) {
      expect(nw[r]![0]).toBe(w[r]![2]);
      expect(nw[r]![4]).toBe(w[r]![0]);
    }
    const b = Array.from(oldHead.bias!.dataSync());
    expect(Array.from(head.bias!.dataSync())).toEqual([b[2], 0, 0, 0, b[0]]);
    expect(Object.keys(next.parameters())).toEqual(Object.keys(model.parameters()));
    next.dispose();
    oldHead.dispose();
  });

  it('a head without bias stays without bias', () => {
    const model = build(false);
    const { model: next, head, oldHead } = replaceHead(model, 2, { keepClasses: [[1, 1]] });
    expect(head.bias).toBeUndefined();
    expect((head.weight.arraySync() as number[][]).map((r) => r[1])).toEqual(
      (oldHead.weight.arraySync() as number[][]).map((r) => r[1]),
    );
    next.dispose();
    oldHead.dispose();
  });

  it('refuses bad class counts, non-Dense targets and bad pairs, naming the option; frees the new head', () => {
    const model = build();
    const refuse = (fn: () => unknown, message: string) => {
      expect(fn).toThrow(SurgeryError);
      expect(fn).toThrow(message);
    };
    refuse(() => replaceHead(model, 0), 'classes: must be a positive integer, got 0');
    refuse(() => replaceHead(model, 2.5), 'classes: must be a positive integer, got 2.5');
    refuse(() => replaceHead(model, 2, { at: '1' }), "at: '1' is a relu, not a Dense head");
    const before = memory().numTensors;
    refuse(
      () => replaceHead(model, 2, { keepClasses: [[3, 0]] }),
      'keepClasses[0]: old class 3 is not in [0, 3)',
    );
    refuse(
      () =>
        replaceHead(model, 2, {
          keepClasses: [
            [0, 0],
            [1, 2],
          ],
        }),
      'keepClasses[1]: new class 2 is not in [0, 2)',
    );
    refuse(
      () =>
        replaceHead(model, 2, {
          keepClasses: [
            [0, 1],
            [2, 1],
          ],
        }),
      'keepClasses[1]: new class 1 is given twice',
    );
    refuse(
      () => replaceHead(model, 2, { keepClasses: ['x' as unknown as [number, number]] }),
      'keepClasses[0]: old class NaN is not in [0, 3)',
    );
    expect(memory().numTensors).toBe(before);
    model.dispose();
    refuse(() => replaceHead(new Sequential([ReLU()]), 2), 'at: the model has no Dense layer to replace');
  });
});

describe('overlapByLabel', () => {
  it('pairs shared labels in the new order, none when nothing is shared', () => {
    expect(overlapByLabel(['cat', 'dog', 'emu'], ['emu', 'fox', 'cat'])).toEqual([
      [2, 0],
      [0, 2],
    ]);
    expect(overlapByLabel(['a'], ['b'])).toEqual([]);
    expect(overlapByLabel([], [])).toEqual([]);
    // a label repeated in the old list pairs with its last index
    expect(overlapByLabel(['a', 'a'], ['a'])).toEqual([[1, 0]]);
  });
});
