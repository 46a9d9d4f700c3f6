import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy } from './npy.js';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

/** An .npy file as numpy.save writes it (version 1.0, header padded to a multiple of 64 bytes). */
function npy(
  descr: string,
  shape: number[],
  values: number[],
  { fortran = false, version = 1 } = {},
): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pre = version === 1 ? 10 : 12;
  const pad = 64 - ((pre + dict.length + 1) % 64);
  const header = `${dict}${' '.repeat(pad % 64)}\n`;
  const width = descr === '<f8' ? 8 : 4;
  const out = new Uint8Array(pre + header.length + values.length * width);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  values.forEach((v, i) => {
    if (width === 8) dv.setFloat64(pre + header.length + 8 * i, v, true);
    else dv.setFloat32(pre + header.length + 4 * i, v, true);
  });
  return out;
}

describe('parseNpy', () => {
  it('reads float32 and float64 arrays of any rank, versions 1 and 2', () => {
    const a = parseNpy(npy('<f4', [2, 3], [1, 2, 3, 4, 5, 6.5]));
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
    const b = parseNpy(npy('<f8', [3], [0.25, -1, 1e-3], { version: 2 }));
    expect(b.shape).toEqual([3]);
    expect(b.data[2]).toBeCloseTo(1e-3, 9);
    expect(parseNpy(npy('<f4', [0, 28, 28], [])).shape).toEqual([0, 28, 28]);
  });
  it('rejects what it cannot read with a clear message', () => {
    expect(() => parseNpy(new Uint8Array(20))).toThrow(/bad magic/);
    expect(() => parseNpy(npy('<i8', [1], [1]))).toThrow(/dtype <i8/);
    expect(() => parseNpy(npy('<f4', [2, 2], [1, 2, 3, 4], { fortran: true }))).toThrow(/Fortran/);
    const full = npy('<f4', [4], [1, 2, 3, 4]);
    expect(() => parseNpy(full.subarray(0, full.length - 3))).toThrow(/truncated/);
  });
  it.skipIf(!hasNumpy)('reads what numpy.save writes (versions 1 and 3, float32 and float64)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-npy-'));
    try {
      execFileSync('python3', [
        '-c',
        `import numpy as np
np.save(${JSON.stringify(join(dir, 'a.npy'))}, np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7)
np.save(${JSON.stringify(join(dir, 's.npy'))}, np.float64(-2.5))
from numpy.lib import format
with open(${JSON.stringify(join(dir, 'v3.npy'))}, 'wb') as f:
    format.write_array(f, np.ones((3,), dtype='<f8'), version=(3, 0))`,
      ]);
      const a = parseNpy(readFileSync(join(dir, 'a.npy')));
      expect(a.shape).toEqual([2, 3, 4]);
      expect(Array.from(a.data)).toEqual(Array.from(Float32Array.from({ length: 24 }, (_, i) => i / 7)));
      expect(parseNpy(readFileSync(join(dir, 's.npy')))).toEqual({ data: Float32Array.of(-2.5), shape: [] });
      expect(parseNpy(readFileSync(join(dir, 'v3.npy'))).data).toEqual(Float32Array.of(1, 1, 1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
