// encodeCompressed on its own: the preamble layout, the encoding 'auto' picks, the option refusals
// (decoding back is format.test.ts's concern; here the header is read straight from the bytes).
import { initBackend } from '@lab/core';
import { dispose, memory, tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { encodeCompressed, MAGIC, PREAMBLE_BYTES, VERSION } from './encode.js';
import type { FileHeader } from './header.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function headerOf(bytes: Uint8Array): FileHeader {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + length)));
}

const values = (shape: number[], f: (i: number) => number) => ({
  shape,
  values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
});

describe('encodeCompressed', () => {
  it('writes the preamble: magic, version, reserved 0, header length and its CRC-32', () => {
    const { bytes } = encodeCompressed({ b: values([2], (i) => i + 1) }, { metadata: { k: 'v' } });
    const view = new DataView(bytes.buffer);
    expect(Array.from(bytes.subarray(0, 4))).toEqual(Array.from(MAGIC));
    expect([view.getUint16(4, true), view.getUint16(6, true)]).toEqual([VERSION, 0]);
    const length = view.getUint32(8, true);
    const json = bytes.subarray(16, 16 + length);
    expect(view.getUint32(12, true)).toBe(crc32(json));
    const header = headerOf(bytes);
    expect(header.metadata).toEqual({ k: 'v' });
    expect(header.dataLength).toBe(8);
    expect(bytes.length).toBe(16 + length + 8);
    // the raw values, little-endian float32, right after the header
    expect(Array.from(new Float32Array(bytes.slice(16 + length).buffer))).toEqual([1, 2]);
  });

  it("'auto' keeps biases and dense matrices raw, writes sparse many-valued ones sparse and few-valued ones shared", () => {
    const tensors = {
      bias: values([4], () => 0), // rank 1: raw even when all zero
      dense: values([4, 4], (i) => i + 1), // nothing to drop: 64 raw bytes beat 80 sparse ones
      sparse: values([20, 20], (i) => (i % 10 === 0 ? i + 0.5 : 0)), // 40 distinct values
      shared: values([20, 20], (i) => (i % 10 === 0 ? (i % 3) - 1 || 2 : 0)), // 3 distinct values
    };
    const { bytes } = encodeCompressed(tensors);
    const enc = Object.fromEntries(headerOf(bytes).tensors.map((t) => [t.name, t.encoding]));
    expect(enc).toEqual({ bias: 'raw', dense: 'raw', sparse: 'sparse', shared: 'shared' });
    const shared = headerOf(bytes).tensors[3]!;
    // three codebook values need two bits (codes 1..3, 0 is the zero)
    expect([shared.entries, shared.fillers, shared.codebookSize, shared.weightBits]).toEqual([40, 0, 3, 2]);
  });

  it('takes indexBits as a number or per tensor, defaulting to 8 for rank-4 kernels and 5 otherwise', () => {
    const t = {
      conv: values([2, 2, 2, 2], (i) => (i === 15 ? 1 : 0)),
      fc: values([4, 8], (i) => (i === 31 ? 1 : 0)),
    };
    const enc = { conv: 'sparse', fc: 'sparse' } as const;
    const bits = (o: object) =>
      headerOf(encodeCompressed(t, { encoding: enc, ...o }).bytes).tensors.map((x) => x.indexBits);
    expect(bits({})).toEqual([8, 5]);
    expect(bits({ indexBits: 2 })).toEqual([2, 2]);
    expect(bits({ indexBits: { fc: 3 } })).toEqual([8, 3]);
    // position 31 at 2 bits: gaps of 3 (= 2^2 - 1) bridged by fillers every 4 positions
    const fc = headerOf(encodeCompressed(t, { encoding: enc, indexBits: 2 }).bytes).tensors[1]!;
    expect([fc.entries, fc.fillers]).toEqual([8, 7]);
  });

  it('stores -0 as a value (its bits are not +0) and the requested weightBits', () => {
    const t = { w: values([2, 4], (i) => (i === 1 ? -0 : i === 6 ? 0.5 : 0)) };
    const { bytes } = encodeCompressed(t, { encoding: { w: 'shared' }, weightBits: { w: 4 } });
    const w = headerOf(bytes).tensors[0]!;
    expect([w.entries, w.codebookSize, w.weightBits]).toEqual([2, 2, 4]);
    // the codebook is sorted by value: -0 then 0.5
    const cb = w.sections.codebook!;
    const start = bytes.length - headerOf(bytes).dataLength;
    const book = new DataView(bytes.buffer, start + cb.offset, cb.length);
    expect([book.getUint32(0, true), book.getFloat32(4, true)]).toEqual([0x80000000, 0.5]);
  });

  it('refuses unknown encodings, weightBits out of range and non-float32 tensors, naming the tensor', () => {
    const w = { w: values([2, 2], (i) => i) };
    expect(() => encodeCompressed(w, { encoding: { w: 'zip' as never } })).toThrow(
      /unknown encoding 'zip' for 'w'/,
    );
    expect(() => encodeCompressed(w, { encoding: { w: 'shared' }, weightBits: { w: 1 } })).toThrow(
      /weightBits for 'w' must be an integer in 2\.\.8, got 1/,
    );
    expect(() => encodeCompressed(w, { encoding: { w: 'shared' }, weightBits: { w: 9 } })).toThrow(
      /2\.\.8, got 9/,
    );
    const ints = tensor([1, 2], [2], 'int32');
    expect(() => encodeCompressed({ ints })).toThrow(/tensor 'ints' is int32, not float32/);
    ints.dispose();
  });

  it('reads tfjs tensors without keeping any', () => {
    const t = tensor([0, 0, 3, 0, 0, 0], [2, 3]);
    const before = memory().numTensors;
    const a = encodeCompressed({ t });
    const b = encodeCompressed({ t: { shape: [2, 3], values: Float32Array.from([0, 0, 3, 0, 0, 0]) } });
    expect(memory().numTensors).toBe(before);
    expect(a.bytes).toEqual(b.bytes);
    dispose(t);
  });
});
