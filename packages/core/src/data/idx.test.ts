import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { findSharedData } from '../testing/index.js';
import { IdxError, imageDatasetFromIdx, parseIdx } from './idx.js';

function idx(type: number, shape: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length);
  out[2] = type;
  out[3] = shape.length;
  const v = new DataView(out.buffer);
  for (const [i, d] of shape.entries()) v.setUint32(4 + 4 * i, d, false);
  out.set(body, 4 + 4 * shape.length);
  return out;
}

describe('IDX reader', () => {
  it('reads the real Fashion-MNIST test split from gzip', () => {
    const dir = join(findSharedData(), 'fashion-mnist');
    const ds = imageDatasetFromIdx(
      readFileSync(join(dir, 't10k-images-idx3-ubyte.gz')),
      readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz')),
    );
    expect([ds.count, ds.rows, ds.cols]).toEqual([10000, 28, 28]);
    const perClass = new Array(10).fill(0);
    for (const l of ds.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(1000));
  });
  it('reads raw and gzip bytes alike, and big-endian ints', () => {
    const raw = idx(0x0c, [2], [0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]);
    expect(Array.from(parseIdx(raw).data)).toEqual([256, -2]);
    expect(Array.from(parseIdx(gzipSync(raw)).data)).toEqual([256, -2]);
  });
  it('rejects truncated, corrupt and mislabelled files clearly', () => {
    const good = idx(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'x')).toThrow(/x: .*truncated/);
    expect(() => parseIdx(gzipSync(good).subarray(0, 12), 'y')).toThrow(IdxError);
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1]))).toThrow(/magic/);
    expect(() => imageDatasetFromIdx(good, idx(0x08, [3], [0, 1, 2]))).toThrow(/2 examples but labels has 3/);
    expect(() => imageDatasetFromIdx(good, idx(0x08, [2], [0, 10]))).toThrow(
      /labels: label 1 is 10, not a class/,
    );
  });
});
