// The bench's own file readers: size limits, text that is UTF-8, JSON objects, 28 x 28 image arrays;
// every refusal names the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTooLargeError } from '@lab/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError, readImagesNpy, readJsonObject, readTextFile } from './bench-files.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** A version 1.0 .npy file of little-endian float32 (written here, independently of @lab/core). */
function npy(shape: number[], values: number[]): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = `${dict}${' '.repeat(pad % 64)}\n`;
  const out = new Uint8Array(10 + header.length + 4 * values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  const dv = new DataView(out.buffer, 10 + header.length);
  values.forEach((v, i) => {
    dv.setFloat32(4 * i, v, true);
  });
  return out;
}

describe('readTextFile', () => {
  it('reads UTF-8 text and refuses binary bytes and files over the limit, naming the file', () => {
    expect(readTextFile(file('t.txt', 'héllo\n'))).toBe('héllo\n');
    const bin = file('b.txt', new Uint8Array([0x41, 0xff, 0xfe, 0x00]));
    expect(() => readTextFile(bin)).toThrow(InputFileError);
    expect(() => readTextFile(bin)).toThrow(`${bin}: not UTF-8 text (a binary file?)`);
    const big = file('big.txt', 'x'.repeat(11));
    expect(() => readTextFile(big, 10)).toThrow(FileTooLargeError);
    expect(() => readTextFile(big, 10)).toThrow(`${big}: 11 bytes, more than the limit of 10 bytes`);
    expect(() => readTextFile(join(dir, 'absent.txt'))).toThrow(`${join(dir, 'absent.txt')}: no such file`);
  });
});

describe('readJsonObject', () => {
  it('reads an object and refuses broken JSON and other top-level values', () => {
    expect(readJsonObject(file('o.json', '{"a": [1]}'))).toEqual({ a: [1] });
    const broken = file('broken.json', '{"a": ');
    expect(() => readJsonObject(broken)).toThrow(new RegExp(`^${broken}: not JSON \\(`));
    for (const [name, text] of [
      ['arr.json', '[1]'],
      ['null.json', 'null'],
      ['num.json', '1'],
    ] as const) {
      const p = file(name, text);
      expect(() => readJsonObject(p)).toThrow(`${p}: not a JSON object`);
    }
  });
});

describe('readImagesNpy', () => {
  const pixels = (n: number) => Array.from({ length: n * 784 }, (_, i) => (i % 7) / 7);

  it('reads n images of 28 x 28 in any of the layouts the peers write', () => {
    for (const shape of [
      [2, 28, 28],
      [2, 28, 28, 1],
      [2, 784],
    ]) {
      const r = readImagesNpy(file('ok.npy', npy(shape, pixels(2))));
      expect(r.count).toBe(2);
      expect(r.data).toHaveLength(2 * 784);
      expect(r.data[8]).toBeCloseTo(1 / 7, 6);
    }
  });

  it('refuses other shapes, no images, non-finite pixels and truncated files, naming the file', () => {
    const wrong = file('wrong.npy', npy([3, 27, 28], pixels(3).slice(0, 3 * 27 * 28)));
    expect(() => readImagesNpy(wrong)).toThrow(
      `${wrong}: shape: [3, 27, 28] is not n >= 1 images of 28 x 28`,
    );
    const flat = file('flat.npy', npy([784], pixels(1)));
    expect(() => readImagesNpy(flat)).toThrow(InputFileError);
    const none = file('none.npy', npy([0, 28, 28], []));
    expect(() => readImagesNpy(none)).toThrow(/is not n >= 1 images/);
    const nan = pixels(1);
    nan[5] = Number.NaN;
    const bad = file('nan.npy', npy([1, 28, 28], nan));
    expect(() => readImagesNpy(bad)).toThrow(new RegExp(`^${bad}: `));
    const whole = npy([1, 28, 28], pixels(1));
    const cut = file('cut.npy', whole.subarray(0, whole.length - 3));
    expect(() => readImagesNpy(cut)).toThrow(new RegExp(`^${cut}: `));
    const junk = file('junk.npy', 'not an array');
    expect(() => readImagesNpy(junk)).toThrow(new RegExp(`^${junk}: `));
  });
});
