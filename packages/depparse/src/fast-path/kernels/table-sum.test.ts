// The table-sum kernel's operations on hand-computed values, its bump allocator, and what it does on
// a runtime without WASM SIMD (lazy-rows.test.ts checks table_rows against tfjs on a real net).
import { initBackend, LabRuntime, labRuntime } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedTableSumKernel, TableSumKernel, tableSumFma, wasmSimdSupported } from './table-sum.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const ints = (k: TableSumKernel, xs: number[]) => {
  const at = k.alloc(xs.length);
  k.i32(at, xs.length).set(xs);
  return at;
};

describe('TableSumKernel', () => {
  it('allocates 16-byte aligned float slots, and release hands them out again', () => {
    const k = new TableSumKernel();
    const a = k.alloc(1);
    const b = k.alloc(5);
    const c = k.alloc(0);
    expect(a % 16).toBe(0);
    expect([b - a, c - b]).toEqual([16, 32]);
    k.release(b);
    expect(k.alloc(2)).toBe(b);
    // a block past the memory grows it, keeping what lay below
    const kept = k.put(Float32Array.from([1, 2, 3]));
    const big = k.alloc(8 << 20);
    k.f32(big, 8 << 20)[(8 << 20) - 1] = 5;
    expect(Array.from(k.f32(kept, 3))).toEqual([1, 2, 3]);
  });

  it('run sums the rows at each offset onto the bias, for odd row counts and widths', () => {
    const k = new TableSumKernel();
    const h = 8;
    // rows of 8 floats: row i holds i + j / 10
    const table = k.put(Float32Array.from({ length: 4 * h }, (_, i) => Math.floor(i / h) + (i % h) / 10));
    const bias = k.put(Float32Array.from({ length: h }, (_, j) => 100 * j));
    // 3 rows of 2 offsets (in floats from the table): (0, 1), (2, 2), (3, 0)
    const offsets = ints(k, [0, h, 2 * h, 2 * h, 3 * h, 0]);
    const out = k.alloc(3 * h);
    k.run(table, offsets, 3, 2, h, bias, out);
    const got = k.f32(out, 3 * h);
    for (let r = 0; r < 3; r++)
      for (let j = 0; j < h; j++) {
        const rowSum = [1, 4, 3][r]!;
        expect(got[r * h + j]).toBeCloseTo(100 * j + rowSum + (2 * j) / 10, 4);
      }
  });

  it('scatter adds each row of dy to the rows it came from (the gradient of run)', () => {
    const k = new TableSumKernel();
    const h = 4;
    const dy = k.put(Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]));
    const offsets = ints(k, [0, 4, 4, 4]); // row 0 read rows 0 and 1, row 1 read row 1 twice
    const grad = k.alloc(2 * h);
    k.f32(grad, 2 * h).fill(0.5);
    k.scatter(dy, offsets, 2, 2, h, grad);
    expect(Array.from(k.f32(grad, 2 * h))).toEqual([1.5, 2.5, 3.5, 4.5, 21.5, 42.5, 63.5, 84.5]);
  });

  it('dense computes x w + b over padded columns, and denseAdd adds x w', () => {
    const k = new TableSumKernel();
    // x [2, 3], w [3, 4] (the last column padding), b [4]
    const x = k.put(Float32Array.from([1, 2, 3, -1, 0, 1]));
    const w = k.put(Float32Array.from([1, 0, 2, 0, 0, 1, 1, 0, 1, 1, 0, 0]));
    const b = k.put(Float32Array.from([0.5, -0.5, 0, 0]));
    const y = k.alloc(8);
    k.dense(x, w, b, 2, 3, 4, y);
    // x w = [[4, 5, 4, 0], [0, 1, -2, 0]]
    expect(Array.from(k.f32(y, 8))).toEqual([4.5, 4.5, 4, 0, 0.5, 0.5, -2, 0]);
    k.denseAdd(x, w, 2, 3, 4, y);
    expect(Array.from(k.f32(y, 8))).toEqual([8.5, 9.5, 8, 0, 0.5, 1.5, -4, 0]);
  });

  it('activate applies cube or relu in place, also to a length that is not a multiple of 4', () => {
    const k = new TableSumKernel();
    const x = k.put(Float32Array.from([-2, -0.5, 0, 0.5, 3]));
    k.activate(x, 5, 'cube');
    expect(Array.from(k.f32(x, 5))).toEqual([-8, -0.125, 0, 0.125, 27]);
    k.activate(x, 5, 'relu');
    expect(Array.from(k.f32(x, 5))).toEqual([0, 0, 0, 0.125, 27]);
  });

  it('tableRows writes emb[id] . w1[position block] rows; rareRows adds them to output rows', () => {
    const k = new TableSumKernel();
    const dim = 2;
    const h = 4;
    // two positions' blocks of w1 [dim, h] and a 3-word embedding
    const w1 = k.put(Float32Array.from([1, 0, 0, 1, 0, 1, 1, 0, 2, 2, 0, 0, 0, 0, 3, 3]));
    const emb = k.put(Float32Array.from([1, 1, 2, -1, 0, 5]));
    const table = k.alloc(2 * h);
    // (offset in floats, position, id): row 0 = emb[1] . block 0, row 1 = emb[2] . block 1
    const items = ints(k, [0, 0, 1, h, 1, 2]);
    k.tableRows(w1, emb, items, 2, dim, h, table);
    expect(Array.from(k.f32(table, 2 * h))).toEqual([2, -1, -1, 2, 0, 0, 15, 15]);
    const out = k.alloc(2 * h);
    k.f32(out, 2 * h).fill(1);
    // (row, position, id): output row 1 += emb[0] . block 1
    const rare = ints(k, [1, 1, 0]);
    k.rareRows(w1, emb, rare, 1, dim, h, out);
    expect(Array.from(k.f32(out, 2 * h))).toEqual([1, 1, 1, 1, 3, 3, 4, 4]);
  });
});

describe('wasmSimdSupported, tableSumFma and sharedTableSumKernel', () => {
  it('share one instance per runtime and follow its options', () => {
    expect(wasmSimdSupported()).toBe(true);
    const k = sharedTableSumKernel();
    expect(k).toBeInstanceOf(TableSumKernel);
    expect(sharedTableSumKernel(labRuntime())).toBe(k);
    const plain = new LabRuntime({}, { relaxedSimd: false });
    expect(tableSumFma(plain)).toBe(false);
    const other = sharedTableSumKernel(plain);
    expect(other).not.toBe(k);
    expect(sharedTableSumKernel(plain)).toBe(other);
    plain.dispose();
  });

  it('without WASM SIMD: not supported, no shared instance, and the constructor says why', () => {
    const objects = new Map<symbol, unknown>();
    const noSimd = {
      simdKernels: () => null,
      sharedObject: (key: symbol, create: () => unknown) => {
        if (!objects.has(key)) objects.set(key, create());
        return objects.get(key);
      },
    } as unknown as LabRuntime;
    expect([wasmSimdSupported(noSimd), tableSumFma(noSimd), sharedTableSumKernel(noSimd)]).toEqual([
      false,
      false,
      null,
    ]);
    expect(() => new TableSumKernel(noSimd)).toThrow(
      /this runtime has no WASM SIMD for the table-sum kernel/,
    );
  });
});
