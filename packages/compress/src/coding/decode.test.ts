// The decoder's own pieces: readHeader's preamble checks, entriesToDense, decodeEntries and
// decodedToTensors, and the bad-section refusals of hand-built files (format.test.ts covers the
// round trips, truncations and byte flips).
import { initBackend } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { packBits } from './bitpack.js';
import { crc32 } from './crc32.js';
import { decodedToTensors, decodeEntries, entriesToDense, readHeader } from './decode.js';
import { encodeCompressed } from './encode.js';
import { CompressedFileError } from './errors.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** A file with a hand-written header (valid preamble and header CRC) and data region. */
function file(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(16 + json.length + data.length);
  out.set([0x4c, 0x44, 0x43, 0x46], 0);
  const v = new DataView(out.buffer);
  v.setUint16(4, 1, true);
  v.setUint32(8, json.length, true);
  v.setUint32(12, crc32(json), true);
  out.set(json, 16);
  out.set(data, 16 + json.length);
  return out;
}

/** Sections laid out one after another; returns the header entries and the data region. */
function layout(parts: Record<string, [Uint8Array, string]>) {
  const sections: Record<string, object> = {};
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const [kind, [data, coding]] of Object.entries(parts)) {
    sections[kind] = { offset, length: data.length, crc32: crc32(data), coding };
    offset += data.length;
    chunks.push(data);
  }
  const data = new Uint8Array(offset);
  let o = 0;
  for (const c of chunks) {
    data.set(c, o);
    o += c.length;
  }
  return { sections, data };
}

const f32 = (...xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

/** A shared 2 x 3 tensor: entries at positions 1 and 4 (gaps 1, 2), codes as given. */
function sharedFile(codes: number[], { fillers = 0, codesCoding = 'raw', codebook = [0.5, -2] } = {}) {
  const { sections, data } = layout({
    gaps: [Uint8Array.from([1, 2]), 'raw'],
    codes: [
      codesCoding === 'packed' ? packBits(Uint8Array.from(codes), 2) : Uint8Array.from(codes),
      codesCoding,
    ],
    codebook: [f32(...codebook), 'raw'],
  });
  const header = {
    format: 'lab-deep-compression',
    dataLength: data.length,
    tensors: [
      {
        name: 'w',
        shape: [2, 3],
        encoding: 'shared',
        entries: 2,
        fillers,
        indexBits: 3,
        weightBits: 2,
        codebookSize: codebook.length,
        sections,
      },
    ],
  };
  return file(header, data);
}

function refusal(f: () => unknown): CompressedFileError {
  try {
    f();
  } catch (e) {
    if (CompressedFileError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('decodeEntries and entriesToDense', () => {
  it('reads a hand-built shared tensor as positions, codes and codebook, and expands it', () => {
    const bytes = sharedFile([2, 1], { codesCoding: 'packed' });
    const { header, tensors } = decodeEntries(bytes);
    expect(header.tensors[0]!.name).toBe('w');
    const e = tensors[0]!;
    if (e.encoding !== 'shared') throw new Error(e.encoding);
    expect(Array.from(e.positions)).toEqual([1, 4]);
    expect(Array.from(e.codes)).toEqual([2, 1]);
    expect(Array.from(e.codebook)).toEqual([0.5, -2]);
    expect(Array.from(entriesToDense(e))).toEqual([0, -2, 0, 0, 0.5, 0]);
  });

  it('expands sparse entries bit for bit and leaves raw values as they are', () => {
    const values = Float32Array.from([-0, 3]);
    const sparse = entriesToDense({
      name: 's',
      shape: [5],
      encoding: 'sparse',
      positions: Int32Array.from([0, 3]),
      values,
    });
    expect(Array.from(new Uint32Array(sparse.buffer))).toEqual([0x80000000, 0, 0, 0x40400000, 0]);
    const raw = Float32Array.from([1, 2]);
    expect(entriesToDense({ name: 'r', shape: [2], encoding: 'raw', values: raw })).toBe(raw);
  });

  it('counts a code-0 entry as a filler and refuses a count that differs from the header', () => {
    const filled = decodeEntries(sharedFile([0, 1], { fillers: 1 })).tensors[0]!;
    if (filled.encoding !== 'shared') throw new Error(filled.encoding);
    expect(Array.from(filled.positions)).toEqual([1, 4]);
    const e = refusal(() => decodeEntries(sharedFile([0, 1], { fillers: 0 })));
    expect([e.code, e.section]).toEqual(['bad-section', 'tensor w gaps']);
    expect(e.message).toMatch(/1 zero entries where the header declares 0 fillers/);
  });

  it('refuses a code past the codebook, a raw symbol section of the wrong length, and gaps past the end', () => {
    const past = refusal(() => decodeEntries(sharedFile([3, 1])));
    expect([past.code, past.section]).toEqual(['bad-section', 'tensor w codes']);
    expect(past.message).toMatch(/entry 0 has code 3, codebook has 2 values/);
    const short = refusal(() => decodeEntries(sharedFile([1])));
    expect(short.message).toMatch(/tensor w codes .*1 bytes for 2 entries/);
    // gaps 1, 2 then 5 land at 1, 4, 10: past the 6 elements
    const { sections, data } = layout({
      gaps: [Uint8Array.from([1, 2, 5]), 'raw'],
      values: [f32(1, 2, 3), 'raw'],
    });
    const sparse = {
      format: 'lab-deep-compression',
      dataLength: data.length,
      tensors: [
        { name: 's', shape: [6], encoding: 'sparse', entries: 3, fillers: 0, indexBits: 3, sections },
      ],
    };
    const sparseBytes = file(sparse, data);
    const gaps = refusal(() => decodeEntries(sparseBytes));
    // the gaps section is first in the data region
    expect([gaps.code, gaps.section, gaps.offset]).toEqual([
      'bad-section',
      'tensor s gaps',
      sparseBytes.length - data.length,
    ]);
    expect(gaps.message).toMatch(/entry 2 lands at position 10, past the tensor's 6 elements/);
  });

  it('refuses float32 values that are not stored raw, at the section offset', () => {
    const { sections, data } = layout({ values: [f32(1, 2), 'packed'] });
    const bytes = file(
      {
        format: 'lab-deep-compression',
        dataLength: 8,
        tensors: [{ name: 'b', shape: [2], encoding: 'raw', sections }],
      },
      data,
    );
    const e = refusal(() => decodeEntries(bytes));
    expect([e.code, e.section, e.offset]).toEqual(['bad-section', 'tensor b values', bytes.length - 8]);
    expect(e.message).toMatch(/float32 sections must be stored raw/);
  });
});

describe('readHeader', () => {
  it('returns the header and where the data starts', () => {
    const { bytes } = encodeCompressed({ b: { shape: [3], values: Float32Array.from([1, 2, 3]) } });
    const { header, dataStart } = readHeader(bytes);
    expect(dataStart).toBe(bytes.length - 12);
    expect(dataStart).toBe(16 + new DataView(bytes.buffer).getUint32(8, true));
    expect(header.tensors.map((t) => t.name)).toEqual(['b']);
  });

  it('refuses reserved flags, a header that is not UTF-8, and names the byte', () => {
    const { bytes } = encodeCompressed({ b: { shape: [1], values: Float32Array.from([1]) } });
    const flags = bytes.slice();
    flags[6] = 1;
    expect(refusal(() => readHeader(flags))).toMatchObject({
      code: 'bad-preamble',
      section: 'preamble',
      offset: 6,
    });
    const latin = new Uint8Array(17);
    latin.set([0x4c, 0x44, 0x43, 0x46], 0);
    const v = new DataView(latin.buffer);
    v.setUint16(4, 1, true);
    v.setUint32(8, 1, true);
    latin[16] = 0xff;
    v.setUint32(12, crc32(latin.subarray(16)), true);
    const e = refusal(() => readHeader(latin));
    expect([e.code, e.section, e.offset]).toEqual(['bad-header', 'header', 16]);
    expect(e.message).toMatch(/not JSON/);
  });
});

describe('decodedToTensors', () => {
  it('makes one float32 tensor per decoded tensor, owned by the caller', () => {
    const before = memory().numTensors;
    const t = decodedToTensors([
      { name: 'a', shape: [2, 2], values: Float32Array.from([1, 2, 3, 4]) },
      { name: 'b', shape: [0], values: new Float32Array(0) },
    ]);
    expect(Object.keys(t)).toEqual(['a', 'b']);
    expect(t.a!.shape).toEqual([2, 2]);
    expect(t.a!.dtype).toBe('float32');
    expect(Array.from(t.a!.dataSync())).toEqual([1, 2, 3, 4]);
    expect(memory().numTensors).toBe(before + 2);
    for (const x of Object.values(t)) x.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
