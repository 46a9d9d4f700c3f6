// The size accounting per stage, on hand-written header entries with hand-computed byte counts.
import { describe, expect, it } from 'vitest';
import { FORMAT_NAME, type TensorEntry } from './header.js';
import { sizeReport, sizeRow, sizeTable } from './sizes.js';

const sec = (length: number) => ({ offset: 0, length, crc32: 0, coding: 'raw' as const });

const raw: TensorEntry = { name: 'b', shape: [3], encoding: 'raw', sections: { values: sec(12) } };
const sparse: TensorEntry = {
  name: 'fc',
  shape: [10, 10],
  encoding: 'sparse',
  entries: 7,
  fillers: 2,
  indexBits: 5,
  sections: { gaps: sec(5), values: sec(28) },
};
const shared: TensorEntry = {
  name: 'conv',
  shape: [2, 3, 4],
  encoding: 'shared',
  entries: 9,
  fillers: 1,
  indexBits: 3,
  weightBits: 2,
  codebookSize: 3,
  sections: { gaps: sec(4), codes: sec(3), codebook: sec(12) },
};

describe('sizeRow', () => {
  it('a raw tensor is dense at every stage; the last stage is the bytes written', () => {
    expect(sizeRow(raw)).toEqual({
      name: 'b',
      shape: [3],
      encoding: 'raw',
      size: 3,
      entries: 3,
      fillers: 0,
      denseBytes: 12,
      prunedBytes: 12,
      quantizedBytes: 12,
      huffmanBytes: 12,
    });
  });

  it('a sparse tensor stores 32 value bits plus the index bits per entry', () => {
    const r = sizeRow(sparse);
    // 7 entries x (32 + 5) bits = 259 bits -> 33 bytes (rounded up)
    expect([r.size, r.entries, r.fillers, r.denseBytes]).toEqual([100, 7, 2, 400]);
    expect([r.prunedBytes, r.quantizedBytes, r.huffmanBytes]).toEqual([33, 33, 33]);
  });

  it('a shared tensor stores weightBits + indexBits per entry and a float32 codebook', () => {
    const r = sizeRow(shared);
    // pruned: 9 x 35 bits = 315 bits -> 40 bytes; quantised: 9 x 5 bits = 45 bits -> 6 bytes, + 3 x 4
    expect([r.size, r.denseBytes, r.prunedBytes, r.quantizedBytes, r.huffmanBytes]).toEqual([
      24, 96, 40, 18, 19,
    ]);
  });
});

describe('sizeReport and sizeTable', () => {
  const header = { format: FORMAT_NAME, dataLength: 64, tensors: [raw, sparse, shared] } as const;

  it('sums every stage over the tensors and divides dense bytes by the file size', () => {
    const report = sizeReport({ ...header, tensors: [...header.tensors] }, 254);
    expect(report.total).toEqual({
      size: 127,
      entries: 19,
      fillers: 3,
      denseBytes: 508,
      prunedBytes: 85,
      quantizedBytes: 63,
      huffmanBytes: 64,
    });
    expect(report.fileBytes).toBe(254);
    expect(report.ratio).toBe(2);
    expect(sizeReport({ ...header, tensors: [] }, 0)).toMatchObject({ ratio: 0, rows: [] });
  });

  it('prints one aligned row per tensor, a total row and the file line', () => {
    const lines = sizeTable(sizeReport({ ...header, tensors: [...header.tensors] }, 254)).split('\n');
    expect(lines).toHaveLength(6);
    const cells = lines.map((l) => l.trim().split(/\s+/));
    expect(cells[0]).toEqual([
      'tensor',
      'encoding',
      'weights',
      'stored',
      'dense',
      'B',
      'pruned',
      'B',
      'quant',
      'B',
      'huffman',
      'B',
      'ratio',
    ]);
    expect(cells[1]).toEqual(['b', 'raw', '3', '3', '12', '12', '12', '12', '1.0x']);
    expect(cells[2]).toEqual(['fc', 'sparse', '100', '7', '400', '33', '33', '33', '12.1x']);
    expect(cells[3]).toEqual(['conv', 'shared', '24', '9', '96', '40', '18', '19', '5.1x']);
    expect(cells[4]).toEqual(['total', '127', '19', '508', '85', '63', '64', '7.9x']);
    expect(lines[5]).toBe('file: 254 bytes (header included), 2.0x smaller than dense float32');
    // columns line up: every row has the header's length
    for (const l of lines.slice(0, 5)) expect(l.length).toBe(lines[0]!.length);
  });

  it('prints "-" for the ratio of a tensor that stores nothing', () => {
    const empty: TensorEntry = { name: 'e', shape: [0], encoding: 'raw', sections: { values: sec(0) } };
    const lines = sizeTable(sizeReport({ format: FORMAT_NAME, dataLength: 0, tensors: [empty] }, 40)).split(
      '\n',
    );
    expect(lines[1]!.trim().split(/\s+/)).toEqual(['e', 'raw', '0', '0', '0', '0', '0', '0', '-']);
  });
});
