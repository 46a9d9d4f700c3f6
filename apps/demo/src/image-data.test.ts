// The shipped image sets are checked before any tensor is made from them.
import { describe, expect, it } from 'vitest';
import { checkImages } from './image-data.js';

describe('checkImages', () => {
  it('accepts count x 784 bytes and count labels 0-9', () => {
    const set = checkImages(new Uint8Array(2 * 784), Uint8Array.from([3, 9]), 2, 'two');
    expect(set.count).toBe(2);
  });

  it('names the set and what is wrong', () => {
    expect(() => checkImages(new Uint8Array(784), Uint8Array.from([1, 2]), 2, 'short')).toThrow(
      'short: 784 image bytes, expected 2 x 784 = 1568',
    );
    expect(() => checkImages(new Uint8Array(1568), Uint8Array.from([1]), 2, 'labels')).toThrow(
      'labels: 1 labels, expected 2',
    );
    expect(() => checkImages(new Uint8Array(1568), Uint8Array.from([1, 10]), 2, 'class')).toThrow(
      'class: label 1 is 10, not a class 0-9',
    );
  });
});
