import { Dense, initBackend, Rng, Sequential } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneWeights } from '../prune/magnitude.js';
import { prunableWeights } from '../prune/weights.js';
import { SharedWeights } from '../share/weight-sharing.js';
import { bitsOf, normals } from '../test-helpers.js';
import { crc32 } from './crc32.js';
import { decodeCompressed, describeCompressed } from './decode.js';
import { encodeCompressed } from './encode.js';
import { CompressedFileError } from './errors.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** A pruned and shared 2-layer net: its state dict holds shared, sparse-able and raw tensors. */
function compressedNet() {
  const model = new Sequential([
    new Dense(40, 30, { rng: new Rng(1) }),
    new Dense(30, 10, { rng: new Rng(2) }),
  ]);
  const weights = prunableWeights(model);
  const { masks } = pruneWeights(weights, {
    kind: 'sparsity',
    sparsity: { '0.weight': 0.9, '1.weight': 0.7 },
  });
  for (const m of Object.values(masks)) m.dispose();
  const shared = new SharedWeights({ '0.weight': weights['0.weight']! }, { bits: 4 });
  shared.dispose();
  return model;
}

/** A file with a hand-written header (valid preamble and header CRC). */
function withHeader(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
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

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (CompressedFileError.isInstance(e)) return e.code;
    throw e;
  }
  return 'no error';
};

describe('compressed file format', () => {
  it('decodes pruned + shared + raw tensors back bit for bit', () => {
    const model = compressedNet();
    const state = model.stateDict();
    const { bytes, report } = encodeCompressed(state, { metadata: { model: 'test' } });
    const decoded = decodeCompressed(bytes);
    expect(decoded.header.metadata).toEqual({ model: 'test' });
    expect(decoded.tensors.map((t) => [t.name, t.shape])).toEqual(
      Object.entries(state).map(([k, v]) => [k, v.shape]),
    );
    for (const t of decoded.tensors)
      expect(bitsOf(t.values)).toEqual(bitsOf(state[t.name]!.dataSync() as Float32Array));
    const enc = Object.fromEntries(decoded.header.tensors.map((t) => [t.name, t.encoding]));
    expect(enc).toEqual({ '0.weight': 'shared', '0.bias': 'raw', '1.weight': 'sparse', '1.bias': 'raw' });
    expect(decoded.report).toEqual(report);
    expect(describeCompressed(bytes)).toEqual(report);
    model.dispose();
  });

  it('keeps -0, NaN payloads, all-zero and empty tensors exact; long gaps get fillers', () => {
    const odd = new Float32Array(300);
    odd[0] = -0;
    odd[299] = 1.5;
    new Uint32Array(odd.buffer)[150] = 0x7fc00123; // a NaN with a payload
    const tensors = {
      odd: { shape: [300, 1], values: odd },
      zeros: { shape: [4, 4], values: new Float32Array(16) },
      empty: { shape: [0, 3], values: new Float32Array(0) },
      dense: { shape: [3], values: normals(3) },
    };
    for (const encoding of ['sparse', 'shared', 'raw'] as const) {
      const { bytes } = encodeCompressed(tensors, {
        encoding: { odd: encoding, zeros: encoding, empty: encoding },
        indexBits: 3,
      });
      const d = decodeCompressed(bytes).tensors;
      for (const t of d)
        expect(bitsOf(t.values)).toEqual(bitsOf(tensors[t.name as keyof typeof tensors].values));
      const odd3 = decodeCompressed(bytes).header.tensors[0]!;
      if (encoding !== 'raw') expect(odd3.fillers).toBe(Math.floor(149 / 8) + Math.floor(148 / 8));
    }
  });

  it('accounts sizes per tensor and stage as in Deep Compression', () => {
    const model = compressedNet();
    const { bytes, report } = encodeCompressed(model.stateDict());
    const row = report.rows.find((r) => r.name === '0.weight')!;
    expect(row.denseBytes).toBe(1200 * 4);
    expect(row.entries).toBe(120 + row.fillers);
    expect(row.prunedBytes).toBe(Math.ceil((row.entries * (32 + 5)) / 8));
    const entry = decodeCompressed(bytes).header.tensors.find((t) => t.name === '0.weight')!;
    // linear initialisation over [min, max] of a 90%-pruned layer leaves the middle centroids empty
    expect(entry.codebookSize).toBeGreaterThan(1);
    expect(entry.codebookSize).toBeLessThanOrEqual(15);
    expect(entry.weightBits).toBe(Math.ceil(Math.log2(entry.codebookSize! + 1)));
    expect(row.quantizedBytes).toBe(
      Math.ceil((row.entries * (entry.weightBits! + 5)) / 8) + 4 * entry.codebookSize!,
    );
    expect(row.huffmanBytes).toBeLessThan(row.prunedBytes);
    const bias = report.rows.find((r) => r.name === '0.bias')!;
    expect([bias.prunedBytes, bias.huffmanBytes]).toEqual([120, 120]);
    expect(report.fileBytes).toBe(bytes.length);
    expect(report.total.denseBytes).toBe((1200 + 30 + 300 + 10) * 4);
    expect(report.ratio).toBeCloseTo(report.total.denseBytes / bytes.length, 12);
    // the stages only shrink
    expect(report.total.prunedBytes).toBeLessThan(report.total.denseBytes);
    expect(report.total.quantizedBytes).toBeLessThan(report.total.prunedBytes);
    model.dispose();
  });

  it('Huffman-codes the indices and codebook indices of a large layer, below the packed size', () => {
    const rng = new Rng(5);
    // 30,000 weights, 10% kept in runs of 5 (skewed gaps), values from a 31-entry codebook with a
    // skewed (geometric) use
    const values = new Float32Array(30000);
    for (let i = 0; i < values.length; i++) {
      if (i % 50 >= 5) continue;
      let j = 0;
      while (j < 30 && rng.next() < 0.6) j++;
      values[i] = (j + 1) * (rng.next() < 0.5 ? -0.01 : 0.01) * (j % 2 ? 1 : 1.5);
    }
    const { bytes, report } = encodeCompressed({ fc: { shape: [300, 100], values } });
    const entry = decodeCompressed(bytes).header.tensors[0]!;
    expect(entry.encoding).toBe('shared');
    expect(entry.sections.gaps!.coding).toBe('huffman');
    expect(entry.sections.codes!.coding).toBe('huffman');
    const row = report.rows[0]!;
    expect(row.huffmanBytes).toBeLessThan(row.quantizedBytes);
    expect(bitsOf(decodeCompressed(bytes).tensors[0]!.values)).toEqual(bitsOf(values));
  });

  it('rejects every truncation with a typed error naming the section', () => {
    const tensors = {
      w: {
        shape: [20, 5],
        values: Float32Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? (i % 3) - 1 : 0)),
      },
      b: { shape: [2], values: Float32Array.from([1, 2]) },
    };
    const { bytes } = encodeCompressed(tensors);
    const headerEnd = 16 + new DataView(bytes.buffer).getUint32(8, true);
    for (let n = 0; n < bytes.length; n++) {
      let err: unknown;
      try {
        decodeCompressed(bytes.subarray(0, n));
      } catch (e) {
        err = e;
      }
      expect(CompressedFileError.isInstance(err), `cut at ${n}`).toBe(true);
      const e = err as CompressedFileError;
      expect(e.code).toBe('truncated');
      expect(e.offset).toBe(n);
      expect(e.section).toBe(n < 16 ? 'preamble' : n < headerEnd ? 'header' : e.section);
      if (n >= headerEnd) expect(e.section).toMatch(/^tensor (w|b) /);
    }
    expect(codeOf(() => decodeCompressed(Uint8Array.from([...bytes, 0])))).toBe('trailing-bytes');
  });

  it('catches random byte flips (checksums), naming the place', () => {
    const model = compressedNet();
    const { bytes } = encodeCompressed(model.stateDict());
    model.dispose();
    const rng = new Rng(11);
    const seen = new Set<string>();
    for (let trial = 0; trial < 300; trial++) {
      const bad = bytes.slice();
      const at = rng.int(bytes.length);
      bad[at]! ^= 1 + rng.int(255);
      const code = codeOf(() => decodeCompressed(bad));
      expect(code, `flip at ${at}`).not.toBe('no error');
      if (at >= 16) {
        // past the preamble every flip is a checksum failure (header or section)
        expect(code).toBe('checksum');
      }
      seen.add(code);
    }
    expect(seen.has('checksum')).toBe(true);
    const sectionFlip = bytes.slice();
    sectionFlip[bytes.length - 1]! ^= 0xff;
    expect(() => decodeCompressed(sectionFlip)).toThrow(/checksum in tensor 1\.bias values at byte \d+/);
  });

  it('rejects hostile headers with errors naming the field', () => {
    const ok = {
      format: 'lab-deep-compression',
      dataLength: 8,
      tensors: [
        {
          name: 'b',
          shape: [2],
          encoding: 'raw',
          sections: { values: { offset: 0, length: 8, crc32: crc32(new Uint8Array(8)), coding: 'raw' } },
        },
      ],
    };
    expect(decodeCompressed(withHeader(ok, new Uint8Array(8))).tensors[0]!.values).toEqual(
      new Float32Array(2),
    );
    const variant = (patch: (h: any) => void) => {
      const h = structuredClone(ok) as any;
      patch(h);
      return withHeader(h, new Uint8Array(8));
    };
    const cases: Array<[Uint8Array, RegExp]> = [
      [withHeader('{"format": '), /bad-header.*not JSON/],
      [withHeader('[1, 2]'), /expected a JSON object/],
      [
        withHeader('{"__proto__": {"polluted": 1}, "format": "lab-deep-compression"}'),
        /unexpected key "__proto__"/,
      ],
      [variant((h) => (h.tensors[0].name = '__proto__')), /tensors\[0\]\.name: reserved name/],
      [variant((h) => (h.tensors[0].name = 'constructor')), /reserved name/],
      [variant((h) => (h.metadata = JSON.parse('{"__proto__": "x"}'))), /metadata.__proto__: reserved name/],
      [variant((h) => (h.tensors[0].shape = ['2'])), /tensors\[0\]\.shape\[0\]: expected an integer/],
      [variant((h) => (h.tensors[0].shape = [2 ** 20, 2 ** 20])), /exceed the limit/],
      [variant((h) => (h.tensors[0].shape = [1e300])), /shape\[0\]/],
      [variant((h) => (h.tensors[0].encoding = 'zip')), /encoding: expected/],
      [
        variant((h) => (h.tensors[0].sections.values.length = 2 ** 40)),
        /sections\.values\.length: expected an integer in 0\.\.8/,
      ],
      [variant((h) => (h.tensors[0].sections.values.offset = -1)), /offset/],
      [variant((h) => (h.tensors[0].sections.values.coding = 'lzma')), /coding/],
      [variant((h) => (h.tensors[0].sections.gaps = h.tensors[0].sections.values)), /unexpected key "gaps"/],
      [variant((h) => delete h.tensors[0].sections.values), /missing section "values"/],
      [variant((h) => h.tensors.push(h.tensors[0])), /duplicate tensor "b"/],
      [variant((h) => (h.tensors = {})), /tensors: expected an array/],
      [variant((h) => (h.dataLength = 'eight')), /dataLength/],
      [variant((h) => (h.format = 'safetensors')), /format: expected/],
      [variant((h) => (h.tensors[0].entries = 2)), /not used by the raw encoding/],
    ];
    for (const [file, message] of cases) {
      expect(() => decodeCompressed(file)).toThrow(message);
      expect(codeOf(() => decodeCompressed(file))).toBe('bad-header');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // a shared tensor whose Huffman stream claims a huge symbol count is refused before decoding
    const huge = new Uint8Array(264);
    huge.set([0x4c, 0x48, 0x55, 0x46]);
    new DataView(huge.buffer).setUint32(4, 0xffffffff, true);
    const sec = (offset: number, data: Uint8Array, coding = 'raw') => ({
      offset,
      length: data.length,
      crc32: crc32(data),
      coding,
    });
    const codebook = new Uint8Array(4);
    const hostile = withHeader(
      {
        format: 'lab-deep-compression',
        dataLength: 264 + 1 + 4,
        tensors: [
          {
            name: 'w',
            shape: [4],
            encoding: 'shared',
            entries: 1,
            fillers: 0,
            indexBits: 5,
            weightBits: 1,
            codebookSize: 1,
            sections: {
              gaps: sec(264, Uint8Array.from([0])),
              codes: sec(0, huge, 'huffman'),
              codebook: sec(265, codebook),
            },
          },
        ],
      },
      Uint8Array.from([...huge, 0, ...codebook]),
    );
    expect(() => decodeCompressed(hostile)).toThrow(
      /bad-section in tensor w codes at byte \d+: Huffman stream holds 4294967295 symbols, not 1/,
    );
  });

  it('rejects wrong preambles and inputs the encoder cannot write', () => {
    const { bytes } = encodeCompressed({ b: { shape: [1], values: Float32Array.from([1]) } });
    const v2 = bytes.slice();
    v2[4] = 2;
    expect(codeOf(() => decodeCompressed(v2))).toBe('unsupported-version');
    const magic = bytes.slice();
    magic[0] = 0;
    expect(codeOf(() => decodeCompressed(magic))).toBe('bad-magic');
    const big = bytes.slice();
    new DataView(big.buffer).setUint32(8, 2 ** 31, true);
    expect(codeOf(() => decodeCompressed(big))).toBe('bad-preamble');
    expect(() => encodeCompressed({ x: { shape: [3], values: new Float32Array(2) } })).toThrow(/2 values/);
    const many = { shape: [300, 1], values: Float32Array.from({ length: 300 }, (_, i) => i + 1) };
    expect(() => encodeCompressed({ many }, { encoding: { many: 'shared' } })).toThrow(/300 distinct/);
  });
});
