// sparseMatMul's own paths: the shared kernel instance per runtime, its memory given back after each
// call, int32 operands, and the refusals (sparse.test.ts compares the products with tfjs).
import { initBackend, type LabRuntime, labRuntime } from '@lab/core';
import { dispose, memory, tensor1d, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrFromDense } from './csr.js';
import { sharedCsrKernel, sparseMatMul, sparseMatMulValues } from './sparse-matmul.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// A = [[0, 1, 0], [2, 0, 0]], B = [[1, 2], [3, 4], [5, 6]]: A B = [[3, 4], [2, 4]]
const a = () => csrFromDense(Float32Array.from([0, 1, 0, 2, 0, 0]), 2, 3);
const B = Float32Array.from([1, 2, 3, 4, 5, 6]);

describe('sharedCsrKernel', () => {
  it('is one instance per runtime, and null for a runtime without SIMD', () => {
    const k = sharedCsrKernel();
    expect(k).not.toBeNull();
    expect(sharedCsrKernel(labRuntime())).toBe(k);
    const objects = new Map<symbol, unknown>();
    const noSimd = {
      simdKernels: () => null,
      sharedObject: (key: symbol, create: () => unknown) => {
        if (!objects.has(key)) objects.set(key, create());
        return objects.get(key);
      },
    } as unknown as LabRuntime;
    expect(sharedCsrKernel(noSimd)).toBeNull();
  });
});

describe('sparseMatMulValues', () => {
  it('gives the same product on the kernel and in JavaScript, and frees the kernel memory it used', () => {
    const k = sharedCsrKernel()!;
    const mark = k.mark();
    for (const javascript of [false, true]) {
      expect(Array.from(sparseMatMulValues(a(), B, 2, { javascript }))).toEqual([3, 4, 2, 4]);
      const bias = Float32Array.from([-3.5, 0]);
      expect(Array.from(sparseMatMulValues(a(), B, 2, { bias, relu: true, javascript }))).toEqual([
        0, 0.5, 2, 4,
      ]);
    }
    expect(k.mark()).toBe(mark);
    expect(sparseMatMulValues(a(), new Float32Array(0), 0)).toHaveLength(0);
  });

  it('refuses a bad n, a B of the wrong size, a bias of the wrong length and a bad matrix', () => {
    expect(() => sparseMatMulValues(a(), B, 1.5)).toThrow(/sparseMatMul: B has 6 values, not 3 x 1.5/);
    expect(() => sparseMatMulValues(a(), B, -2)).toThrow(/not 3 x -2/);
    expect(() => sparseMatMulValues(a(), B, 3)).toThrow(/B has 6 values, not 3 x 3/);
    expect(() => sparseMatMulValues(a(), B, 2, { bias: new Float32Array(3) })).toThrow(
      /bias has 3 values for 2 rows/,
    );
    expect(() => sparseMatMulValues({ ...a(), cols: 1 }, new Float32Array(2), 2)).toThrow(
      /sparseMatMul: A: entry 0 is in column 1, outside 0..0/,
    );
  });
});

describe('sparseMatMul', () => {
  it('takes an int32 B, returns a float32 [rows, n] tensor and keeps nothing else', () => {
    const b = tensor2d(Int32Array.from(B), [3, 2], 'int32');
    const before = memory().numTensors;
    const c = sparseMatMul(a(), b);
    expect(memory().numTensors).toBe(before + 1);
    expect([c.shape, c.dtype]).toEqual([[2, 2], 'float32']);
    expect(Array.from(c.dataSync())).toEqual([3, 4, 2, 4]);
    dispose([b, c]);
  });

  it('refuses a B that is not a matrix', () => {
    const b = tensor1d(B);
    expect(() => sparseMatMul(a(), b)).toThrow(/B must be \[3, n\], got \[6\]/);
    b.dispose();
  });
});
