// The CSR kernel instance on its own: the bump allocator (alignment, growth, mark/release), copies in
// and out, the two products and the transpose on hand-computed values, and runtimes without SIMD.
import { initBackend, LabRuntime, labRuntime } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrFromDense, csrFromShared } from './csr.js';
import { CsrKernel, csrKernelFma, csrKernelSupported } from './csr-kernel.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function kernel(runtime = labRuntime()): CsrKernel {
  const k = CsrKernel.create(runtime);
  if (!k) throw new Error('no WASM SIMD under Node');
  return k;
}

describe('CsrKernel', () => {
  it('allocates 16-byte aligned blocks above each other, and release gives the space back', () => {
    const k = kernel();
    const base = k.mark();
    expect(base % 16).toBe(0);
    const a = k.alloc(3);
    const b = k.alloc(20);
    const c = k.alloc(0);
    expect([a, b - a, c - b]).toEqual([base, 16, 32]);
    k.release(base);
    expect(k.alloc(4)).toBe(base);
  });

  it('grows its memory for a large block and keeps what was put below it', () => {
    const k = kernel();
    const small = k.put(Float32Array.from([1.5, -2, 3]));
    const big = k.alloc(4 * 2 ** 20); // 4 MiB, past the initial memory
    const f = k.f32(big, 2 ** 20);
    f[f.length - 1] = 7;
    expect(Array.from(k.f32(small, 3))).toEqual([1.5, -2, 3]);
    expect(k.f32(big, 2 ** 20)[2 ** 20 - 1]).toBe(7);
  });

  it('copies int32 and byte arrays bit for bit, also from a view into a larger buffer', () => {
    const k = kernel();
    const backing = Int32Array.from([9, -1, 2 ** 31 - 1, 9]);
    const at = k.put(backing.subarray(1, 3));
    expect(Array.from(new Int32Array(k.f32(at, 2).buffer, at, 2))).toEqual([-1, 2 ** 31 - 1]);
  });

  it('multiplies float and shared CSR matrices, adding a bias and clamping with relu', () => {
    const k = kernel();
    // A = [[0, 1, 0], [2, 0, 0], [0, 0, 3]], B = [[1, 2], [3, 4], [5, 6]]: A B = [[3, 4], [2, 4], [15, 18]]
    const a = csrFromDense(Float32Array.from([0, 1, 0, 2, 0, 0, 0, 0, 3]), 3, 3);
    const resident = k.putCsr(a);
    expect([resident.rows, resident.cols, resident.shared, resident.codebook]).toEqual([3, 3, false, 0]);
    const b = k.put(Float32Array.from([1, 2, 3, 4, 5, 6]));
    const bias = k.put(Float32Array.from([-4, 1, -20]));
    const c = k.alloc(4 * 6);
    k.matmul(resident, b, 2, 0, false, c);
    expect(Array.from(k.f32(c, 6))).toEqual([3, 4, 2, 4, 15, 18]);
    k.matmul(resident, b, 2, bias, true, c);
    expect(Array.from(k.f32(c, 6))).toEqual([0, 0, 3, 5, 0, 0]);
    // the same matrix as codes 1, 0, 2 into the codebook [1, 2, 3]
    const shared = csrFromShared(
      Int32Array.from([1, 3, 8]),
      Uint8Array.from([1, 2, 3]),
      Float32Array.from([1, 2, 3]),
      3,
      3,
    );
    const rs = k.putCsr(shared);
    expect(rs.shared).toBe(true);
    k.matmul(rs, b, 2, bias, false, c);
    expect(Array.from(k.f32(c, 6))).toEqual([-1, 0, 3, 5, -5, -2]);
  });

  it('runs a shared matrix with no stored entries and an empty codebook as the bias alone', () => {
    const k = kernel();
    const empty = csrFromShared(new Int32Array(0), new Uint8Array(0), new Float32Array(0), 2, 3);
    const r = k.putCsr(empty);
    const b = k.put(new Float32Array(3 * 4).fill(1));
    const bias = k.put(Float32Array.from([0.5, -0.5]));
    const c = k.alloc(4 * 8);
    k.matmul(r, b, 4, bias, false, c);
    expect(Array.from(k.f32(c, 8))).toEqual([0.5, 0.5, 0.5, 0.5, -0.5, -0.5, -0.5, -0.5]);
  });

  it('transposes odd-shaped matrices', () => {
    const k = kernel();
    for (const [rows, cols] of [
      [1, 1],
      [3, 5],
      [9, 17],
    ] as const) {
      const x = Float32Array.from({ length: rows * cols }, (_, i) => i);
      const at = k.put(x);
      const y = k.alloc(4 * rows * cols);
      k.transpose(at, rows, cols, y);
      const got = k.f32(y, rows * cols);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) expect(got[j * rows + i]).toBe(x[i * cols + j]);
    }
  });
});

describe('csrKernelSupported and csrKernelFma', () => {
  it('follow the runtime: no FMA build without relaxedSimd, no kernel without SIMD', () => {
    expect(csrKernelSupported()).toBe(true);
    const plain = new LabRuntime({}, { relaxedSimd: false });
    expect([csrKernelSupported(plain), csrKernelFma(plain)]).toEqual([true, false]);
    expect(CsrKernel.create(plain)).not.toBeNull();
    plain.dispose();
    const noSimd = { simdKernels: () => null } as unknown as LabRuntime;
    expect([csrKernelSupported(noSimd), csrKernelFma(noSimd), CsrKernel.create(noSimd)]).toEqual([
      false,
      false,
      null,
    ]);
  });
});
