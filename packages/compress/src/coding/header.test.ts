// validateHeader on its own: what a valid header becomes, and each refusal naming the field and the
// header's offset (the round trips through the whole file are in format.test.ts).
import { describe, expect, it } from 'vitest';
import { CompressedFileError } from './errors.js';
import { FORMAT_NAME, MAX_ELEMENTS, MAX_TENSORS, SECTIONS, validateHeader } from './header.js';

const sec = (offset: number, length: number) => ({ offset, length, crc32: 7, coding: 'raw' });

/** A valid header with one shared tensor over 10 bytes of data. */
function shared(): any {
  return {
    format: FORMAT_NAME,
    dataLength: 10,
    tensors: [
      {
        name: 'w',
        shape: [3, 4],
        encoding: 'shared',
        entries: 5,
        fillers: 1,
        indexBits: 3,
        weightBits: 2,
        codebookSize: 3,
        sections: { gaps: sec(0, 2), codes: sec(2, 2), codebook: sec(4, 6) },
      },
    ],
  };
}

function refusal(json: unknown, offset = 16): CompressedFileError {
  try {
    validateHeader(json, offset);
  } catch (e) {
    if (CompressedFileError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('validateHeader', () => {
  it('returns the fields it checked, without metadata when there is none', () => {
    const h = validateHeader(shared(), 16);
    expect(h).toEqual(shared());
    expect(Object.hasOwn(h, 'metadata')).toBe(false);
    const withMeta = { ...shared(), metadata: { model: 'lenet', note: '' } };
    expect(validateHeader(withMeta, 0).metadata).toEqual({ model: 'lenet', note: '' });
  });

  it('lists the sections each encoding needs', () => {
    expect(SECTIONS).toEqual({
      raw: ['values'],
      sparse: ['gaps', 'values'],
      shared: ['gaps', 'codes', 'codebook'],
    });
  });

  it('puts the header offset, the code and the field in every error', () => {
    const e = refusal({ ...shared(), format: 'x' }, 123);
    expect([e.code, e.section, e.offset]).toEqual(['bad-header', 'header', 123]);
    expect(e.message).toMatch(/^compressed file: bad-header in header at byte 123: format: expected/);
  });

  const cases: Array<[string, (h: any) => void, RegExp]> = [
    [
      'fillers above entries',
      (h) => (h.tensors[0].fillers = 6),
      /tensors\[0\]\.fillers: expected an integer in 0\.\.5/,
    ],
    [
      'entries above the size',
      (h) => (h.tensors[0].entries = 13),
      /tensors\[0\]\.entries: expected an integer in 0\.\.12/,
    ],
    [
      'indexBits 0',
      (h) => (h.tensors[0].indexBits = 0),
      /tensors\[0\]\.indexBits: expected an integer in 1\.\.8/,
    ],
    ['indexBits 9', (h) => (h.tensors[0].indexBits = 9), /indexBits: expected an integer in 1\.\.8, got 9/],
    ['a fractional entry count', (h) => (h.tensors[0].entries = 2.5), /entries: expected an integer/],
    [
      'a codebook too big for weightBits',
      (h) => (h.tensors[0].codebookSize = 4),
      /codebookSize: expected an integer in 0\.\.3/,
    ],
    [
      'weightBits missing',
      (h) => delete h.tensors[0].weightBits,
      /weightBits: expected an integer in 1\.\.8, got undefined/,
    ],
    [
      'weightBits on a sparse tensor',
      (h) => {
        h.tensors[0].encoding = 'sparse';
        h.tensors[0].sections = { gaps: sec(0, 2), values: sec(2, 8) };
      },
      /tensors\[0\]: weightBits and codebookSize belong to the shared encoding/,
    ],
    [
      'a section past dataLength',
      (h) => (h.tensors[0].sections.codebook = sec(4, 7)),
      /sections\.codebook\.length: expected an integer in 0\.\.6/,
    ],
    [
      'a section offset past dataLength',
      (h) => (h.tensors[0].sections.codes = sec(11, 0)),
      /sections\.codes\.offset: expected an integer in 0\.\.10/,
    ],
    [
      'an unknown section key',
      (h) => (h.tensors[0].sections.gaps.extra = 1),
      /sections\.gaps: unexpected key "extra"/,
    ],
    [
      'a section that is not an object',
      (h) => (h.tensors[0].sections.gaps = [0, 2]),
      /sections\.gaps: expected an object/,
    ],
    [
      'a crc32 above 32 bits',
      (h) => (h.tensors[0].sections.gaps.crc32 = 2 ** 32),
      /gaps\.crc32: expected an integer in 0\.\.4294967295/,
    ],
    [
      'nine dimensions',
      (h) => (h.tensors[0].shape = [1, 1, 1, 1, 1, 1, 1, 1, 1]),
      /tensors\[0\]\.shape: expected an array of at most 8 sizes/,
    ],
    [
      'a negative size',
      (h) => (h.tensors[0].shape = [3, -4]),
      /tensors\[0\]\.shape\[1\]: expected an integer/,
    ],
    ['an empty name', (h) => (h.tensors[0].name = ''), /tensors\[0\]\.name: expected a non-empty string/],
    ['a 1025-character name', (h) => (h.tensors[0].name = 'n'.repeat(1025)), /tensors\[0\]\.name/],
    ['a tensor that is not an object', (h) => (h.tensors = [null]), /tensors\[0\]: expected an object/],
    [
      'an unknown tensor key',
      (h) => (h.tensors[0].dtype = 'float32'),
      /tensors\[0\]: unexpected key "dtype"/,
    ],
    ['metadata that is an array', (h) => (h.metadata = ['a']), /metadata: expected an object of strings/],
    [
      'a metadata number',
      (h) => (h.metadata = { epochs: 3 }),
      /metadata\.epochs: expected a string, got number/,
    ],
    ['a negative dataLength', (h) => (h.dataLength = -1), /header\.dataLength: expected an integer/],
  ];
  for (const [what, patch, message] of cases)
    it(`refuses ${what}`, () => {
      const h = shared();
      patch(h);
      const e = refusal(h);
      expect(e.code).toBe('bad-header');
      expect(e.message).toMatch(message);
    });

  it('refuses a raw tensor with shared fields, and counts elements over every dimension', () => {
    const raw = (extra: object) => ({
      format: FORMAT_NAME,
      dataLength: 8,
      tensors: [{ name: 'b', shape: [2], encoding: 'raw', sections: { values: sec(0, 8) }, ...extra }],
    });
    expect(validateHeader(raw({}), 0).tensors[0]).toEqual({
      name: 'b',
      shape: [2],
      encoding: 'raw',
      sections: { values: sec(0, 8) },
    });
    expect(refusal(raw({ weightBits: 2 })).message).toMatch(
      /tensors\[0\]\.weightBits: not used by the raw encoding/,
    );
    expect(refusal(raw({ fillers: 0 })).message).toMatch(
      /tensors\[0\]\.fillers: not used by the raw encoding/,
    );
    // each size is within the limit, their product is not
    const big = raw({});
    big.tensors[0]!.shape = [MAX_ELEMENTS, 2];
    expect(refusal(big).message).toMatch(new RegExp(`${2 * MAX_ELEMENTS} elements exceed the limit`));
    // a zero-size tensor has no entries to store
    const empty = shared();
    empty.tensors[0].shape = [0, 4];
    expect(refusal(empty).message).toMatch(/entries: expected an integer in 0\.\.0/);
  });

  it('refuses more than MAX_TENSORS tensors before looking at any of them', () => {
    const h = { format: FORMAT_NAME, dataLength: 0, tensors: new Array(MAX_TENSORS + 1).fill(null) };
    expect(refusal(h).message).toMatch(/tensors: more than 100000 tensors/);
  });
});
