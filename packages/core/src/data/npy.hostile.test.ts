// Hostile input for the .npy reader: every truncation of a valid file, random bytes, wrong types in
// every header field, prototype names as keys and values, huge sizes and NaN/infinite values. Each must
// end in an NpyError: never a hang, another error type or silent success.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NPY_HEADER_BYTES, NpyError, parseNpy } from './npy.js';

/** An .npy file from raw header text and float32 values (version 1.0 unless said). */
function npy(header: string, values: ArrayLike<number> = [], version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const text = `${header}${' '.repeat(63 - ((pre + header.length) % 64))}\n`;
  const out = new Uint8Array(pre + text.length + 4 * values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  out.set(new TextEncoder().encode(text), pre);
  for (let i = 0; i < values.length; i++) dv.setFloat32(pre + text.length + 4 * i, values[i]!, true);
  return out;
}
const dict = (descr: string, fortran: string, shape: string) =>
  `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

/** The NpyError code, or 'ok'; any other kind of error fails the test. */
function outcome(bytes: Uint8Array): string {
  try {
    parseNpy(bytes);
  } catch (e) {
    if (e instanceof NpyError) return e.code;
    throw new Error(`not an NpyError: ${String(e)}`);
  }
  return 'ok';
}

const valid = npy(dict("'<f4'", 'False', '(2, 3)'), [1, 2, 3, 4, 5, 6]);
// Python literals of every kind the header could hold, and prototype names as strings
const WRONG = [
  'None',
  'True',
  'False',
  '0',
  '-1',
  '1.5',
  "'x'",
  "''",
  '()',
  '(-1,)',
  '(1.5,)',
  "('2',)",
  '[2, 3]',
  '{}',
  "'__proto__'",
  "'constructor'",
  "'toString'",
  'inf',
  'nan',
];

describe('.npy reader, hostile input', () => {
  it('refuses every truncation and every extension of a valid file', () => {
    expect(outcome(valid)).toBe('ok');
    for (let n = 0; n < valid.length; n++) expect(outcome(valid.subarray(0, n))).not.toBe('ok');
    for (let extra = 1; extra <= 8; extra++) {
      const longer = new Uint8Array(valid.length + extra);
      longer.set(valid);
      expect(outcome(longer)).toBe('TrailingData');
    }
  });

  it('gives only typed errors on random bytes, behind a valid magic or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (body, magic) => {
        const bytes = magic ? Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, ...body]) : body;
        expect(outcome(bytes)).not.toBe('ok');
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.uint8Array({ minLength: 1, maxLength: 8 }), (at, junk) => {
        const bytes = valid.slice();
        bytes.set(junk.subarray(0, bytes.length - at), at);
        outcome(bytes); // a typed error, or a file that still reads (a changed value, space or digit)
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (header) => {
        outcome(npy(header));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a wrong type or value in every header field', () => {
    const codes = (field: 'descr' | 'fortran' | 'shape', v: string) =>
      outcome(
        npy(
          dict(
            field === 'descr' ? v : "'<f4'",
            field === 'fortran' ? v : 'False',
            field === 'shape' ? v : '(1,)',
          ),
          [0],
        ),
      );
    for (const v of WRONG) {
      expect([v, codes('descr', v)]).toSatisfy(([, c]) => c === 'InvalidHeader' || c === 'UnsupportedDtype');
      const fortran = codes('fortran', v);
      if (v === 'False') expect(fortran).toBe('ok');
      else if (v === 'True') expect(fortran).toBe('FortranOrder');
      else expect([v, fortran]).toEqual([v, 'InvalidHeader']);
      // () is a valid scalar shape of one value
      const shape = codes('shape', v);
      if (v === '()') expect(shape).toBe('ok');
      else expect([v, shape]).toSatisfy(([, c]) => c === 'InvalidHeader' || c === 'InvalidShape');
    }
  });

  it('refuses missing, extra, duplicated and prototype-named keys', () => {
    const f = (text: string) => outcome(npy(text, [0]));
    expect(f("{'descr': '<f4', 'shape': (1,), }")).toBe('InvalidHeader');
    expect(f("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }")).toBe('InvalidHeader');
    expect(f("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")).toBe(
      'InvalidHeader',
    );
    for (const name of ['__proto__', 'constructor', 'toString'])
      expect(f(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '${name}': (1,), }`)).toBe(
        'InvalidHeader',
      );
    expect(f('not a dict at all')).toBe('InvalidHeader');
    expect(f("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } trailing")).toBe('InvalidHeader');
  });

  it('refuses huge sizes and unknown versions before allocating', () => {
    const big = npy(dict("'<f4'", 'False', '(9007199254740991, 9007199254740991)'));
    expect(outcome(big)).toBe('InvalidShape');
    expect(outcome(npy(dict("'<f4'", 'False', '(4294967296, 4294967296, 0)')))).toBe('ok');
    expect(outcome(npy(dict("'<f4'", 'False', '(100000000,)')))).toBe('Truncated');
    const longHeader = npy(dict("'<f4'", 'False', '(1,)') + ' '.repeat(MAX_NPY_HEADER_BYTES), [0], 2);
    expect(outcome(longHeader)).toBe('HeaderTooLarge');
    const v2 = npy(dict("'<f4'", 'False', '(1,)'), [0], 2);
    new DataView(v2.buffer).setUint32(8, 0xffffffff, true);
    expect(outcome(v2)).toBe('HeaderTooLarge');
    for (const version of [0, 4, 255]) {
      const bytes = valid.slice();
      bytes[6] = version;
      expect(outcome(bytes)).toBe('UnsupportedVersion');
    }
  });

  it('refuses NaN and infinite values unless allowed', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const bytes = npy(dict("'<f4'", 'False', '(3,)'), [1, bad, 2]);
      expect(outcome(bytes)).toBe('NonFinite');
      expect(parseNpy(bytes, { allowNonFinite: true }).data[1]).toBe(bad);
    }
    // a float64 past float32's range becomes an infinity, which is refused too
    const f8 = npy(dict("'<f8'", 'False', '(1,)'), [0, 0]);
    new DataView(f8.buffer).setFloat64(f8.length - 8, 1e300, true);
    expect(outcome(f8)).toBe('NonFinite');
    expect(() => parseNpy(npy(dict("'<f4'", 'False', '(1,)'), [Number.NaN]), { source: 's.npy' })).toThrow(
      /^s\.npy: value 0 is NaN/,
    );
  });
});
