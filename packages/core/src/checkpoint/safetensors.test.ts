import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeTensor,
  float16Bits,
  parseSafetensors,
  SafetensorsError,
  serializeSafetensors,
} from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasPython = spawnSync('python3', ['-c', 'import struct, json'], { stdio: 'ignore' }).status === 0;

/** Builds a file from a header object and a data section, bypassing our writer. */
function file(header: unknown, data = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
function code(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('safetensors', () => {
  it('round-trips tensors and metadata', () => {
    const bytes = serializeSafetensors(
      {
        'b.bias': { dtype: 'F32', shape: [3], data: Float32Array.from([1, -2, 3.5]) },
        'a.ids': { dtype: 'I32', shape: [2, 2], data: Int32Array.from([1, 2, 3, -4]) },
        empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      },
      { note: 'hi' },
    );
    expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n);
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ note: 'hi' });
    expect(Array.from(decodeTensor(tensors['b.bias']!).data)).toEqual([1, -2, 3.5]);
    expect(Array.from(decodeTensor(tensors['a.ids']!).data)).toEqual([1, 2, 3, -4]);
    expect(tensors.empty!.shape).toEqual([0, 4]);
  });

  it('rejects hostile and corrupt files with typed errors, before allocating', () => {
    const four = new Uint8Array(4);
    expect(code(new Uint8Array(5))).toBe('TooShort');
    expect(code(file({}, new Uint8Array(0), 2n ** 62n))).toBe('HeaderTooLarge');
    expect(code(file({}, new Uint8Array(0), 1000n))).toBe('HeaderOutOfBounds');
    expect(code(file('[1,2]'))).toBe('InvalidHeader');
    expect(code(file('{"a": '))).toBe('InvalidHeader');
    expect(code(file({ a: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, four))).toBe('InvalidDtype');
    expect(code(file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, four))).toBe('InvalidShape');
    expect(code(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, four))).toBe('SizeMismatch');
    const eight = new Uint8Array(8);
    const gap = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(code(file(gap, eight))).toBe('InvalidOffsets');
    const overlap = {
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] },
    };
    expect(code(file(overlap, eight))).toBe('InvalidOffsets');
    expect(code(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, eight))).toBe('TrailingData');
    const dup =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(code(file(dup, four))).toBe('DuplicateName');
    expect(code(file({ __metadata__: { n: 1 } }))).toBe('InvalidMetadata');
    expect(code(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, four))).toBe('ok');
    // a huge claimed shape is rejected by arithmetic, not by trying to allocate it
    expect(code(file({ a: { dtype: 'F32', shape: [2 ** 40], data_offsets: [0, 4] } }, four))).toBe(
      'SizeMismatch',
    );
  });

  it.skipIf(!hasPython)('interoperates with an independent writer and reader (Python struct + json)', () => {
    const pyWritten = join(dir, 'py.safetensors');
    execFileSync('python3', [
      '-c',
      `import json, struct
data = struct.pack('<3f', 1.5, -2.0, 0.25) + struct.pack('<2i', 7, -9)
header = {"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
          "n": {"dtype": "I32", "shape": [2], "data_offsets": [12, 20]},
          "__metadata__": {"by": "python"}}
h = json.dumps(header).encode()
open(${JSON.stringify(pyWritten)}, 'wb').write(struct.pack('<Q', len(h)) + h + data)`,
    ]);
    const { tensors, metadata } = parseSafetensors(readFileSync(pyWritten));
    expect(metadata.by).toBe('python');
    expect(Array.from(decodeTensor(tensors.w!).data)).toEqual([1.5, -2, 0.25]);
    expect(Array.from(decodeTensor(tensors.n!).data)).toEqual([7, -9]);

    const ours = join(dir, 'ours.safetensors');
    writeFileSync(
      ours,
      serializeSafetensors(
        { x: { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } },
        { by: 'lab' },
      ),
    );
    const out = execFileSync(
      'python3',
      [
        '-c',
        `import json, struct
b = open(${JSON.stringify(ours)}, 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
s, e = h['x']['data_offsets']
print(json.dumps([h['x']['shape'], list(struct.unpack('<4f', b[8 + n + s:8 + n + e])), h['__metadata__']]))`,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual([[2, 2], [1, 2, 3, 4], { by: 'lab' }]);
  });
});

describe('float16 weights', () => {
  it('float16Bits converts like IEEE 754 half precision (rounding, subnormals, overflow)', () => {
    const x = Float32Array.from([
      0,
      1,
      -2,
      0.5,
      65504,
      1e6,
      2 ** -24,
      2 ** -26,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      Number.NaN,
    ]);
    const h = float16Bits(x);
    expect(Array.from(h.subarray(0, 10))).toEqual([
      0, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0x0001, 0, 0x3c00, 0x3c02,
    ]);
    expect(h[10]! & 0x7c00).toBe(0x7c00);
    expect(h[10]! & 0x3ff).not.toBe(0);
    // and core's reader widens them back
    const v = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * 3);
    const back = decodeTensor({
      dtype: 'F16',
      shape: [100],
      bytes: new Uint8Array(float16Bits(v).buffer),
    }).data;
    v.forEach((y, i) => {
      expect(Math.abs(back[i]! - y)).toBeLessThanOrEqual(Math.abs(y) * 2 ** -11 + 1e-7);
    });
  });
});
