// Hostile input for the IDX reader: every truncation of a valid raw and gzip file, random bytes, huge
// declared sizes (in the header and in a gzip trailer), corrupt streams and wrong element types. Each
// must end in an IdxError: never a hang, another error type, a huge allocation or silent success.
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { IdxError, imageDatasetFromIdx, MAX_IDX_BYTES, parseIdx } from './idx.js';

function idx(type: number, shape: number[], body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length);
  out[2] = type;
  out[3] = shape.length;
  const v = new DataView(out.buffer);
  for (const [i, d] of shape.entries()) v.setUint32(4 + 4 * i, d, false);
  out.set(body, 4 + 4 * shape.length);
  return out;
}

/** 'ok' or the message of an IdxError; any other kind of error fails the test. */
function outcome(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    if (e instanceof IdxError) return e.message;
    throw new Error(`not an IdxError: ${String(e)}`);
  }
  return 'ok';
}

const images = idx(
  0x08,
  [2, 3, 3],
  Array.from({ length: 18 }, (_, i) => i * 14),
);
const labels = idx(0x08, [2], [3, 9]);

describe('IDX reader, hostile input', () => {
  it('refuses every truncation of a valid raw or gzip file', () => {
    expect(outcome(() => imageDatasetFromIdx(images, labels))).toBe('ok');
    const gz = gzipSync(images);
    expect(outcome(() => parseIdx(gz))).toBe('ok');
    for (let n = 0; n < images.length; n++)
      expect(outcome(() => parseIdx(images.subarray(0, n)))).not.toBe('ok');
    for (let n = 0; n < gz.length; n++) expect(outcome(() => parseIdx(gz.subarray(0, n)))).not.toBe('ok');
    for (let n = 0; n < labels.length; n++)
      expect(outcome(() => imageDatasetFromIdx(images, labels.subarray(0, n)))).not.toBe('ok');
  });

  it('refuses a gzip stream with any byte of its body or trailer changed (CRC-32 and size)', () => {
    const gz = gzipSync(images);
    for (let at = 10; at < gz.length; at++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = gz.slice();
        bad[at]! ^= flip;
        // unused padding bits after the last block may change without changing the content
        if (outcome(() => parseIdx(bad)) === 'ok') {
          expect(at).toBeLessThan(gz.length - 8);
          expect(parseIdx(bad).data).toEqual(parseIdx(images).data);
        }
      }
    }
  });

  it('gives only typed errors on random bytes, raw or gzip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        outcome(() => parseIdx(bytes));
        outcome(() => parseIdx(gzipSync(bytes)));
        outcome(() => imageDatasetFromIdx(bytes, labels));
      }),
      { numRuns: 500 },
    );
    // random headers over a small body: a typed error unless the header describes exactly that body
    fc.assert(
      fc.property(
        fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x00, 0x0a, 0xff),
        fc.array(fc.oneof(fc.nat(4), fc.constant(0xffffffff), fc.constant(2 ** 31)), { maxLength: 5 }),
        fc.nat(40),
        (type, shape, length) => {
          const result = outcome(() => parseIdx(idx(type, shape, new Uint8Array(length))));
          const size = new Map([
            [8, 1],
            [9, 1],
            [11, 2],
            [12, 4],
            [13, 4],
            [14, 8],
          ]).get(type);
          const fits = size !== undefined && shape.reduce((a, b) => a * b, 1) * size === length;
          expect(result === 'ok').toBe(fits);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses huge declared sizes before allocating', () => {
    expect(outcome(() => parseIdx(idx(0x08, [0xffffffff, 0xffffffff, 0xffffffff], [])))).toMatch(
      /header says/,
    );
    expect(outcome(() => parseIdx(idx(0x0e, Array(255).fill(0xffffffff), [])))).toMatch(/header says/);
    // a 1 KB gzip stream that claims 4 GB in its trailer
    const gz = gzipSync(images);
    const liar = gz.slice();
    new DataView(liar.buffer).setUint32(liar.length - 4, 0xffffffff, true);
    expect(outcome(() => parseIdx(liar))).toMatch(/over the limit/);
    new DataView(liar.buffer).setUint32(liar.length - 4, MAX_IDX_BYTES, true);
    expect(outcome(() => parseIdx(liar))).toMatch(/CRC-32 or size/);
    // and one that claims less than it holds
    new DataView(liar.buffer).setUint32(liar.length - 4, 10, true);
    expect(outcome(() => parseIdx(liar))).toMatch(/CRC-32 or size/);
  });

  it('refuses files that parse but are not an image set: wrong types, ranks, counts and labels', () => {
    const floats = idx(0x0d, [2, 3, 3], new Uint8Array(72));
    expect(outcome(() => imageDatasetFromIdx(floats, labels))).toMatch(/unsigned bytes of rank 3/);
    expect(outcome(() => imageDatasetFromIdx(idx(0x08, [18], new Uint8Array(18)), labels))).toMatch(/rank 3/);
    expect(outcome(() => imageDatasetFromIdx(images, idx(0x0c, [2], new Uint8Array(8))))).toMatch(/labels/);
    expect(outcome(() => imageDatasetFromIdx(idx(0x08, [0, 3, 3], []), idx(0x08, [0], [])))).toMatch(
      /holds no image/,
    );
    expect(outcome(() => imageDatasetFromIdx(images, idx(0x08, [2], [3, 255])))).toMatch(
      /labels: label 1 is 255, not a class/,
    );
    expect(outcome(() => imageDatasetFromIdx(images, idx(0x08, [1], [3])))).toMatch(/2 examples/);
  });
});
