// Hostile input for the safetensors reader: every truncation of a valid file, random bytes, wrong
// types in every header field, prototype names as names and values, huge sizes and non-finite numbers.
// Each must end in a SafetensorsError (never a hang, another error type or silent success), and names
// that are also Object.prototype's must read as ordinary names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTensor,
  MAX_HEADER_BYTES,
  parseSafetensors,
  SafetensorsError,
  serializeSafetensors,
} from './safetensors.js';

const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];

/** A file from a header (object or raw JSON text) and a data section, bypassing our writer. */
function file(header: unknown, data = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** The error code parseSafetensors gives, or 'ok'; any other kind of error fails the test. */
function outcome(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError) return e.code;
    throw new Error(`not a SafetensorsError: ${String(e)}`);
  }
  return 'ok';
}

const valid = serializeSafetensors(
  {
    w: { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    ids: { dtype: 'I32', shape: [2], data: Int32Array.from([7, -8]) },
  },
  { note: 'small' },
);

/** The JSON text of an entry with one field replaced by raw JSON text (so that 1e400 and -0 survive). */
function entryWith(field: 'dtype' | 'shape' | 'data_offsets', json: string): string {
  const base: Record<string, string> = { dtype: '"F32"', shape: '[1]', data_offsets: '[0,4]' };
  base[field] = json;
  return `{"a":{${Object.entries(base)
    .map(([k, v]) => `"${k}":${v}`)
    .join(',')}}}`;
}

// JSON values of every type, prototype names as strings, and numbers JSON.parse turns into ±Infinity
const WRONG_VALUES = [
  'null',
  'true',
  '0',
  '-1',
  '1.5',
  '1e400',
  '-1e400',
  '"x"',
  '""',
  '[]',
  '{}',
  '[null]',
  '["1"]',
  '[1.5]',
  '[-1]',
  '[1e400]',
  ...PROTOTYPE_NAMES.map((n) => JSON.stringify(n)),
  `{"__proto__": 1}`,
];

describe('safetensors reader, hostile input', () => {
  it('refuses every truncation of a valid file with a typed error', () => {
    expect(outcome(valid)).toBe('ok');
    for (let n = 0; n < valid.length; n++) expect(outcome(valid.subarray(0, n))).not.toBe('ok');
  });

  it('refuses every appended byte count (trailing data)', () => {
    for (let extra = 1; extra <= 16; extra++) {
      const longer = new Uint8Array(valid.length + extra);
      longer.set(valid);
      expect(outcome(longer)).toBe('TrailingData');
    }
  });

  it('gives only typed errors on random bytes, with and without a plausible header length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(outcome(bytes)).not.toBe('ok');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (body, n) => {
        const bytes = new Uint8Array(8 + body.length);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
        bytes.set(body, 8);
        expect(outcome(bytes)).not.toBe('ok');
      }),
      { numRuns: 500 },
    );
  });

  it('gives only typed errors when random bytes replace any span of a valid file', () => {
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.uint8Array({ minLength: 1, maxLength: 12 }), (at, junk) => {
        const bytes = valid.slice();
        bytes.set(junk.subarray(0, bytes.length - at), at);
        // a change in the data, a digit or a string can leave a valid file: then it must decode
        if (outcome(bytes) === 'ok')
          for (const t of Object.values(parseSafetensors(bytes).tensors)) decodeTensor(t);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a wrong type or value in every field of an entry with that field named', () => {
    const four = new Uint8Array(4);
    const expected = { dtype: 'InvalidDtype', shape: 'InvalidShape', data_offsets: 'InvalidOffsets' };
    for (const field of ['dtype', 'shape', 'data_offsets'] as const) {
      for (const json of WRONG_VALUES) {
        const code = outcome(file(entryWith(field, json), four));
        // [1] for a shape is the valid value; [] is a valid (scalar) shape of 4 bytes
        if (field === 'shape' && json === '[]') expect(code).toBe('ok');
        else expect([json, code]).toEqual([json, expected[field]]);
      }
      // the field missing altogether
      const missing = JSON.parse(entryWith(field, '0'));
      delete missing.a[field];
      expect(outcome(file(missing, four))).toBe(expected[field]);
    }
    for (const json of WRONG_VALUES.filter((j) => !j.startsWith('{'))) {
      expect(outcome(file(`{"a":${json}}`, four))).toBe('InvalidHeader');
      expect(outcome(file(`{"__metadata__":${json}}`))).toBe('InvalidMetadata');
      expect(outcome(file(`{"__metadata__":{"k":${json}}}`))).toBe(
        json.startsWith('"') ? 'ok' : 'InvalidMetadata',
      );
    }
    for (const json of WRONG_VALUES.filter((j) => j !== '{}'))
      expect([json, outcome(file(json))]).toEqual([json, 'InvalidHeader']);
  });

  it('knows only its own dtypes: prototype names are not dtypes', () => {
    for (const name of PROTOTYPE_NAMES)
      expect(outcome(file(entryWith('dtype', JSON.stringify(name)), new Uint8Array(4)))).toBe('InvalidDtype');
  });

  it('reads tensors and metadata keys named like Object.prototype members as ordinary names', () => {
    const tensors = Object.fromEntries(
      PROTOTYPE_NAMES.map((name, i) => [name, { dtype: 'F32', shape: [1], data: Float32Array.of(i) }]),
    );
    // Object.fromEntries defines __proto__ as an own key, as JSON.parse does
    expect(Object.keys(tensors)).toContain('__proto__');
    const metadata = Object.fromEntries(PROTOTYPE_NAMES.map((n) => [n, `meta ${n}`]));
    const bytes = serializeSafetensors(tensors as never, metadata);
    const parsed = parseSafetensors(bytes);
    expect(Object.keys(parsed.tensors).sort()).toEqual([...PROTOTYPE_NAMES].sort());
    expect(Object.getPrototypeOf(parsed.tensors)).toBeNull();
    PROTOTYPE_NAMES.forEach((name, i) => {
      expect(Object.hasOwn(parsed.tensors, name)).toBe(true);
      expect(Array.from(decodeTensor(parsed.tensors[name]!).data)).toEqual([i]);
      expect(parsed.metadata[name]).toBe(`meta ${name}`);
    });
    // and a name that is not in the file is absent, not inherited
    expect(parseSafetensors(valid).tensors.constructor).toBeUndefined();
    expect(parseSafetensors(valid).metadata.toString).toBeUndefined();
  });

  it('refuses huge sizes by arithmetic, before allocating', () => {
    const four = new Uint8Array(4);
    expect(outcome(file({}, four, 2n ** 64n - 1n))).toBe('HeaderTooLarge');
    expect(outcome(file({}, four, BigInt(MAX_HEADER_BYTES) + 1n))).toBe('HeaderTooLarge');
    const huge = [2 ** 53 - 1, 2 ** 53 - 1];
    expect(outcome(file(entryWith('shape', JSON.stringify(huge)), four))).toBe('SizeMismatch');
    expect(outcome(file(entryWith('shape', JSON.stringify(Array(33).fill(1))), four))).toBe('InvalidShape');
    expect(outcome(file(entryWith('shape', '[9007199254740993]'), four))).toBe('InvalidShape');
    expect(outcome(file(entryWith('data_offsets', '[0, 9007199254740991]'), four))).toBe('SizeMismatch');
    // a zero-size tensor with absurd other sizes is still zero bytes
    const zero = { dtype: '"F32"', shape: '[0, 9007199254740991, 9007199254740991]', data_offsets: '[0,0]' };
    const zeroJson = `{"z":{${Object.entries(zero)
      .map(([k, v]) => `"${k}":${v}`)
      .join(',')}}}`;
    expect(outcome(file(zeroJson))).toBe('ok');
    // every shape fast-check can make is either consistent with its bytes or refused
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(8), fc.constant(2 ** 31), fc.constant(2 ** 53 - 1)), { maxLength: 6 }),
        fc.nat(64),
        (shape, bytes) => {
          const code = outcome(
            file({ a: { dtype: 'F32', shape, data_offsets: [0, bytes] } }, new Uint8Array(bytes)),
          );
          const count = shape.reduce((a, b) => a * b, 1);
          expect(code === 'ok').toBe(count * 4 === bytes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses overlapping, gapped, reversed and out-of-range offsets', () => {
    const eight = new Uint8Array(8);
    const e = (a: number, b: number) => ({ dtype: 'F32', shape: [1], data_offsets: [a, b] });
    expect(outcome(file({ a: e(0, 4), b: e(0, 4) }, eight))).toBe('InvalidOffsets');
    expect(outcome(file({ a: e(0, 4), b: e(2, 6) }, eight))).toBe('InvalidOffsets');
    expect(outcome(file({ a: e(4, 8) }, eight))).toBe('InvalidOffsets');
    expect(outcome(file({ a: e(4, 0) }, eight))).toBe('InvalidOffsets');
    expect(outcome(file({ a: e(0, 4), b: e(8, 12) }, eight))).toBe('InvalidOffsets');
    expect(outcome(file({ a: e(0, 4), b: e(4, 8) }, eight))).toBe('ok');
  });

  it('keeps NaN and infinite data as data (the checkpoint layer judges weights)', () => {
    const bytes = serializeSafetensors({
      x: { dtype: 'F32', shape: [3], data: Float32Array.of(Number.NaN, Infinity, -Infinity) },
    });
    const d = decodeTensor(parseSafetensors(bytes).tensors.x!).data;
    expect(Number.isNaN(d[0])).toBe(true);
    expect([d[1], d[2]]).toEqual([Infinity, -Infinity]);
  });
});
